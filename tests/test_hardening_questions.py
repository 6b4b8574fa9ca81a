"""Odd questions get a clear response, never a crash; page text cannot inject into the app.

Empty, whitespace-only and control-character-only questions are refused clearly
(QuestionError in the library, exit 2 with a message in the CLI); a 10,000-character
question is truncated; Markdown and HTML in a question are just words. A document whose
text carries <script> and <img onerror> is indexed and cited, and the app shows it
escaped everywhere.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistant.cli import cli
from assistant.engine import MAX_QUESTION_CHARS, Assistant, QuestionError
from assistant.ui.text import answer_markdown, conversation_markdown, highlight_html, md_escape
from index.pipeline import ingest_sources
from tests.conftest import CORPUS, ROOT
from tests.fakes import CountingEmbedder

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
EVIL = (f"---\ntitle: 'Disclosure <b onmouseover=alert(1)>procedure</b> {SCRIPT}'\ndoc_type: procedure\n---\n"
        f"# Disclosure procedure\n\n"
        f"When a child discloses abuse {SCRIPT} stay calm and listen to the child without interrupting.\n\n"
        f"Record the disclosure {IMG} in the child's words on the same day and tell the designated "
        f"safeguarding lead.\n\n"
        f"Never promise to keep a disclosure secret [click here](javascript:alert(1)) "
        f"![tracker](http://evil.example/p.png) <iframe src=http://evil.example></iframe>.\n")
QUESTION = "What should I do when a child discloses abuse?"


def run(args: list[str], embedder: CountingEmbedder, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, args, obj={"embedder": embedder}, input=input)


@pytest.fixture
def indexed(tmp_path: Path, data_dir: Path, embedder: CountingEmbedder) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for p in CORPUS.glob("*.md"):
        (folder / p.name).write_bytes(p.read_bytes())
    (folder / "disclosure.md").write_text(EVIL, encoding="utf-8")
    assert not ingest_sources(data_dir, [str(folder)], embedder).failed
    return data_dir


@pytest.mark.parametrize("question", ["", "   ", "\n\t\n", "\x00\x01\x07\x1b", "\x00 \x1f \x0b"])
def test_empty_questions_are_refused_clearly(indexed: Path, embedder: CountingEmbedder, question: str) -> None:
    with pytest.raises(QuestionError, match="empty"):
        Assistant(indexed, embedder).ask(question)
    result = run(["ask", question, "--data-dir", str(indexed)], embedder)
    assert result.exit_code == 2
    assert "question is empty" in result.output and "Traceback" not in result.output


def test_blank_history_entries_are_ignored(indexed: Path, embedder: CountingEmbedder) -> None:
    answer = Assistant(indexed, embedder).ask("missing episodes in Stockton", history=["", "  ", "\n"])
    assert answer.hits


def test_control_character_history_entries_are_ignored(indexed: Path, embedder: CountingEmbedder) -> None:
    answer = Assistant(indexed, embedder).ask("missing episodes in Stockton", history=["\x00", "\x1b\x07"])
    assert answer.hits


def test_empty_stdin_questions(indexed: Path, embedder: CountingEmbedder) -> None:
    stdin = "\n".join([json.dumps({"question": ""}), json.dumps({"question": "\x00\x01"}),
                       json.dumps({"question": "missing episodes", "history": ["", None]}), "   "]) + "\n"
    result = run(["ask", "-", "--json", "--data-dir", str(indexed)], embedder, input=stdin)
    assert result.exit_code == 1
    out = [json.loads(l) for l in result.stdout.splitlines()]
    assert len(out) == 3
    assert "empty" in out[0]["error"] and "empty" in out[1]["error"]
    assert out[2]["citations"] and "error" not in out[2]
    assert "stdin line 1" in result.stderr and "stdin line 2" in result.stderr


def test_ten_thousand_characters_are_truncated(indexed: Path, embedder: CountingEmbedder) -> None:
    long = ("What should I do about missing episodes in Stockton? " * 200)[:10_000]
    answer = Assistant(indexed, embedder).ask(long)
    assert len(answer.question) <= MAX_QUESTION_CHARS
    assert answer.hits
    result = run(["ask", long, "--json", "--data-dir", str(indexed)], embedder)
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["question"]) <= MAX_QUESTION_CHARS
    unbroken = "x" * 10_000  # one enormous "word"
    assert run(["ask", unbroken, "--data-dir", str(indexed)], embedder).exit_code == 0


@pytest.mark.parametrize("question", [
    "missing\x00 episodes\x07 in\x1b[31m Stockton\x7f?",
    "**missing** _episodes_ in `Stockton` [link](http://x) ![i](http://y/p.png) # heading",
    "<script>alert(1)</script> missing episodes <img src=x onerror=alert(1)> Stockton",
    "'; DROP TABLE chunks; -- missing episodes \" OR 1=1",
    "missing episodes \u202e\u200b\ufeff Stockton \U0001F600",
    "{{7*7}} ${jndi:ldap://x} %s%s%s%n missing episodes",
])
def test_odd_questions_are_answered_without_crashing(indexed: Path, embedder: CountingEmbedder,
                                                     question: str) -> None:
    answer = Assistant(indexed, embedder).ask(question)
    assert not re.search(r"[\x00-\x08\x0b-\x1f]", answer.question)
    assert isinstance(answer.found, bool) and answer.answer
    result = run(["ask", question, "--json", "--data-dir", str(indexed)], embedder)
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.stdout)) >= {"question", "found", "answer", "citations"}


@pytest.mark.parametrize("question", ["missing \udcff episodes in Stockton", "missing episodes \ud83d Stockton"])
def test_lone_surrogates_in_a_question(indexed: Path, embedder: CountingEmbedder, question: str) -> None:
    answer = Assistant(indexed, embedder).ask(question)
    answer.question.encode("utf-8")  # strict: must be valid text to embed, store and print
    result = run(["ask", question, "--json", "--data-dir", str(indexed)], embedder)
    assert result.exit_code == 0, result.output


def test_injected_page_text_is_escaped_by_the_text_helpers(indexed: Path, embedder: CountingEmbedder) -> None:
    answer = Assistant(indexed, embedder).ask(QUESTION)
    data = answer.to_json()
    evil = [c for c in data["citations"] if SCRIPT in c["text"] or IMG in c["text"]]
    assert evil, "the test document must be cited with its tags intact in the data"
    for i, c in enumerate(data["citations"]):
        shown = highlight_html(c["text"], answer.highlights[i] if i < len(answer.highlights) else ())
        assert not re.search(r"<(?!/?mark>|br>)", shown), shown  # only our own <mark> and <br>
    md = answer_markdown(data["answer"] + "\n" + SCRIPT + " " + IMG + " [x](javascript:alert(1))")
    assert not re.search(r"(?<!\\)<", md) and "](javascript" not in md
    assert not re.search(r"(?<!\\)[<\[]", md_escape(EVIL))
    # the Markdown export is a file the user opens elsewhere: it keeps text but never live links to scripts
    exported = conversation_markdown([{"role": "user", "content": QUESTION},
                                      {"role": "assistant", "answer": data}])
    assert "javascript:" not in exported.split("Sources:")[-1]


@pytest.mark.model
def test_app_shows_injected_page_text_escaped(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real app, real model: the cited document's tags never reach the page as markup."""
    from streamlit.testing.v1 import AppTest

    from assistant.ui import resources

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "disclosure.md").write_text(EVIL, encoding="utf-8")
    for p in CORPUS.glob("*.md"):
        (folder / p.name).write_bytes(p.read_bytes())
    assert not ingest_sources(data_dir, [str(folder)], resources.load_embedder(None)).failed
    monkeypatch.setenv("GUIDANCE_DATA_DIR", str(data_dir))
    monkeypatch.delenv("GUIDANCE_MODEL_PATH", raising=False)

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    at.chat_input[0].set_value(f"{QUESTION} {IMG}").run()
    assert not at.exception, at.exception
    answer = at.session_state["messages"][-1]["answer"]
    assert any(SCRIPT in c["text"] or IMG in c["text"] for c in answer["citations"])

    shown = 0
    for el in list(at.markdown) + list(at.caption) + list(at.warning) + list(at.info) + list(at.error):
        value = el.value
        if getattr(el.proto, "allow_html", False):
            tags = re.findall(r"<\s*/?\s*([a-zA-Z]+)", value)
            assert set(t.lower() for t in tags) <= {"div", "mark", "br", "style"}, value
            shown += "&lt;script&gt;" in value or "&lt;img" in value
        else:
            # Markdown: every < and [ from document text is backslash-escaped
            assert not re.search(r"(?<!\\)<\s*(script|img|iframe|b\b)", value, re.I), value
            assert not re.search(r"(?<!\\)\]\((?:javascript|http://evil)", value), value
    assert shown >= 1  # the passage with the tags was displayed, as text
    user_text = [t.value for t in at.text]
    assert any(IMG in t for t in user_text)  # the question is shown with st.text: literal, never markup


def test_a_misspelt_question_is_asked_as_the_documents_spell_it(indexed: Path, embedder: CountingEmbedder) -> None:
    answer = Assistant(indexed, embedder).ask("whos running the teeswide HOTH confrence", history=["any conferances?"])
    assert answer.resolved_question.startswith("who's running the teeswide HOTH conference")
    assert answer.question == "whos running the teeswide HOTH confrence"  # what was typed is kept as typed
