"""The `guidance` command: thin wrappers that parse input, call the library, render."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

import click

from assistant.config import Settings
from ingest.models import LoadError


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]


def _embedder(ctx: click.Context):
    """The embedder passed in by the caller (tests, the app), else the real model, loaded lazily."""
    injected = ctx.obj.get("embedder")
    if injected is not None:
        return injected
    from index.embedder import LazyEmbedder

    ctx.obj["embedder"] = LazyEmbedder(_settings(ctx).model_path)
    return ctx.obj["embedder"]


def _progress() -> Callable[[str, int, int], None] | None:
    """A tqdm bar per stage on a terminal; nothing when output is piped."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def update(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=stage, unit="item", file=sys.stderr, leave=False)
        bar.total = max(total, done)
        bar.n = done
        bar.refresh()

    return update


def _report_failures(failures: list[LoadError]) -> None:
    for f in failures:
        click.echo(f"error: {f.source}: {f.reason}", err=True)


def _after_change(settings: Settings) -> None:
    """Read the new generation's reviews now, so the first review question does not wait."""
    from assistant.themes import prepare

    prepare(settings.data_dir)


def _print_counts(report) -> None:
    counts = report.counts()
    click.echo(", ".join(f"{k} {v}" for k, v in counts.items()) + f" (chunks embedded: {report.embedded})")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Index folder (default: $GUIDANCE_DATA_DIR or ~/.local/share/guidance-assistant).")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None) -> None:
    """Guidance Assistant: find the paragraph you need in safeguarding documents, offline."""
    ctx.ensure_object(dict)
    ctx.obj["settings"] = Settings.load(data_dir)


def data_dir_option(f):
    """Every command also takes --data-dir after its name."""

    def callback(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
        if value is not None:
            ctx.ensure_object(dict)
            ctx.obj["settings"] = Settings.load(value)

    return click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                        expose_value=False, callback=callback, is_eager=True,
                        help="Index folder.")(f)


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--type", "doc_type", default=None, help="Document type to record (e.g. procedure, briefing).")
@click.option("--max-pages", default=200, show_default=True, help="Crawl: most pages to fetch.")
@click.option("--max-depth", default=5, show_default=True, help="Crawl: most link hops from the start URL.")
@click.option("--allow-host", "allow_hosts", multiple=True, help="Crawl: allow this host even on a private or loopback address.")
@click.option("--delay", default=0.2, show_default=True, help="Crawl: seconds between requests.")
@data_dir_option
@click.pass_context
def ingest(ctx, sources, doc_type, max_pages, max_depth, allow_hosts, delay) -> None:
    """Add or update documents from files, folders or http(s) URLs."""
    from index.pipeline import CrawlOptions, ingest_sources

    settings = _settings(ctx)
    report = ingest_sources(settings.data_dir, list(sources), _embedder(ctx), doc_type=doc_type,
                            crawl=CrawlOptions(max_pages, max_depth, tuple(allow_hosts), delay),
                            progress=_progress())
    _after_change(settings)
    _report_failures(report.failed)
    _print_counts(report)
    ctx.exit(1 if report.failed else 0)


@cli.command()
@click.option("--allow-host", "allow_hosts", multiple=True, help="Allow this crawl host even on a private or loopback address.")
@data_dir_option
@click.pass_context
def reindex(ctx, allow_hosts) -> None:
    """Re-read every registered source; re-embed only what changed."""
    from index.pipeline import reindex as run_reindex

    settings = _settings(ctx)
    report = run_reindex(settings.data_dir, _embedder(ctx), allow_hosts=tuple(allow_hosts), progress=_progress())
    _after_change(settings)
    _report_failures(report.failed)
    _print_counts(report)
    ctx.exit(1 if report.failed else 0)


@cli.command()
@click.argument("source")
@data_dir_option
@click.pass_context
def remove(ctx, source) -> None:
    """Remove a document (by source or doc id) or every document of a registered source."""
    from index.pipeline import remove_source

    settings = _settings(ctx)
    try:
        report = remove_source(settings.data_dir, source, _embedder(ctx))
    except LoadError as exc:
        _report_failures([exc])
        ctx.exit(1)
    _after_change(settings)
    click.echo(f"removed {report.removed} document(s)")


