"""Administration: add, re-index and remove documents; see failures, feedback and the log.

Off unless a password is configured (GUIDANCE_ADMIN_PASSWORD or st.secrets
"admin_password"); the password is compared in constant time. Every action is written to
the admin log in state.sqlite, and every run's counts and failures to the run log, so the
next administrator can see what happened and why.
"""

from __future__ import annotations

import hmac
import os
from pathlib import Path
from typing import Callable

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from assistant.themes import prepare
from assistant.ui import resources
from assistant.ui.components import index_exists, open_reader
from assistant.ui.text import md_escape, safe_filename, when
from index.embedder import Embedder
from index.pipeline import CrawlOptions, RunReport, ingest_sources, reindex, remove_source
from index.reader import IndexReader
from index.state import StateStore
from ingest.doctype import DOC_TYPES
from ingest.files import SUFFIXES
from ingest.models import LoadError

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
AUTH = "admin_authenticated"
FLASH = "admin_flash"
AUTO_TYPE = "(detect automatically)"


def configured_password() -> str | None:
    """The admin password from the environment, else from Streamlit secrets; None if unset."""
    env = os.environ.get("GUIDANCE_ADMIN_PASSWORD")
    if env:
        return env
    try:
        value = st.secrets.get("admin_password")
    except (StreamlitSecretNotFoundError, FileNotFoundError):
        return None
    return str(value) if value else None


def password_matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _embedder() -> Embedder:
    s = resources.settings()
    return resources.load_embedder(str(s.model_path) if s.model_path else None)


def _uploads_dir(data_dir: Path) -> Path:
    return data_dir / "uploads"


def _flash(kind: str, text: str) -> None:
    """A message that survives the rerun which refreshes the page after an action."""
    st.session_state[FLASH] = (kind, text)


def _show_flash() -> None:
    kind, text = st.session_state.pop(FLASH, (None, None))
    if kind:
        getattr(st, kind)(text)


def _progress_bar() -> Callable[[str, int, int], None]:
    bar = st.progress(0.0, text="Starting…")

    def update(stage: str, done: int, total: int) -> None:
        fraction = min(1.0, done / total) if total else 0.0
        bar.progress(fraction, text=f"{stage.capitalize()}: {done} of {total}")

    return update


def _finish(state: StateStore, kind: str, detail: str, report: RunReport) -> None:
    """Log the run and the action, then tell the administrator what happened."""
    failures = [(f.source, f.reason) for f in report.failed]
    state.record_run(kind, report.counts(), failures)
    counts = report.counts()
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    state.log_admin_action(kind, f"{detail} — {summary}")
    text = f"{kind.capitalize()} finished: {summary}."
    if failures:
        text += " Failures: " + "; ".join(f"{md_escape(s)}: {md_escape(r)}" for s, r in failures)
    _flash("warning" if failures else "success", text)


def _guarded(state: StateStore, data_dir: Path, kind: str, detail: str, run: Callable[[], RunReport]) -> None:
    """Run an index operation, then read the new generation's reviews (so the first review
    question does not wait for it); an unexpected failure is logged and shown, never a traceback."""
    try:
        report = run()
        prepare(data_dir)
    except (LoadError, OSError, RuntimeError, ValueError) as exc:
        state.log_admin_action(f"{kind} failed", f"{detail}: {exc}")
        _flash("error", f"{kind.capitalize()} failed: {md_escape(str(exc))}")
    else:
        _finish(state, kind, detail, report)
    st.rerun()


def _login(expected: str, state: StateStore) -> None:
    st.markdown("Administrators add, re-index and remove documents here.")
    with st.form("admin-login"):
        given = st.text_input("Administrator password", type="password", key="admin_password_input")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        if password_matches(given, expected):
            st.session_state[AUTH] = True
            state.log_admin_action("sign in", "")
            st.rerun()
        else:
            state.log_admin_action("sign in failed", "")
            st.error("That password is not right.")


