"""Privacy: message text goes only to the outputs the user asked for; none in logs or files on the side.

Each command runs in a fresh process whose HOME, XDG folders and TMPDIR point into a
temporary tree; afterwards no file in that tree (caches included) and no diagnostic
line on stderr holds a canary word from the message. Python logging, captured at every
level, never sees it either.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import secret_samples as samples

CANARY = "zqxcanary"
MESSAGE = (f"hello, my {CANARY} wallet transfer is pending since yesterday, "
           f"my seed is {' '.join(samples.phrase('english', 12, 32))}")


@pytest.fixture
def sandbox(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    root = tmp_path / "sandbox"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SUPPORTKIT_", "XDG_"))}
    for name in ("home", "cache", "data", "state", "config", "tmp"):
        (root / name).mkdir(parents=True)
    env.update(HOME=str(root / "home"), XDG_CACHE_HOME=str(root / "cache"), XDG_DATA_HOME=str(root / "data"),
               XDG_STATE_HOME=str(root / "state"), XDG_CONFIG_HOME=str(root / "config"), TMPDIR=str(root / "tmp"),
               ARGOS_PACKAGES_DIR=str(root / "data" / "argos"), SUPPORTKIT_LANG="en", PYTHONWARNINGS="ignore")
    return root, env


def run(args: list[str], env: dict[str, str], cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "supportkit", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=cwd, check=False, timeout=120)


def files_holding(root: Path, needle: str, skip: set[Path]) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and path not in skip and needle.encode() in path.read_bytes():
            found.append(path)
    return found


def test_no_message_text_outside_the_requested_outputs(sandbox: tuple[Path, dict[str, str]]) -> None:
    root, env = sandbox
    work = root / "home"
    source = work / "tickets.jsonl"
    source.write_text(json.dumps({"id": "1", "text": MESSAGE}) + "\n" + '{"id": "2", "text": "' + CANARY + '\n',
                      encoding="utf-8")
    runs = {
        "reply": run(["reply", MESSAGE], env, work),
        "reply_json": run(["reply", "--json", "-"], env, work, MESSAGE),
        "detect": run(["detect", MESSAGE], env, work),
        "guard": run(["guard", MESSAGE], env, work),
        "translate": run(["translate", "--to", "fr", MESSAGE], env, work),
        "batch": run(["batch", str(source), "--out", str(work / "out.jsonl")], env, work),
    }
    for name, done in runs.items():
        assert "Traceback" not in done.stderr, name
        assert CANARY not in done.stderr, f"{name} wrote message text to stderr"
    # Asked-for outputs: the reply's JSON echoes the (redacted) message; guard prints it redacted.
    assert CANARY in runs["reply_json"].stdout and CANARY in runs["guard"].stdout
    assert CANARY not in runs["reply"].stdout and CANARY not in runs["detect"].stdout
    assert runs["batch"].returncode == 3, runs["batch"].stderr  # partial: the canary's line is rejected
    assert files_holding(root, CANARY, {source}) == []
    # and no secret anywhere, outputs included
    words = samples.phrase("english", 12, 32)  # seed 31 ends in "network fee", which replies say
    everything = "".join(d.stdout + d.stderr for d in runs.values())
    everything += "".join(p.read_text(encoding="utf-8", errors="replace") for p in root.rglob("*")
                          if p.is_file() and p != source)
    assert not samples.leaked(everything, words)


def test_python_logging_never_sees_message_text(caplog: pytest.LogCaptureFixture) -> None:
    from supportkit.config import Config
    from supportkit.pipeline import process_message

    caplog.set_level(logging.DEBUG)
    process_message(MESSAGE, Config())
    assert all(CANARY not in record.getMessage() for record in caplog.records)