def _open_reader(settings: Settings):
    from index.generations import IndexMissing
    from index.reader import IndexReader

    try:
        return IndexReader.open(settings.data_dir)
    except IndexMissing as exc:
        raise click.ClickException(str(exc)) from None


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@data_dir_option
@click.pass_context
def list_cmd(ctx, as_json) -> None:
    """One entry per indexed document."""
    reader = _open_reader(_settings(ctx))
    docs = list(reader.documents.values())
    if as_json:
        click.echo(json.dumps([d.to_json() for d in docs], indent=2, ensure_ascii=False))
        return
    for d in docs:
        click.echo(f"{d.doc_type:<14} {d.chunks:>5} chunks  {d.title}\n{'':<14} {d.source}")
    click.echo(f"{len(docs)} document(s), {len(reader)} chunk(s), generation {reader.generation}")


@cli.command()
@data_dir_option
@click.pass_context
def export(ctx) -> None:
    """Every indexed chunk as JSON Lines (what is searchable, for audit)."""
    from assistant.models import Hit

    reader = _open_reader(_settings(ctx))
    for _, chunk in reader.store.iter_chunks():
        line = Hit(chunk, reader.documents[chunk.doc_id], 0.0).citation()
        line["chunk_id"] = chunk.chunk_id
        click.echo(json.dumps(line, ensure_ascii=False))


def _render(answer) -> str:
    out = [answer.answer, ""]
    label = "Sources" if answer.found else "Closest passages (may not answer the question)"
    out.append(label + ":")
    for c in answer.to_json()["citations"]:
        where = " > ".join(filter(None, [c["section"]])) or "(no section)"
        page = f", page {c['page']}" if c["page"] else ""
        out.append(f"[{c['rank']}] {c['title']} ({c['doc_type']}) — {where}{page}")
        out.append(f"    {c['url'] or c['source']}")
    return "\n".join(out)


@cli.command()
@click.argument("question")
@click.option("--k", default=5, show_default=True, type=click.IntRange(1, 50), help="Most citations.")
@click.option("--type", "doc_types", multiple=True, help="Only documents of this type (repeatable).")
@click.option("--source", "sources", multiple=True, help="Only documents of this source (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@data_dir_option
@click.pass_context
def ask(ctx, question, k, doc_types, sources, as_json) -> None:
    """Answer a question with cited passages; '-' reads JSON Lines from stdin."""
    from assistant.engine import Assistant, QuestionError
    from index.generations import IndexMissing

    settings = _settings(ctx)
    assistant = Assistant(settings.data_dir, _embedder(ctx))
    filters = {"k": k, "doc_types": set(doc_types) or None, "sources": set(sources) or None}
    try:
        if question != "-":
            answer = assistant.ask(question, **filters)
            click.echo(json.dumps(answer.to_json(), ensure_ascii=False, indent=2) if as_json else _render(answer))
            return
        failed = False
        for n, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line) if line.lstrip().startswith("{") else {"question": line.strip()}
                if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                    raise ValueError("expected {\"question\": str, \"history\": [str, ...]}")
                history = item.get("history") or []
                if not isinstance(history, list):
                    raise ValueError("history must be a list of strings")
                answer = assistant.ask(item["question"], history=[str(h) for h in history if h is not None],
                                       **filters)
                out = answer.to_json()
            except (ValueError, QuestionError) as exc:
                failed = True
                click.echo(f"error: stdin line {n}: {exc}", err=True)
                out = {"question": str(line.strip())[:200], "found": False, "answer": "", "citations": [],
                       "error": str(exc)}
            click.echo(json.dumps(out, ensure_ascii=False) if as_json else _render_plain(out))
        ctx.exit(1 if failed else 0)
    except IndexMissing as exc:
        raise click.ClickException(str(exc)) from None
    except QuestionError as exc:
        raise click.UsageError(str(exc)) from None


def _render_plain(out: dict) -> str:
    return out.get("answer") or out.get("error", "")


@cli.command()
@click.option("--port", default=8501, show_default=True)
@click.option("--address", default="127.0.0.1", show_default=True)
@data_dir_option
@click.pass_context
def serve(ctx, port, address) -> None:
    """Start the Streamlit app."""
    settings = _settings(ctx)
    app = Path(__file__).resolve().parent.parent / "streamlit_app.py"
    env = dict(os.environ, GUIDANCE_DATA_DIR=str(settings.data_dir), HF_HUB_OFFLINE="1")
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
           "--server.address", address, "--browser.gatherUsageStats", "false", "--server.headless", "true"]
    ctx.exit(subprocess.call(cmd, env=env, cwd=str(app.parent)))


from assistant.eval_cli import bench_cmd, eval_cmd  # noqa: E402  (commands live in their own modules)
from assistant.themes_cli import themes_cmd  # noqa: E402

cli.add_command(themes_cmd, "themes")
cli.add_command(eval_cmd, "eval")
cli.add_command(bench_cmd, "bench")


def main() -> None:
    cli(obj={})