def _documents_tab(reader: IndexReader | None, data_dir: Path, state: StateStore) -> None:
    if reader is None or not reader.documents:
        st.info("The index holds no documents yet. Add some in the next tab.")
        return
    docs = sorted(reader.documents.values(), key=lambda d: d.title.lower())
    st.subheader(f"Indexed documents ({len(docs)})")
    st.dataframe(
        [{"Title": d.title, "Type": d.doc_type, "Source": d.source, "Passages": d.chunks,
          "Last changed": when(d.updated_at), "First indexed": when(d.indexed_at)} for d in docs],
        hide_index=True, width="stretch",
        column_config={"Title": st.column_config.TextColumn(width="large"),
                       "Source": st.column_config.TextColumn(width="medium")})
    st.subheader("Remove a document")
    labels = {d.doc_id: f"{d.title} — {d.source}" for d in docs}
    doc_id = st.selectbox("Document to remove", list(labels), format_func=labels.__getitem__,
                          key="remove_choice")
    st.caption("A document that came from a folder or website comes back on the next re-index "
               "if it is still there; remove it at its source too.")
    if st.button("Remove this document", type="primary", key="remove_button"):
        doc = reader.documents[doc_id]

        def run() -> RunReport:
            report = remove_source(data_dir, doc.source, _embedder())
            path = Path(doc.source)
            if path.is_absolute() and path.resolve().parent == _uploads_dir(data_dir).resolve() and path.is_file():
                path.unlink()  # a withdrawn upload must not linger in the data folder
            return report

        _guarded(state, data_dir, "remove", f"{doc.title} ({doc.source})", run)


def _type_choice(key: str) -> str | None:
    choice = st.selectbox("Document type", (AUTO_TYPE, *DOC_TYPES), key=key)
    return None if choice == AUTO_TYPE else choice


def _add_url(data_dir: Path, state: StateStore) -> None:
    st.subheader("Add a website or page")
    with st.form("add-url"):
        url = st.text_input("Address (http or https)", placeholder="https://www.example.gov.uk/procedures/")
        c1, c2 = st.columns(2)
        max_pages = c1.number_input("Most pages to read", 1, 2000, 200)
        max_depth = c2.number_input("Most links deep", 0, 20, 5)
        doc_type = _type_choice("url_type")
        submitted = st.form_submit_button("Crawl and add")
    if not submitted:
        return
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        st.error("Enter an address starting with http:// or https://.")
        return
    options = CrawlOptions(max_pages=int(max_pages), max_depth=int(max_depth))
    _guarded(state, data_dir, "add url", url, lambda: ingest_sources(
        data_dir, [url], _embedder(), doc_type=doc_type, crawl=options, progress=_progress_bar()))


