"""What's new: documents added or changed recently, newest first."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import streamlit as st

from assistant.ui.components import current_index, index_status, sidebar_status
from assistant.ui.text import md_escape, when
from index.reader import IndexReader
from index.store import DocumentRecord

PERIODS = {"Last 30 days": 30, "Last 90 days": 90, "Last year": 365, "Everything": None}


def recent_documents(reader: IndexReader, days: int | None, now: datetime | None = None) -> list[DocumentRecord]:
    """Documents whose content changed within `days` (all when None), newest change first."""
    docs = sorted(reader.documents.values(), key=lambda d: d.updated_at or "", reverse=True)
    if days is None:
        return docs
    cutoff = ((now or datetime.now(timezone.utc)) - timedelta(days=days)).isoformat()
    return [d for d in docs if (d.updated_at or "") >= cutoff]


def page() -> None:
    st.title("What's new")
    loaded = current_index()
    if loaded is None:
        return
    _, reader = loaded
    sidebar_status(index_status(reader))
    st.markdown("Documents added to the index or changed since they were first indexed, newest first.")
    period = st.radio("Show", list(PERIODS), index=1, horizontal=True, key="whatsnew_period")
    docs = recent_documents(reader, PERIODS[period])
    if not docs:
        st.info("No document was added or changed in this period. Choose a longer period above.")
        return
    for d in docs:
        with st.container(border=True):
            st.markdown(f"#### {md_escape(d.title)}")
            status = "New" if d.updated_at == d.indexed_at else "Updated"
            facts = [f"{status} {when(d.updated_at)}", d.doc_type.replace("-", " ")]
            if d.date:
                facts.append(f"dated {d.date}")
            if d.publisher:
                facts.append(d.publisher)
            facts.append(f"{d.chunks} passages")
            st.caption(md_escape(" · ".join(facts)))
            if d.url:
                st.link_button("Open the document", d.url, icon=":material/open_in_new:")
            else:
                st.caption(f"Source file: {md_escape(d.source)}")
