"""Streamlit building blocks shared by the pages: source cards, answers, index status."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import streamlit as st

from assistant.ui.text import answer_markdown, citation_meta, highlight_html, md_escape, when
from index import generations as gens
from assistant.engine import Assistant
from index.reader import IndexUnusable, IndexReader

PASSAGE_STYLE = (
    "<style>"
    ".ga-passage{font-size:0.95rem;line-height:1.55;color:#1a1a1a;background:#f7f9fb;"
    "border-left:4px solid #1f5f8b;padding:0.6rem 0.8rem;border-radius:4px;"
    "overflow-wrap:anywhere}"
    ".ga-passage mark{background:#ffe680;color:#000;padding:0 2px;border-radius:2px}"
    "</style>"
)


@dataclass(frozen=True)
class IndexStatus:
    """What the sidebar says about the index in use."""

    documents: int
    chunks: int
    last_updated: str | None
    generation: str


def index_exists(data_dir: Path) -> bool:
    """True once a generation has been published (no model is loaded to find out)."""
    try:
        gens.current_path(Path(data_dir))
    except gens.IndexMissing:
        return False
    return True


def index_status(reader: IndexReader) -> IndexStatus:
    stamps = [max(d.indexed_at or "", d.updated_at or "") for d in reader.documents.values()]
    stamps = [s for s in stamps if s]
    return IndexStatus(len(reader.documents), len(reader), max(stamps) if stamps else None, reader.generation)


def no_index_message(data_dir: Path) -> None:
    """Say plainly how to build an index; shown instead of a page that needs one."""
    st.info(
        f"No index has been built in the data folder `{data_dir}` yet.\n\n"
        "To build one from the shipped documents, run `make run` in the project folder "
        "(it indexes `corpus/` and starts this app), or run "
        f"`guidance ingest corpus/ --data-dir {data_dir}` and reload this page. "
        "An administrator can also add documents on the **Administration** page.",
        icon=":material/info:",
    )


def current_index() -> tuple[Assistant, IndexReader] | None:
    """The app's assistant and its current index; None after telling the user why there is none."""
    from assistant.ui import resources

    settings = resources.settings()
    if not index_exists(settings.data_dir):
        no_index_message(settings.data_dir)
        return None
    _, assistant = resources.current()
    reader = open_reader(assistant)
    return None if reader is None else (assistant, reader)


def open_reader(assistant: Assistant) -> IndexReader | None:
    """The current index, or None after saying why it cannot be used (e.g. wrong schema)."""
    try:
        return assistant.reader
    except (IndexUnusable, OSError) as exc:
        st.error(f"The index cannot be used: {exc}")
        return None


def sidebar_status(status: IndexStatus) -> None:
    st.sidebar.subheader("Index status")
    c1, c2 = st.sidebar.columns(2)
    c1.metric("Documents", status.documents)
    c2.metric("Passages", status.chunks)
    st.sidebar.caption(f"Last updated {when(status.last_updated)} · index {status.generation}")


def inject_style() -> None:
    st.markdown(PASSAGE_STYLE, unsafe_allow_html=True)


def source_card(cite: Mapping[str, object], highlights: Sequence[str]) -> None:
    """One cited passage: title, facts, the passage with its answering sentences marked, a link."""
    with st.container(border=True):
        st.markdown(f"**[{cite['rank']}] {md_escape(str(cite['title']))}**")
        st.caption(md_escape(" · ".join(citation_meta(cite))))
        st.markdown(f'<div class="ga-passage">{highlight_html(str(cite["text"]), highlights)}</div>',
                    unsafe_allow_html=True)
        url = cite.get("url")
        if url:
            st.link_button("Open the passage", str(url), help=str(url), icon=":material/open_in_new:")
        else:
            st.caption(f"Source file: {md_escape(str(cite.get('source') or ''))}")


def cited_ranks(answer: str) -> set[int]:
    """The citation markers ([1], [2]…) the answer text actually uses."""
    return {int(n) for n in re.findall(r"\[(\d+)\]", answer)}


def render_answer(data: Mapping[str, object], highlights: Sequence[Sequence[str]]) -> None:
    """The answer then its source cards; an uncovered question looks clearly different.

    Passages the answer cites come first, open; the other retrieved passages follow in a
    closed expander, so the answer and its evidence fit on a screen.
    """
    cites = list(data.get("citations") or [])
    marks = [highlights[i] if i < len(highlights) else () for i in range(len(cites))]
    if not data.get("found"):
        st.warning("**Not covered by the indexed documents.** " + md_escape(str(data["answer"])),
                   icon=":material/search_off:")
        if cites:
            st.markdown("**Closest passages** — they may not answer the question:")
            with st.expander(f"Show the {len(cites)} closest passages", expanded=False):
                for c in cites:
                    source_card(c, ())
        return
    st.markdown(answer_markdown(str(data["answer"])))
    used = cited_ranks(str(data["answer"]))
    cited = [(c, m) for c, m in zip(cites, marks) if c["rank"] in used]
    others = [(c, m) for c, m in zip(cites, marks) if c["rank"] not in used]
    if cited:
        st.markdown(f"**Sources ({len(cited)})**")
        for c, m in cited:
            source_card(c, m)
    if others:
        with st.expander(f"More passages that may help ({len(others)})", expanded=False):
            for c, m in others:
                source_card(c, m)