def save_upload(data_dir: Path, name: str, data: bytes) -> Path:
    """Write an upload under <data_dir>/uploads/ with a sanitised name; never outside it."""
    folder = _uploads_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = (folder / safe_filename(name)).resolve()
    if target.parent != folder.resolve():
        raise LoadError(name, "unsafe file name")
    if target.suffix.lower() not in SUFFIXES:
        raise LoadError(name, "unsupported file type (use PDF, HTML, Markdown or text)")
    if len(data) > MAX_UPLOAD_BYTES:
        raise LoadError(name, f"larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    tmp = target.with_name(f".{target.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return target


def _add_upload(data_dir: Path, state: StateStore) -> None:
    st.subheader("Upload files")
    with st.form("add-upload", clear_on_submit=True):
        files = st.file_uploader("PDF, HTML, Markdown or text files (up to 25 MB each)",
                                 type=sorted(s.lstrip(".") for s in SUFFIXES), accept_multiple_files=True)
        doc_type = _type_choice("upload_type")
        submitted = st.form_submit_button("Upload and add")
    if not submitted or not files:
        return
    saved: list[str] = []
    refused: list[LoadError] = []
    for f in files:
        try:
            saved.append(str(save_upload(data_dir, f.name, f.getvalue())))
        except LoadError as exc:
            refused.append(exc)
    def run() -> RunReport:
        report = ingest_sources(data_dir, saved, _embedder(), doc_type=doc_type,
                                progress=_progress_bar()) if saved else RunReport()
        report.failed[:0] = refused
        return report

    _guarded(state, data_dir, "upload", ", ".join(Path(p).name for p in saved) or "(nothing saved)", run)


def _reindex_tab(data_dir: Path, state: StateStore) -> None:
    st.markdown("Re-reads every registered file, folder and website: changed documents are "
                "updated, new pages added, and documents gone from their source removed. "
                "Unchanged passages are not embedded again.")
    if st.button("Re-index now", type="primary", key="reindex_button"):
        _guarded(state, data_dir, "reindex", "all registered sources",
                  lambda: reindex(data_dir, _embedder(), progress=_progress_bar()))


def _last_run_tab(state: StateStore) -> None:
    run = state.last_run()
    if run is None:
        st.info("No run has been recorded yet.")
        return
    st.markdown(f"**{run.kind.capitalize()}** finished {when(run.finished_at)}")
    cols = st.columns(len(run.counts) or 1)
    for col, (k, v) in zip(cols, run.counts.items()):
        col.metric(k.capitalize(), v)
    if run.failures:
        st.markdown("**What failed and why**")
        st.dataframe([{"Input": f["source"], "Reason": f["reason"]} for f in run.failures],
                     hide_index=True, width="stretch")
    else:
        st.success("Nothing failed in this run.")


def _feedback_tab(state: StateStore) -> None:
    items = state.list_feedback()
    if not items:
        st.info("No feedback yet. Practitioners rate answers with the thumbs up / down buttons on the Ask page.")
        return
    up = sum(1 for f in items if f.score > 0)
    plural = "s" if len(items) != 1 else ""
    st.caption(f"{len(items)} rating{plural}: {up} helpful, {len(items) - up} not helpful (newest first).")
    for f in items:
        mark = ":material/thumb_up:" if f.score > 0 else ":material/thumb_down:"
        with st.expander(f"{mark} {md_escape(f.question)}  ·  {when(f.created_at)}"):
            st.markdown(md_escape(str(f.answer.get("answer", ""))))
            for c in f.citations:
                st.caption(md_escape(f"[{c.get('rank')}] {c.get('title')} — {c.get('section') or ''}"))
            if f.comment:
                st.markdown(f"Comment: {md_escape(f.comment)}")


def _log_tab(state: StateStore) -> None:
    actions = state.list_admin_actions()
    if not actions:
        st.info("No administrator action yet.")
        return
    st.dataframe([{"When": when(a.at), "Action": a.action, "Detail": a.detail} for a in actions],
                 hide_index=True, width="stretch")


def page() -> None:
    st.set_page_config(layout="wide")  # tables of documents and runs need the width
    st.title("Administration")
    expected = configured_password()
    if not expected:
        st.info(
            "Administration is switched off because no administrator password is configured.\n\n"
            "To switch it on, set the environment variable `GUIDANCE_ADMIN_PASSWORD` before "
            "starting the app, or add `admin_password = \"…\"` to `.streamlit/secrets.toml`, "
            "then restart the app.", icon=":material/lock:")
        return
    settings = resources.settings()
    state = StateStore(settings.data_dir)
    if not st.session_state.get(AUTH):
        _login(expected, state)
        return
    data_dir = settings.data_dir
    if st.sidebar.button("Sign out of administration", key="admin_sign_out"):
        st.session_state[AUTH] = False
        state.log_admin_action("sign out", "")
        st.rerun()
    _show_flash()
    reader = open_reader(resources.current()[1]) if index_exists(data_dir) else None
    tabs = st.tabs(["Documents", "Add documents", "Re-index", "Last run", "Feedback", "Activity log"])
    with tabs[0]:
        _documents_tab(reader, data_dir, state)
    with tabs[1]:
        _add_url(data_dir, state)
        _add_upload(data_dir, state)
    with tabs[2]:
        _reindex_tab(data_dir, state)
    with tabs[3]:
        _last_run_tab(state)
    with tabs[4]:
        _feedback_tab(state)
    with tabs[5]:
        _log_tab(state)
