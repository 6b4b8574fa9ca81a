"""Offline: `guidance ingest` and `guidance ask` (real CLI, real model) attempt no connection.

The commands run in a subprocess whose `sitecustomize.py` (first on PYTHONPATH) wraps
socket connect/connect_ex, socket.create_connection and getaddrinfo: every attempt other
than a local AF_UNIX socket is written to a record file and fails with OSError. The
commands must still succeed and the record must stay empty. No telemetry: Streamlit's
usage statistics are off in .streamlit/config.toml.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import CORPUS, ROOT

SITECUSTOMIZE = '''
import os, socket

_RECORD = os.environ["NETGUARD_RECORD"]


def _note(what, detail):
    with open(_RECORD, "a", encoding="utf-8") as fh:
        fh.write(f"{what} {detail!r}\\n")


def _guard(name, real):
    def wrapper(self, address, *args, **kwargs):
        if self.family == socket.AF_UNIX:
            return real(self, address, *args, **kwargs)
        _note(name, address)
        raise OSError(f"network blocked by test: {name} {address!r}")
    return wrapper


socket.socket.connect = _guard("connect", socket.socket.connect)
socket.socket.connect_ex = _guard("connect_ex", socket.socket.connect_ex)


def _create_connection(address, *args, **kwargs):
    _note("create_connection", address)
    raise OSError(f"network blocked by test: create_connection {address!r}")


def _getaddrinfo(host, *args, **kwargs):
    _note("getaddrinfo", host)
    raise socket.gaierror(f"network blocked by test: getaddrinfo {host!r}")


socket.create_connection = _create_connection
socket.getaddrinfo = _getaddrinfo
_note_loaded = open(os.environ["NETGUARD_LOADED"], "a").close()
'''


def guarded_env(tmp_path: Path, data_dir: Path) -> tuple[dict[str, str], Path, Path]:
    guard = tmp_path / "netguard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    record, loaded = tmp_path / "attempts.txt", tmp_path / "loaded"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_", "HUGGINGFACE"))}
    env.update(PYTHONPATH=os.pathsep.join([str(guard), str(ROOT)]), NETGUARD_RECORD=str(record),
               NETGUARD_LOADED=str(loaded), GUIDANCE_DATA_DIR=str(data_dir))
    env.pop("HF_HUB_OFFLINE", None)  # the assistant must go offline by itself, not because the test says so
    return env, record, loaded


@pytest.mark.model
def test_ingest_and_ask_attempt_no_connection(tmp_path: Path, data_dir: Path) -> None:
    env, record, loaded = guarded_env(tmp_path, data_dir)
    # the guard really works in a child: an attempt is recorded and fails
    probe = subprocess.run([sys.executable, "-c", "import socket; socket.create_connection(('example.org', 80))"],
                           env=env, capture_output=True, text=True, timeout=60)
    assert probe.returncode != 0 and "network blocked by test" in probe.stderr
    assert "example.org" in record.read_text()
    record.unlink()

    ingest = subprocess.run([sys.executable, "-m", "assistant", "ingest", str(CORPUS), "--data-dir", str(data_dir)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert ingest.returncode == 0, ingest.stderr[-3000:]
    assert "added 2" in ingest.stdout
    ask = subprocess.run([sys.executable, "-m", "assistant", "ask", "How many missing episodes were there in Stockton?",
                          "--json", "--data-dir", str(data_dir)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert ask.returncode == 0, ask.stderr[-3000:]
    answer = json.loads(ask.stdout)
    assert answer["found"] and answer["citations"]
    assert loaded.exists()  # sitecustomize was imported by the commands
    attempts = record.read_text() if record.exists() else ""
    assert attempts == "", attempts


def test_streamlit_usage_statistics_are_off() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
