"""The Streamlit app, driven in-process by AppTest against a real index of corpus/.

The index is built once per module with the real model, loaded through the app's own
`st.cache_resource` loader, so every AppTest run reuses that same model instance.
Tests that change the index or the state database work on a copy of it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.ui import resources
from assistant.ui.admin import save_upload
from assistant.ui.text import answer_markdown, conversation_markdown, highlight_html, md_escape, safe_filename
from index.pipeline import ingest_sources
from index.reader import IndexReader
from index.state import StateStore
from ingest.models import LoadError

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")
ADMIN_PAGE = "assistant/ui/entry/admin.py"
WHATS_NEW_PAGE = "assistant/ui/entry/whats_new.py"
STOCKTON = "How many missing episodes were there in Stockton?"


@pytest.fixture(scope="module")
def built_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """corpus/ indexed once with the real model (the app's cached instance)."""
    data = tmp_path_factory.mktemp("app-index") / "data"
    report = ingest_sources(data, [str(ROOT / "corpus")], resources.load_embedder(None))
    assert report.added == 2 and not report.failed
    return data


@pytest.fixture
def index_dir(built_index: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shared read-only index, as the app's data folder."""
    monkeypatch.setenv("GUIDANCE_DATA_DIR", str(built_index))
    monkeypatch.delenv("GUIDANCE_MODEL_PATH", raising=False)
    monkeypatch.delenv("GUIDANCE_ADMIN_PASSWORD", raising=False)
    return built_index


@pytest.fixture
def own_index(built_index: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the index (for tests that remove documents or store feedback)."""
    shutil.copytree(built_index, data_dir)
    monkeypatch.setenv("GUIDANCE_DATA_DIR", str(data_dir))
    monkeypatch.delenv("GUIDANCE_MODEL_PATH", raising=False)
    monkeypatch.delenv("GUIDANCE_ADMIN_PASSWORD", raising=False)
    return data_dir


def start() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    return at


def last_answer(at: AppTest) -> dict:
    messages = at.session_state["messages"]
    assert messages[-1]["role"] == "assistant"
    return messages[-1]["answer"]


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


# -- Ask -------------------------------------------------------------------------------

def test_first_visit_shows_examples_and_index_status(index_dir: Path) -> None:
    at = start()
    assert at.title[0].value == "Ask the guidance"
    labels = [b.label for b in at.button]
    assert "How many missing episodes were there in Stockton?" in labels
    assert len([lab for lab in labels if lab.endswith("?")]) == 4
    metrics = {m.label: m.value for m in at.sidebar.metric}
    assert metrics["Documents"] == "2"
    assert int(metrics["Passages"]) > 10
    assert any("gen-" in c.value for c in at.sidebar.caption)


def test_question_answered_with_citations_and_highlight(index_dir: Path) -> None:
    at = ask(start(), STOCKTON)
    answer = last_answer(at)
    assert answer["found"] is True
    assert "438" in answer["answer"]
    assert answer["citations"][0]["doc_type"] == "annual-report"
    text = markdown_text(at)
    assert "**[1]**" in text  # the citation marker, shown in the answer
    assert "Sources (" in text
    assert "<mark>438 missing episodes by 73 Stockton looked after young people</mark>" in text
    captions = "\n".join(c.value for c in at.caption)
    assert "annual report" in captions and "Dated 2021" in captions
    assert "Source file:" in captions  # local file: the path, not a link
    assert not at.warning
    assert len(at.feedback) == 1


def test_uncovered_question_is_shown_differently(index_dir: Path) -> None:
    at = ask(start(), "What is the recipe for lasagne with bechamel?")
    assert last_answer(at)["found"] is False
    assert len(at.warning) == 1
    assert "Not covered by the indexed documents" in at.warning[0].value
    assert "Closest passages" in markdown_text(at)
    assert "Sources (" not in markdown_text(at)


def test_follow_up_uses_the_conversation(index_dir: Path) -> None:
    at = ask(start(), STOCKTON)
    at = ask(at, "and in Hartlepool?")
    answer = last_answer(at)
    assert answer["found"] is True
    assert "missing" in (answer["resolved_question"] or "").lower()
    assert "150 missing episodes" in answer["answer"]
    assert len(at.chat_message) == 4


def test_example_button_asks_it(index_dir: Path) -> None:
    at = start()
    next(b for b in at.button if b.label == STOCKTON).click().run()
    assert not at.exception
    assert at.session_state["messages"][0]["content"] == STOCKTON
    assert "438" in last_answer(at)["answer"]


def test_type_filter_limits_the_sources(index_dir: Path) -> None:
    at = start()
    at.multiselect(key="filter_types").select("newsletter").run()
    answer = last_answer(ask(at, STOCKTON))
    assert answer["citations"]
    assert {c["doc_type"] for c in answer["citations"]} == {"newsletter"}


def test_source_filter_limits_the_sources(index_dir: Path) -> None:
    at = start()
    newsletter = next(d.source for d in IndexReader.open(index_dir).documents.values() if d.doc_type == "newsletter")
    at.multiselect(key="filter_sources").select(newsletter).run()
    answer = last_answer(ask(at, "What did the multi-agency audit find?"))
    assert {c["source"] for c in answer["citations"]} == {newsletter}


def test_new_conversation_and_download(index_dir: Path) -> None:
    at = ask(start(), STOCKTON)
    assert any(b.label == "New conversation" for b in at.button)
    assert "Download (Markdown)" in str(at.get("download_button"))
    next(b for b in at.button if b.label == "New conversation").click().run()
    assert at.session_state["messages"] == []
    assert any(b.label == STOCKTON for b in at.button)  # the welcome is back


def test_feedback_is_stored_with_the_answer(own_index: Path) -> None:
    at = ask(start(), STOCKTON)
    at.feedback[0].set_value(0).run()
    assert not at.exception
    stored = StateStore(own_index).list_feedback()
    assert len(stored) == 1
    assert stored[0].score == -1
    assert stored[0].question == STOCKTON
    assert "438" in stored[0].answer["answer"]
    assert stored[0].citations[0]["rank"] == 1


def test_page_without_index_says_how_to_build_one(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIDANCE_DATA_DIR", str(data_dir))
    at = start()
    assert "make run" in at.info[0].value
    assert not at.chat_input


# -- What's new ----------------------------------------------------------------------

def test_whats_new_lists_documents_newest_first(index_dir: Path) -> None:
    at = start()
    at.switch_page(WHATS_NEW_PAGE).run()
    at.radio(key="whatsnew_period").set_value("Everything").run()
    assert not at.exception
    headings = [m.value for m in at.markdown if m.value.startswith("#### ")]
    assert len(headings) == 2
    captions = "\n".join(c.value for c in at.caption)
    assert "newsletter" in captions and "annual report" in captions


# -- Administration ------------------------------------------------------------------

def test_admin_is_off_without_a_password(index_dir: Path) -> None:
    at = start()
    at.switch_page(ADMIN_PAGE).run()
    assert "GUIDANCE_ADMIN_PASSWORD" in at.info[0].value
    assert not at.text_input and not at.tabs


def test_admin_refuses_a_wrong_password(own_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIDANCE_ADMIN_PASSWORD", "correct horse")
    at = start()
    at.switch_page(ADMIN_PAGE).run()
    at.text_input(key="admin_password_input").input("wrong")
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert "not right" in at.error[0].value
    assert not at.tabs
    assert StateStore(own_index).list_admin_actions()[0].action == "sign in failed"


def test_admin_lists_and_removes_a_document(own_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIDANCE_ADMIN_PASSWORD", "correct horse")
    at = start()
    at.switch_page(ADMIN_PAGE).run()
    at.text_input(key="admin_password_input").input("correct horse")
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert not at.exception
    titles = list(at.dataframe[0].value["Title"])
    assert len(titles) == 2 and "HSSCP Newsletter Quarter 3 2025-26" in titles

    reader = IndexReader.open(own_index)
    newsletter = next(d for d in reader.documents.values() if d.doc_type == "newsletter")
    at.selectbox(key="remove_choice").set_value(newsletter.doc_id)
    at.button(key="remove_button").click().run()
    assert not at.exception
    remaining = IndexReader.open(own_index).documents
    assert newsletter.doc_id not in remaining and len(remaining) == 1
    assert "Remove finished" in at.success[0].value
    assert list(at.dataframe[0].value["Title"]) == [d.title for d in remaining.values()]
    state = StateStore(own_index)
    assert state.last_run().kind == "remove" and state.last_run().counts["removed"] == 1
    assert [a.action for a in state.list_admin_actions()][:2] == ["remove", "sign in"]


# -- Helpers the pages rely on -------------------------------------------------------

def test_document_text_is_escaped_before_highlighting() -> None:
    html = highlight_html('Call <script>x()</script> now.\nThen "act" & record.', ['Then "act" & record.'])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>Then &quot;act&quot; &amp; record.</mark>" in html
    assert "\n" not in html and "<br>" in html


def test_answer_markdown_neutralises_links_and_keeps_markers() -> None:
    md = answer_markdown("- See ![x](http://evil/p.png) [1]\nPlain <b>text</b> [2]")
    assert "![x](" not in md and "<b>" not in md
    assert "**[1]**" in md and "**[2]**" in md
    assert md.startswith("- ")
    assert md_escape("a_b*c") == "a\\_b\\*c"


def test_a_remark_the_document_quotes_is_shown_as_a_quote_each_on_its_own() -> None:
    md = answer_markdown("What attendees said: [1]\n> It was <b>inclusive</b>. [1]\n> It made me *think*! [1]")
    blocks = [b.strip() for b in md.split("\n\n") if b.strip()]
    assert blocks == ["What attendees said: **[1]**", "> It was \\<b\\>inclusive\\</b\\>. **[1]**",
                      "> It made me \\*think\\*\\! **[1]**"]


def test_a_web_address_in_an_answer_reads_cleanly_and_is_not_a_live_link() -> None:
    md = answer_markdown("Procedures are published on: [1] <https://www.teescpp.org.uk/> [1]\n"
                         "- See www.tees-cpp.gov.uk. [2]")
    assert "`https://www.teescpp.org.uk/` **[1]**" in md  # not "<https://...org.uk/\\>"
    assert md.rstrip().endswith("`www.tees-cpp.gov.uk`. **[2]**")  # the full stop is not part of it
    assert "](" not in md


def test_conversation_markdown_lists_citations() -> None:
    msgs = [{"role": "user", "content": "q?"},
            {"role": "assistant", "answer": {"found": True, "answer": "A [1]", "citations": [
                {"rank": 1, "title": "T", "doc_type": "procedure", "section": "S", "page": 3,
                 "url": "http://x/doc.pdf#page=3", "source": "http://x/doc.pdf"}]}}]
    md = conversation_markdown(msgs)
    assert "## Q: q?" in md and "A [1]" in md
    assert "1. T (procedure, Section: S, Page 3) <http://x/doc.pdf#page=3>" in md


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd.md", "passwd.md"), ("..\\..\\win.pdf", "win.pdf"), ("..", "upload"),
    (".hidden.txt", "hidden.txt"), ("a b;rm -rf.html", "a b_rm -rf.html"),
])
def test_upload_names_are_sanitised(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_save_upload_stays_in_uploads_and_checks_type_and_size(tmp_path: Path) -> None:
    saved = save_upload(tmp_path, "../../evil.md", b"# Title\n\nText.")
    assert saved == (tmp_path / "uploads" / "evil.md").resolve()
    assert saved.read_bytes().startswith(b"# Title")
    with pytest.raises(LoadError, match="unsupported"):
        save_upload(tmp_path, "run.sh", b"echo")
    with pytest.raises(LoadError, match="25 MB"):
        save_upload(tmp_path, "big.txt", b"x" * (25 * 1024 * 1024 + 1))


def test_state_store_round_trips(tmp_path: Path) -> None:
    state = StateStore(tmp_path)
    state.record_feedback("q", {"answer": "a"}, [{"rank": 1}], 1, "useful")
    state.record_run("reindex", {"added": 1, "failed": 1}, [("bad.pdf", "encrypted PDF")])
    state.log_admin_action("reindex", "all")
    assert state.list_feedback()[0].comment == "useful"
    run = state.last_run()
    assert run.counts == {"added": 1, "failed": 1}
    assert run.failures == [{"source": "bad.pdf", "reason": "encrypted PDF"}]
    assert state.list_admin_actions()[0].detail == "all"
    with pytest.raises(ValueError):
        state.record_feedback("q", {}, [], 5)


def test_source_card_links_web_passages_and_names_local_files() -> None:
    def script() -> None:
        from assistant.ui.components import source_card

        base = {"rank": 1, "title": "Neglect <b>procedure</b>", "doc_type": "procedure", "section": "Escalation",
                "page": 4, "date": "2025-01-02", "text": "Speak to your lead.\nRecord it."}
        source_card({**base, "url": "https://example.org/neglect.pdf#page=4", "source": "https://example.org/neglect.pdf"},
                    ["Record it."])
        source_card({**base, "rank": 2, "url": None, "source": "/srv/docs/neglect.md"}, [])

    at = AppTest.from_function(script, default_timeout=30).run()
    assert not at.exception
    links = at.get("link_button")
    assert len(links) == 1 and links[0].proto.url == "https://example.org/neglect.pdf#page=4"
    text = "\n".join(m.value for m in at.markdown)
    assert "<b>procedure</b>" not in text and "<mark>Record it.</mark>" in text
    captions = "\n".join(c.value for c in at.caption)
    assert "Page 4" in captions and "Source file: /srv/docs/neglect.md" in captions
