"""No secret and no unredacted contact reaches anything ``supportkit report`` writes or hands on.

An export seeded with recovery phrases (English and Chinese word lists), private keys (hex, WIF),
e-mail addresses and phone numbers, in tickets numerous and alike enough that they are shown as
examples: none of it is in ``--json``, the CSV files, the labels file or the dict given to
``render_html``.
"""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from supportkit.cli import cli
from tests.secret_samples import hex_key, phrase, wif

pytest.importorskip("duckdb")


def seeded_export(path: Path) -> list[str]:
    """Write the export; the secrets and contacts it holds (none may come out)."""
    secrets: list[str] = []
    rows = []
    for i in range(8):
        words = phrase("english", 12, seed=i)
        han = phrase("chinese_simplified", 12, seed=i)
        key, wif_key = hex_key(i), wif(i)
        email, phone = f"victim.{i}@example.com", f"+34 612 345 6{i:02d}"
        secrets += [" ".join(words[:4]), "".join(han[:4]), key, wif_key, email, phone, phone.replace(" ", "")]
        created = f"2026-11-{2 + i % 4:02d}T0{i}:00:00Z"
        texts = [
            f"please help, someone emptied my wallet, my words were {' '.join(words)}",
            f"我的助记词是 {' '.join(han)} 钱包被盗了",
            f"my private key is {key} and my backup {wif_key}, write to {email} or call {phone}",
            f"call me back at {phone.replace(' ', '')} or mail {email} about my stuck transfer",
        ]
        for j, text in enumerate(texts):
            rows.append({"id": f"{i}-{j}", "ticket_id": f"{i}-{j}", "text": text, "created_at": created,
                         "solved_at": f"2026-11-{3 + i % 4:02d}T10:00:00Z", "csat": "5", "channel": "chat"})
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return secrets


def test_no_secret_or_contact_comes_out(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    export = tmp_path / "seeded.jsonl"
    secrets = seeded_export(export)
    given: list[dict[str, Any]] = []
    html = types.ModuleType("supportkit.report.html")
    html.render_html = lambda report, locale: given.append(report) or "<html></html>"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "supportkit.report.html", html)
    result = runner.invoke(cli, ["report", str(export), "--json", "--csv", str(tmp_path / "csv"),
                                 "--out", str(tmp_path / "r.html")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    examples = [t for c in data["gaps"]["clusters"] for t in c["examples"]]
    assert examples, "the seeded messages are shown as examples (so the test checks something)"
    outputs = {
        "--json": result.output,
        "render_html": json.dumps(given, ensure_ascii=False),
        "labels": (tmp_path / "seeded.jsonl.labels.jsonl").read_text(encoding="utf-8"),
        **{f"csv {p.name}": p.read_text(encoding="utf-8") for p in (tmp_path / "csv").iterdir()},
    }
    for name, text in outputs.items():
        for secret in secrets:
            assert secret not in text, f"{secret!r} in {name}"
        assert "@example.com" not in text, name
