"""The "Learning themes" page: themes by reviews, their passages, and a training-pack export.

Only renders: the library (assistant.themes) finds and groups themes. Results are cached
per data folder and index generation, so a re-index shows new reviews without a restart.
Document text is shown escaped (never as HTML).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from assistant.config import Settings


def _embedder(model_path: str | None):
    """The app's one model instance (shared with the chat), not a second copy."""
    from assistant.ui.resources import load_embedder

    return load_embedder(model_path)


@st.cache_resource(show_spinner="Reading reviews…", max_entries=4)
def _themes(data_dir: str, generation: str, model_path: str | None):
    """(catalogue, grouped themes) of one generation; `generation` is the cache key."""
    from assistant.themes import catalogue, group_themes
    from index.reader import IndexReader

    reader = IndexReader.open(Path(data_dir))
    try:
        cat = catalogue(reader)
        return cat, group_themes(cat, _embedder(model_path) if cat.mentions else None)
    finally:
        reader.close()


def _generation(data_dir: Path) -> str | None:
    from index.generations import IndexMissing, current_name

    try:
        return current_name(data_dir)
    except (IndexMissing, OSError):
        return None


def render() -> None:
    """Draw the page (the lead registers it in st.navigation)."""
    from assistant.themes_export import (escape_md, passage_rows, review_matrix, review_rows, theme_rows,
                                         to_csv, to_markdown)

    st.title("Learning themes")
    st.caption("Themes from case reviews (LCSPRs, SCRs, rapid reviews, seven-minute briefings, deep dives), "
               "grouped across reviews, with the passages to quote.")
    settings = Settings.load()
    generation = _generation(settings.data_dir)
    if not generation:
        st.info("No index yet. An administrator can add documents on the admin page or with `guidance ingest`.")
        return
    cat, themes = _themes(str(settings.data_dir), generation, str(settings.model_path) if settings.model_path else None)
    if not cat.reviews:
        st.info("No case-review material was found in the indexed documents.")
        return

    review_names = [r.name for r in cat.reviews]
    years = sorted({y for r in cat.reviews for y in r.years}, reverse=True)
    c1, c2, c3 = st.columns([3, 1, 2])
    chosen = c1.multiselect("Reviews", review_names, placeholder="All reviews")
    year = c2.selectbox("Year", ["All"] + [str(y) for y in years])
    kinds = c3.multiselect("Show", ["learning", "topic", "outcome"], default=["learning", "topic", "outcome"],
                           format_func=lambda k: {"outcome": "what reviews led to"}.get(k, k))
    allowed = {r.name for r in cat.reviews
               if (not chosen or r.name in chosen) and (year == "All" or int(year) in r.years)}
    shown = [t for t in themes if t.kind in kinds and set(t.reviews) & allowed]

    st.subheader(f"{len(shown)} themes across {len(allowed)} reviews")
    if not shown:
        st.info("No themes match these filters.")
        return
    st.dataframe(
        [{"Theme": r["theme"], "Kind": r["kind"], "Reviews": r["reviews"], "Named reviews": r["review_names"]}
         for r in theme_rows(shown)],
        hide_index=True, use_container_width=True,
    )
    with st.expander("Themes by reviews"):
        names, matrix = review_matrix(shown)
        st.dataframe([{"Theme": t.label, **{n: ("✓" if v else "") for n, v in zip(names, row)}}
                      for t, row in zip(shown, matrix)], hide_index=True, use_container_width=True)
    with st.expander("Reviews found"):
        st.dataframe(review_rows([r for r in cat.reviews if r.name in allowed], shown),
                     hide_index=True, use_container_width=True)

    d1, d2, d3 = st.columns(3)
    d1.download_button("Themes table (CSV)", to_csv(theme_rows(shown)), "learning-themes.csv", "text/csv")
    d2.download_button("Passages (CSV)", to_csv(passage_rows(shown)), "learning-theme-passages.csv", "text/csv")
    d3.download_button("Training pack (Markdown)", to_markdown(shown), "learning-themes.md", "text/markdown")

    st.subheader("Passages")
    pick = st.selectbox("Theme", range(len(shown)), format_func=lambda i: f"{shown[i].label} ({len(shown[i].reviews)})")
    theme = shown[pick]
    st.markdown(f"**Reviews:** {escape_md('; '.join(theme.reviews))}")
    if len(theme.titles) > 1:
        st.markdown("**Also stated as:** " + escape_md("; ".join(theme.titles)))
    for i, hit in enumerate(theme.passages, start=1):
        c = hit.citation(i)
        where = " > ".join(p for p in (str(c["title"]), str(c["section"])) if p)
        page = f" (page {c['page']})" if c["page"] else ""
        with st.container(border=True):
            st.markdown(f"**[{i}]** {escape_md(where)}{page}")
            st.markdown(escape_md(str(c["text"])))
            if c["url"]:
                st.caption(escape_md(str(c["url"])))
            else:
                st.caption(escape_md(str(c["source"])))


page = render  # the app's PageSpec convention calls `page()`
