"""The writers' commands fail loudly: stamp checks its arguments, status shows broken files,
and a broken template file disables that template only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from supportkit.cli import cli
from supportkit.config import Config
from supportkit.library import load_library
from supportkit.library.store import forget_loaded_libraries, library_for

MIN = Path(__file__).parent / "data" / "replies_min"
BROKEN = "id: broken\nlocales:\n  en:\n    body: [unclosed\n"


@pytest.fixture
def replies(tmp_path: Path) -> Path:
    """A copy of the minimal library."""
    import shutil

    folder = tmp_path / "replies"
    shutil.copytree(MIN, folder)
    forget_loaded_libraries()
    return folder


@pytest.fixture
def broken(replies: Path) -> Path:
    (replies / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    return replies / "broken.yaml"


# --- stamp checks its arguments -------------------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (["tx_pending", "--locale", "xx"],
     "Error: Invalid value for '--locale': unknown locale 'xx'. Supported locales: zh, es, ru, fr.\n"),
    (["tx_pending", "--locale", "en"],
     "Error: Invalid value for '--locale': 'en' is the source locale: translations are stamped, not the source. "
     "Supported locales: zh, es, ru, fr.\n"),
    (["tx_pendin"], "Error: Invalid value for '[ID]...': no template 'tx_pendin'. Did you mean tx_pending?\n"),
    (["tx_pending", "--all"], "Error: Name templates or pass --all, not both.\n"),
    (["--snapshot-only", "--locale", "fr"], "Error: --snapshot-only records source texts only; it takes no --locale.\n"),
])
def test_stamp_refuses_what_it_cannot_do(runner: CliRunner, replies: Path, args: list[str], message: str) -> None:
    before = {p: p.read_bytes() for p in replies.rglob("*") if p.is_file()}
    result = runner.invoke(cli, ["--replies", str(replies), "stamp", *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] + "\n" == message
    assert {p: p.read_bytes() for p in replies.rglob("*") if p.is_file()} == before


def test_stamp_accepts_a_known_locale(runner: CliRunner, replies: Path) -> None:
    result = runner.invoke(cli, ["--replies", str(replies), "stamp", "tx_pending", "--locale", "ru"])
    assert result.exit_code == 0, result.output


# --- status lists broken templates ----------------------------------------------------------


def test_status_lists_a_broken_template_as_broken(runner: CliRunner, broken: Path) -> None:
    replies = broken.parent
    result = runner.invoke(cli, ["--replies", str(replies), "status"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        " " * 24 + "zh            en            es            ru            fr",
        "broken                  broken        broken        broken        broken        broken",
        "other                   missing       ok            missing       missing       missing",
        "tx_pending              missing       ok            missing       ok            missing",
        "tutorials/switch_phone  missing       ok            missing       missing       missing",
        "coverage                0%            75%           0%            25%           0%",
    ]
    assert result.stderr == f"{broken}:5: -: invalid YAML: did not find expected ',' or ']'\n"


def test_status_json_lists_a_broken_template(runner: CliRunner, broken: Path) -> None:
    result = runner.invoke(cli, ["--replies", str(broken.parent), "status", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["templates"]["broken"] == dict.fromkeys(("zh", "en", "es", "ru", "fr"), "broken")
    assert data["broken"] == [{"ref": "broken", "path": str(broken), "line": 5,
                               "message": "invalid YAML: did not find expected ',' or ']'"}]
    assert data["locales"]["en"] == {"coverage": 75.0, "ok": 3, "missing": 0, "stale": 0, "draft": 0, "broken": 1}


# --- a broken template disables that template only ------------------------------------------


def test_a_broken_file_disables_only_its_template(broken: Path) -> None:
    library = library_for(Config(replies_dir=broken.parent))
    assert sorted(library.templates) == ["other", "tutorials/switch_phone", "tx_pending"]
    assert [str(p) for p in library.broken] == [
        f"{broken}:5: -: invalid YAML: did not find expected ',' or ']'"]


def test_a_template_with_an_error_is_disabled_for_agents(replies: Path) -> None:
    path = replies / "other.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("intents: [other]", "intents: [other, nonsense]"),
                    encoding="utf-8")
    library = library_for(Config(replies_dir=replies))
    assert "other" not in library.templates and "tx_pending" in library.templates
    assert [(Path(p.path).name, p.message.split(" (")[0]) for p in library.broken] == [
        ("other.yaml", "unknown intent 'nonsense'")]
    assert "other" in load_library(replies, strict=False).templates  # writers' tools still see it


def test_a_fixed_file_is_read_again(broken: Path) -> None:
    config = Config(replies_dir=broken.parent)
    assert library_for(config).broken
    # Same size and, on a coarse clock, the same modification time: still seen as changed.
    import os

    fixed = "id: broken\nlocales:\n  en:\n    body: [closed]\n"
    stat = broken.stat()
    broken.write_text(fixed.ljust(len(BROKEN) - 1) + "\n", encoding="utf-8")
    os.utime(broken, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    library = library_for(config)
    assert [p for p in library.broken if p.check == "yaml"] == []


def test_reply_works_and_says_once_which_file_is_broken(runner: CliRunner, broken: Path) -> None:
    result = runner.invoke(cli, ["--replies", str(broken.parent), "reply", "--json",
                                 "my USDT transfer has been pending since yesterday"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["intent"] == "tx_pending"
    note = f"{broken}:5: -: invalid YAML: did not find expected ',' or ']'"
    assert result.stderr.count(note) == 1
    assert "broken.yaml" in result.stderr and "disabled" in result.stderr


def test_check_still_reports_the_broken_file_and_fails(runner: CliRunner, broken: Path) -> None:
    result = runner.invoke(cli, ["--replies", str(broken.parent), "check", str(broken.parent)])
    assert result.exit_code == 1
    assert f"{broken}:5: -: broken: yaml: invalid YAML" in result.stdout
