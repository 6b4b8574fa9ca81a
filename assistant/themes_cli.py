"""`guidance themes`: learning themes across case reviews, as a table or JSON.

The lead registers it: `from assistant.themes_cli import themes_cmd; cli.add_command(themes_cmd, "themes")`.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from assistant.config import Settings


def _settings(ctx: click.Context, data_dir: Path | None) -> Settings:
    if data_dir is not None:
        return Settings.load(data_dir)
    obj = ctx.find_object(dict) or {}
    return obj.get("settings") or Settings.load()


def _table(headers: list[str], rows: list[list[str]], widths: list[int]) -> str:
    def cut(text: str, width: int) -> str:
        return text if len(text) <= width else text[:width - 1] + "…"

    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [fmt.format(*headers), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*(cut(c, w) for c, w in zip(r, widths))).rstrip() for r in rows]
    return "\n".join(out)


@click.command("themes")
@click.option("--json", "as_json", is_flag=True, help="JSON output (a list of theme objects).")
@click.option("--review", "review", default=None, help="Only this review (e.g. 'Child M', 'Eve', 'KLOE').")
@click.option("--year", "year", type=click.IntRange(1900, 2100), default=None,
              help="Only reviews of this year (document date or a year stated with the review).")
@click.option("--reviews", "by_review", is_flag=True, help="List the reviews found instead of the themes.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Index folder.")
@click.pass_context
def themes_cmd(ctx: click.Context, as_json: bool, review: str | None, year: int | None, by_review: bool,
               data_dir: Path | None) -> None:
    """Learning themes across case reviews: which recur, in which reviews, with passages."""
    from assistant.themes import catalogue, filter_mentions, group_themes
    from assistant.themes_export import review_rows
    from index.embedder import LazyEmbedder
    from index.generations import IndexMissing
    from index.reader import IndexReader

    settings = _settings(ctx, data_dir)
    try:
        reader = IndexReader.open(settings.data_dir)
    except IndexMissing as exc:
        raise click.ClickException(str(exc)) from None
    cat = catalogue(reader)
    mentions = filter_mentions(cat, review, year)
    embedder = LazyEmbedder(settings.model_path) if mentions else None
    themes = group_themes(cat, embedder, mentions=mentions)
    reviews = [r for r in cat.reviews if (review is None or r.matches(review)) and (year is None or year in r.years)]
    if review and not reviews:
        click.echo(f"no review matching {review!r}; known: " + ", ".join(r.name for r in cat.reviews), err=True)
    if by_review:
        rows = review_rows(reviews, themes)
        if as_json:
            for row, r in zip(rows, reviews):
                row["passages"] = [h.citation(i + 1) for i, h in enumerate(r.passages)]
            click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        else:
            click.echo(_table(["review", "years", "themes", "led to"],
                              [[r["review"], r["years"], r["themes"], r["led_to"]] for r in rows], [36, 16, 50, 60]))
        return
    if as_json:
        click.echo(json.dumps([t.to_json() for t in themes], indent=2, ensure_ascii=False))
        return
    if not themes:
        click.echo("no learning themes found")
        return
    kinds = {"learning": "learning", "topic": "topic", "outcome": "led to"}
    click.echo(_table(["theme", "kind", "reviews", "named reviews"],
                      [[t.label, kinds.get(t.kind, t.kind), str(len(t.reviews)), "; ".join(t.reviews)] for t in themes],
                      [55, 8, 7, 90]))
    quiet = [r.name for r in reviews if not any(r.name in t.reviews for t in themes)]
    if quiet:
        click.echo("\nreviews named with no stated themes: " + "; ".join(quiet))
