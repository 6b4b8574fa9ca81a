"""End to end: `streamlit run` on a free port, driven by real headless Chromium.

Asks a question as a practitioner would, waits for the answer, checks that a cited,
highlighted source card is on screen, rates the answer and checks the rating reached
state.sqlite, then signs in to Administration. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from index.pipeline import ingest_sources
from index.state import StateStore

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "e2e-secret"
QUESTION = "How many missing episodes were there in Stockton?"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.model,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium "
                       "(apt-get install -y chromium chromium-driver)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen, limit_s: float = 90) -> None:
    """Poll Streamlit's health endpoint until it answers (or the server died)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("streamlit did not become healthy")


@pytest.fixture(scope="module")
def e2e_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of corpus/ built with the real model (the app's cached loader)."""
    from assistant.ui.resources import load_embedder

    data = tmp_path_factory.mktemp("e2e") / "data"
    report = ingest_sources(data, [str(ROOT / "corpus")], load_embedder(None))
    assert report.added == 2
    return data


@pytest.fixture(scope="module")
def server(e2e_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    env = dict(os.environ, GUIDANCE_DATA_DIR=str(e2e_data), GUIDANCE_ADMIN_PASSWORD=PASSWORD,
               HF_HUB_OFFLINE="1")
    env.pop("GUIDANCE_MODEL_PATH", None)
    log = (tmp_path_factory.mktemp("e2e-log") / "streamlit.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def settle(page) -> None:
    """Wait until Streamlit has finished the current script run."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=90_000)


def test_ask_shows_cited_answer_and_takes_feedback(server: str, browser, e2e_data: Path) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 1000})
    page.goto(server + "/")
    page.get_by_text("Try one of these").wait_for(timeout=120_000)
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(QUESTION)
    box.press("Enter")
    page.get_by_text("Sources (").first.wait_for(timeout=90_000)
    settle(page)

    answer = page.get_by_test_id("stChatMessage").nth(1)
    assert "438 missing episodes" in answer.inner_text()
    card_title = page.get_by_text("[1] Hartlepool and Stockton-on-Tees Safeguarding Children Partnership")
    assert card_title.count() >= 1
    marked = " | ".join(m.inner_text() for m in page.locator(".ga-passage mark").all())
    assert "438 missing episodes by 73 Stockton" in marked

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "e2e-answer.png"
    page.screenshot(path=str(shot))
    assert shot.is_file() and shot.stat().st_size > 10_000

    page.get_by_test_id("stFeedbackButton").and_(page.get_by_label("Thumbs up")).first.click()
    page.get_by_text("your feedback was saved").wait_for(timeout=30_000)
    stored = StateStore(e2e_data).list_feedback()
    assert [f.question for f in stored] == [QUESTION]
    assert stored[0].score == 1
    page.close()


def test_admin_sign_in_lists_documents(server: str, browser) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 1000})
    page.goto(server + "/admin")
    page.get_by_label("Administrator password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Indexed documents (2)").wait_for(timeout=90_000)
    settle(page)
    assert page.get_by_role("tab", name="Re-index").count() == 1
    shot = ARTIFACTS / "e2e-admin.png"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(shot))
    assert shot.is_file() and shot.stat().st_size > 5_000
    page.close()
