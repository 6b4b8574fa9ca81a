"""Administration: constant-time password check, upload limits and names, every action logged.

tests/test_app.py covers the admin page being off without a password, a wrong password,
removal, and basic upload-name cases; this adds the password function itself, hostile
upload names, and a log entry for every admin action (sign in/out, re-index, add URL,
failures). The admin page is driven with the fake embedder (no model load).
"""

from __future__ import annotations

import hmac
from pathlib import Path

import pytest

from assistant.ui import admin
from assistant.ui.admin import MAX_UPLOAD_BYTES, configured_password, password_matches, save_upload
from assistant.ui.text import safe_filename
from index.pipeline import ingest_sources
from index.state import StateStore
from ingest.models import LoadError
from tests.conftest import ROOT
from tests.fakes import CountingEmbedder

ADMIN_PAGE = "assistant/ui/entry/admin.py"


def test_password_check_uses_compare_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def recording(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(admin.hmac, "compare_digest", recording)
    assert password_matches("correct horse", "correct horse")
    assert not password_matches("correct hors", "correct horse")
    assert not password_matches("", "correct horse")
    assert not password_matches("Correct horse", "correct horse")
    assert password_matches("pässwörd ✓", "pässwörd ✓")
    assert not password_matches("passwo\u0308rd", "passwörd")  # no normalisation surprises
    assert len(calls) == 6  # every comparison went through the constant-time function


def test_configured_password_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIDANCE_ADMIN_PASSWORD", "s3cret")
    assert configured_password() == "s3cret"
    monkeypatch.setenv("GUIDANCE_ADMIN_PASSWORD", "")  # empty means off, not "the empty password"
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml here
    assert configured_password() is None


@pytest.mark.parametrize("name", [
    "/etc/passwd.md", "....//....//etc/cron.md", "..%2F..%2Fx.md", "a\x00b.md", "C:\\Windows\\win.ini.txt",
    "~/.ssh/authorized_keys.md", "uploads/../../x.pdf", "\u202egnp.md", "x" * 5000 + ".pdf", ".", "...", "/",
])
def test_hostile_upload_names_stay_in_the_uploads_folder(tmp_path: Path, name: str) -> None:
    clean = safe_filename(name)
    assert clean and "/" not in clean and "\\" not in clean and "\x00" not in clean
    assert not clean.startswith(".") and len(clean) <= 130
    try:
        saved = save_upload(tmp_path, name, b"# Title\n\nSome text.\n")
    except LoadError as exc:
        assert "unsupported file type" in exc.reason  # names without a document extension
        saved = None
    if saved is not None:
        assert saved.parent == (tmp_path / "uploads").resolve()
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and p.parent != tmp_path / "uploads"]
    assert outside == []


def test_upload_cannot_write_through_a_symlink(tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    target = tmp_path / "outside.md"
    target.write_text("original")
    (uploads / "evil.md").symlink_to(target)
    with pytest.raises(LoadError, match="unsafe"):
        save_upload(tmp_path, "evil.md", b"# Overwritten\n\nText.\n")
    assert target.read_text() == "original"


def test_upload_type_and_size_limits(tmp_path: Path) -> None:
    for name in ("script.sh", "page.php", "doc.md.exe", "archive.zip", "noext"):
        with pytest.raises(LoadError, match="unsupported"):
            save_upload(tmp_path, name, b"data")
    assert save_upload(tmp_path, "exact.txt", b"x" * MAX_UPLOAD_BYTES).stat().st_size == MAX_UPLOAD_BYTES
    with pytest.raises(LoadError, match="25 MB"):
        save_upload(tmp_path, "over.pdf", b"x" * (MAX_UPLOAD_BYTES + 1))
    assert not (tmp_path / "uploads" / "over.pdf").exists()
    assert not list((tmp_path / "uploads").glob(".*.part"))


@pytest.fixture
def admin_app(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch):
    """The app on an index built with the fake embedder, which the app also uses."""
    from assistant.ui import resources

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text("# Neglect\n\nRecord every concern about neglect the same day.\n")
    ingest_sources(data_dir, [str(folder)], CountingEmbedder())
    monkeypatch.setattr(resources, "load_embedder", lambda model_path=None: CountingEmbedder())
    monkeypatch.setenv("GUIDANCE_DATA_DIR", str(data_dir))
    monkeypatch.delenv("GUIDANCE_MODEL_PATH", raising=False)
    monkeypatch.setenv("GUIDANCE_ADMIN_PASSWORD", "correct horse")
    return data_dir


def test_every_admin_action_is_logged(admin_app: Path) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    at.switch_page(ADMIN_PAGE).run()
    at.text_input(key="admin_password_input").input("wrong")
    next(b for b in at.button if b.label == "Sign in").click().run()
    at.text_input(key="admin_password_input").input("correct horse")
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert not at.exception, at.exception
    at.button(key="reindex_button").click().run()
    assert not at.exception, at.exception
    url_input = next(t for t in at.text_input if t.label.startswith("Address"))
    url_input.input("http://169.254.169.254/latest/meta-data/")
    next(b for b in at.button if b.label == "Crawl and add").click().run()
    assert not at.exception, at.exception
    assert any("metadata" in w.value for w in at.warning), [w.value for w in at.warning]
    at.button(key="admin_sign_out").click().run()
    assert not at.exception, at.exception

    log = StateStore(admin_app).list_admin_actions()
    actions = [a.action for a in reversed(log)]
    assert actions == ["sign in failed", "sign in", "reindex", "add url", "sign out"], actions
    add = next(a for a in log if a.action == "add url")
    assert "169.254.169.254" in add.detail and "1 failed" in add.detail
    runs = StateStore(admin_app).list_runs()
    assert [r.kind for r in runs] == ["add url", "reindex"]
    assert "metadata" in runs[0].failures[0]["reason"]
