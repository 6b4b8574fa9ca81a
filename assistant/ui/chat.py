"""The Ask page: a chat over the indexed documents, with cited, highlighted sources."""

from __future__ import annotations

from typing import Any

import streamlit as st

from assistant.engine import Assistant, QuestionError
from assistant.ui import resources
from assistant.ui.components import current_index, index_status, inject_style, render_answer, sidebar_status
from assistant.ui.text import conversation_markdown
from index.reader import IndexReader

EXAMPLES = (
    "What should I do if a parent tells me something I can't check?",
    "Dads keep getting overlooked — what did the Child M review say?",
    "How many missing episodes were there in Stockton?",
    "What is the CSAFE deep dive and who is taking it forward?",
)
MESSAGES = "messages"
PENDING = "pending_question"
CONVERSATION = "conversation_id"


def _messages() -> list[dict[str, Any]]:
    return st.session_state.setdefault(MESSAGES, [])


def _ask_example(question: str) -> None:
    st.session_state[PENDING] = question


def _new_conversation() -> None:
    st.session_state[MESSAGES] = []
    st.session_state[CONVERSATION] = st.session_state.get(CONVERSATION, 0) + 1


def _save_feedback(index: int, key: str) -> None:
    """Store a thumbs up/down with the question, the answer and its citations."""
    value = st.session_state.get(key)
    msg = _messages()[index]
    if value is None or msg.get("rated") == value:
        return
    data = msg["answer"]
    resources.state_store().record_feedback(
        str(data["question"]), {k: v for k, v in data.items() if k != "citations"},
        data.get("citations") or [], 1 if value == 1 else -1)
    msg["rated"] = value


def _filters(reader: IndexReader) -> tuple[set[str] | None, set[str] | None]:
    """Document type and source pickers in the sidebar, from the documents in the index."""
    docs = list(reader.documents.values())
    st.sidebar.subheader("Search only in")
    types = sorted({d.doc_type for d in docs})
    chosen_types = st.sidebar.multiselect(
        "Document type", types, key="filter_types", placeholder="All types",
        format_func=lambda t: t.replace("-", " "))
    titles = {d.source: d.title for d in sorted(docs, key=lambda d: d.title.lower())}
    for d in docs:  # a crawled website can be chosen as a whole
        reg = d.registered_source
        if reg and reg.startswith(("http://", "https://")) and reg not in titles:
            titles[reg] = f"Website: {reg}"
    chosen_sources = st.sidebar.multiselect(
        "Source", list(titles), key="filter_sources", placeholder="All sources",
        format_func=lambda s: titles.get(s, s))
    return (set(chosen_types) or None), (set(chosen_sources) or None)


def _render_history(messages: list[dict[str, Any]]) -> None:
    conv = st.session_state.get(CONVERSATION, 0)
    for i, msg in enumerate(messages):
        with st.chat_message(msg["role"]):
            if msg["role"] == "user":
                st.text(msg["content"])
                continue
            render_answer(msg["answer"], msg.get("highlights", ()))
            key = f"feedback-{conv}-{i}"
            st.feedback("thumbs", key=key, on_change=_save_feedback, args=(i, key))
            if msg.get("rated") is not None:
                st.caption("Thank you — your feedback was saved for the administrators.")


def _answer(assistant: Assistant, question: str, types: set[str] | None,
            sources: set[str] | None) -> dict[str, Any] | None:
    history = [m["content"] for m in _messages() if m["role"] == "user"]
    try:
        answer = assistant.ask(question, history=history, doc_types=types, sources=sources)
    except QuestionError as exc:
        st.error(f"That question cannot be asked: {exc}.")
        return None
    return {"role": "assistant", "answer": answer.to_json(),
            "highlights": [list(h) for h in answer.highlights]}


def _welcome() -> None:
    st.markdown(
        "Ask a question in everyday words. Answers are sentences copied from the indexed "
        "safeguarding documents, each with its source, so you can check the original.")
    st.markdown("**Try one of these:**")
    cols = st.columns(2)
    for i, q in enumerate(EXAMPLES):
        cols[i % 2].button(q, key=f"example-{i}", on_click=_ask_example, args=(q,),
                           width="stretch")


def page() -> None:
    st.title("Ask the guidance")
    loaded = current_index()
    if loaded is None:
        return
    assistant, reader = loaded
    inject_style()
    types, sources = _filters(reader)
    sidebar_status(index_status(reader))

    messages = _messages()
    if messages:
        c1, c2 = st.columns([1, 1])
        c1.button("New conversation", on_click=_new_conversation, icon=":material/add_comment:")
        c2.download_button("Download (Markdown)", conversation_markdown(messages),
                           file_name="guidance-conversation.md", mime="text/markdown", icon=":material/download:")
    else:
        _welcome()
    _render_history(messages)

    typed = st.chat_input("Ask about safeguarding procedures, reviews, briefings…")
    question = typed or st.session_state.pop(PENDING, None)
    if not question:
        return
    with st.chat_message("user"):
        st.text(question)
    with st.chat_message("assistant"):
        with st.spinner("Searching the documents…"):
            reply = _answer(assistant, question, types, sources)
    if reply is None:
        return
    messages.append({"role": "user", "content": question})
    messages.append(reply)
    st.rerun()
