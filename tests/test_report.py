"""``supportkit report``: the command, its outputs, its configuration, bad input and privacy.

The figures themselves are checked in test_report_figures.py, the trends in test_report_trends.py.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from supportkit.cli import cli
from supportkit.config import load_config
from supportkit.errors import ConfigError
from tests.report_data import generate, write_labelled

pytest.importorskip("duckdb")

DOCS = Path(__file__).resolve().parent.parent / "docs" / "report.md"
FIXTURES = Path(__file__).resolve().parent / "data" / "report"


def run(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(cli, ["report", *args], catch_exceptions=False)


def doc_mappings() -> dict[str, str]:
    """``{fixture file: TOML block}`` of the help-desk mappings in docs/report.md."""
    text = DOCS.read_text(encoding="utf-8")
    return dict(re.findall(r"<!-- mapping: (\S+) -->\n```toml\n(.*?)```", text, re.S))


# --- the documented mappings ----------------------------------------------------------------


def test_the_docs_map_three_help_desks() -> None:
    assert sorted(doc_mappings()) == ["chatwoot.jsonl", "freshdesk.csv", "zendesk.csv"]


@pytest.mark.parametrize(("fixture", "tickets", "messages", "left_out"), [
    ("zendesk.csv", 3, 3, ["first_response_at"]),
    ("freshdesk.csv", 3, 3, []),
    ("chatwoot.jsonl", 2, 3, ["first_response_at", "solved_at"]),
])
def test_each_documented_mapping_reads_its_help_desks_export(runner: CliRunner, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch, fixture: str,
                                                             tickets: int, messages: int, left_out: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "supportkit.toml").write_text('[report]\ntimezone = "Europe/Madrid"\n\n' + doc_mappings()[fixture],
                                              encoding="utf-8")
    export = tmp_path / fixture
    export.write_bytes((FIXTURES / fixture).read_bytes())
    result = run(runner, str(export), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["generated_for"]["tickets"] == tickets
    assert data["generated_for"]["messages"] == messages
    assert data["generated_for"]["rejected"] == 0
    assert data["volume"]["periods"] == ["2026-11-02"]
    notes = [n for n in data["notes"] if n["section"] == "response_times"]
    assert (notes[0]["columns"] if notes else []) == left_out
    assert data["load_by_hour"] is not None
    labels = [json.loads(line) for line in (tmp_path / f"{fixture}.labels.jsonl").read_text().splitlines()]
    assert {row["language"] for row in labels} >= {"en"}
    assert all(row["created_at"] for row in labels)


# --- outputs ----------------------------------------------------------------------------------


@pytest.fixture
def small(tmp_path: Path) -> Path:
    export, _labels = write_labelled(tmp_path, generate(400, seed=11, weeks=4))
    return export


SUMMARY = """\
Report of export.jsonl: 400 tickets, 458 messages, 0 rejected
Period: 2026-09-07 to 2026-09-28, by week (UTC)
Urgent: 10.0%; secret pasted: 1.2%
Languages: en 162, zh 97, es 65
Intents: tx_pending 88, deposit_missing 62, forgot_password 55
First response: median 48.3 min, p90 178.5 min (391 tickets)
Resolution: median 489.1 min, p90 1,467.3 min (399 tickets)
Busiest hours: 12:00 (23), 17:00 (23), 01:00 (22)
Satisfaction: 51.1% of 350 rated; reopened 44.0%
Rising intents: none
Unanswered messages: 10 groups; intents without a native template: forgot_password (en), wallet_recovery (en), swap_usdt (zh)
"""


def test_the_text_summary(runner: CliRunner, small: Path) -> None:
    result = run(runner, str(small))
    assert result.exit_code == 0
    assert result.output == SUMMARY


def test_json_csv_and_the_html_renderer_get_the_same_numbers(runner: CliRunner, small: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    given: list[tuple[dict[str, Any], str]] = []
    html = types.ModuleType("supportkit.report.html")
    html.render_html = lambda report, locale: given.append((report, locale)) or "<html>ok</html>"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "supportkit.report.html", html)
    out = tmp_path / "page.html"
    result = run(runner, str(small), "--json", "--csv", str(tmp_path / "tables"), "--out", str(out))
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert out.read_text() == "<html>ok</html>"
    assert given == [(data, "en")]
    assert set(data) == {"schema", "generated_for", "notes", "volume", "response_times", "load_by_hour",
                         "satisfaction", "trends", "gaps"}
    with (tmp_path / "tables" / "volume.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    periods = data["volume"]["periods"]
    for dimension, entries in data["volume"]["by"].items():
        for entry in entries:
            shown = [int(r["tickets"]) for r in rows if r["dimension"] == dimension and r["key"] == entry["key"]]
            assert shown == entry["counts"] and len(shown) == len(periods)
    with (tmp_path / "tables" / "response_times.csv").open(newline="") as handle:
        times = list(csv.DictReader(handle))
    overall = next(r for r in times if r["measure"] == "first_response" and r["dimension"] == "all")
    first = data["response_times"]["first_response"][0]
    assert (float(overall["median_minutes"]), float(overall["p90_minutes"])) == (first["median"], first["p90"])
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == [
        "gaps_clusters.csv", "load_by_hour.csv", "missing_templates.csv", "response_times.csv", "satisfaction.csv",
        "trends.csv", "volume.csv", "volume_totals.csv"]


def test_without_the_html_module_out_is_a_clear_error(runner: CliRunner, small: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "supportkit.report.html", None)  # import fails, as before the HTML part
    result = run(runner, str(small), "--out", str(tmp_path / "r.html"))
    assert result.exit_code == 1
    assert result.output.startswith("Error: the HTML report is not available")
    assert "Traceback" not in result.output
    assert not (tmp_path / "r.html").exists()


def test_no_examples_empties_every_example_list(runner: CliRunner, tmp_path: Path) -> None:
    rows = generate(3000, seed=5, weeks=8, wave=("swap_usdt", "ru", 6, 60))
    export, _labels = write_labelled(tmp_path, rows)
    with_examples = json.loads(run(runner, str(export), "--json").output)
    assert with_examples["trends"][0]["examples"] and with_examples["gaps"]["clusters"][0]["examples"]
    data = json.loads(run(runner, str(export), "--json", "--no-examples").output)
    assert data["trends"] and data["gaps"]["clusters"]
    assert all(t["examples"] == [] for t in data["trends"])
    assert all(c["examples"] == [] for c in data["gaps"]["clusters"])


def test_since_until_and_groups_of_fewer_than_five(runner: CliRunner, small: Path) -> None:
    data = json.loads(run(runner, str(small), "--json", "--since", "2026-09-14", "--until", "2026-09-20",
                          "--by", "day").output)
    assert data["volume"]["periods"][0] == "2026-09-14" and data["volume"]["periods"][-1] == "2026-09-20"
    assert data["generated_for"]["since"] == "2026-09-14"
    for entries in data["volume"]["by"].values():
        assert all(entry["total"] >= 5 for entry in entries)
    assert all(row["tickets"] >= 5 for row in data["response_times"]["first_response"])
    bad = runner.invoke(cli, ["report", str(small), "--since", "14/09/2026"])
    assert bad.exit_code == 2 and "is not a date (YYYY-MM-DD)" in bad.output


# --- labelling: the pipeline once, resumable ------------------------------------------------


def test_labels_are_written_once_and_continued(runner: CliRunner, tmp_path: Path) -> None:
    export = tmp_path / "chat.jsonl"
    rows = [{"id": str(i), "text": text, "created_at": f"2026-11-0{2 + i % 3}T10:00:00Z"}
            for i, text in enumerate(["my USDT transfer has been pending since yesterday", "我忘记了钱包密码",
                                      "olvidé mi contraseña", "hello"])]
    export.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    first = json.loads(run(runner, str(export), "--json").output)
    assert first["generated_for"]["labelled_now"] == 4
    again = json.loads(run(runner, str(export), "--json").output)
    assert again["generated_for"]["labelled_now"] == 0
    with export.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "9", "text": "je ne trouve pas mes jetons"}) + "\n")
    grown = json.loads(run(runner, str(export), "--json").output)
    assert grown["generated_for"]["labelled_now"] == 1
    assert grown["generated_for"]["tickets"] == 5 and grown["generated_for"]["undated"] == 1
    labels = [json.loads(line) for line in (tmp_path / "chat.jsonl.labels.jsonl").read_text().splitlines()]
    assert [row["id"] for row in labels] == ["0", "1", "2", "3", "9"]
    assert set(labels[0]) == {"id", "line", "ticket", "language", "intent", "urgent", "secret_found", "needs_review",
                              "template", "locale", "native", "text", "created_at", "first_response_at", "solved_at",
                              "csat", "reopened", "channel"}


def test_a_labels_file_not_ours_is_left_alone(runner: CliRunner, tmp_path: Path) -> None:
    export = tmp_path / "e.jsonl"
    export.write_text(json.dumps({"id": "1", "text": "hello"}) + "\n", encoding="utf-8")
    mine = tmp_path / "mine.jsonl"
    mine.write_text("my own notes\n")
    result = run(runner, str(export), "--labels", str(mine))
    assert result.exit_code == 1
    assert "was not written by supportkit batch" in result.output
    assert mine.read_text() == "my own notes\n"


# --- bad input --------------------------------------------------------------------------------


def test_an_empty_export_is_an_empty_report(runner: CliRunner, tmp_path: Path) -> None:
    export = tmp_path / "empty.jsonl"
    export.write_bytes(b"")
    result = run(runner, str(export), "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["generated_for"]["tickets"] == 0 and data["volume"]["total"] == 0
    assert {n["section"] for n in data["notes"]} >= {"response_times", "load_by_hour", "trends"}


def test_a_binary_export_is_rejects_with_lines_never_a_crash(runner: CliRunner, tmp_path: Path) -> None:
    export = tmp_path / "blob.jsonl"
    export.write_bytes(b"\x00\x01\xff\xfe binary\n\x89PNG\r\n\x1a\n" + bytes(range(256)) + b"\n")
    result = run(runner, str(export), "--json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert data["generated_for"]["rejected"] == 5 and data["generated_for"]["tickets"] == 0
    rejects = [json.loads(line) for line in (tmp_path / "blob.jsonl.labels.jsonl.rejects.jsonl").read_text().splitlines()]
    assert [r["line"] for r in rejects] == [1, 2, 3, 4, 5]


def test_a_csv_without_the_mapped_columns_says_which_it_found(runner: CliRunner, tmp_path: Path) -> None:
    export = tmp_path / "odd.csv"
    export.write_text("Ticket,Body\n1,hello\n", encoding="utf-8")
    result = run(runner, str(export))
    assert result.exit_code == 1
    assert "CSV needs a header with id and text columns" in result.output and "ticket, body" in result.output
    assert "Traceback" not in result.output


def test_garbage_timestamps_are_counted_out_and_missing_columns_noted(runner: CliRunner, tmp_path: Path) -> None:
    export = tmp_path / "t.csv"
    lines = ["id,text,created_at,solved_at"]
    for i in range(12):
        created = "not a time at all" if i == 3 else ("2026-13-45 10:00" if i == 4 else f"2026-11-{2 + i % 5:02d} 10:00")
        lines.append(f'{i},"my USDT transfer {i} has been pending",{created},2026-11-09 10:00')
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(runner, str(export), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["generated_for"]["tickets"] == 12 and data["generated_for"]["undated"] == 2
    assert sum(r["tickets"] for r in data["load_by_hour"]) == 10
    assert data["response_times"]["resolution"][0]["tickets"] == 10
    assert data["response_times"]["first_response"] == []
    assert data["satisfaction"] is None
    assert {(n["section"], tuple(n["columns"])) for n in data["notes"] if n["reason"] == "missing_columns"} == {
        ("response_times", ("first_response_at",)), ("satisfaction", ("csat", "reopened")), ("channel", ("channel",))}


# --- configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize(("table", "message", "line"), [
    ('[report]\ntimezone = "UTC"\ncolour = "red"\n', "unknown report setting 'colour'", 3),
    ('[report]\ntimezone = "Mars/Olympus"\n', "report.timezone: 'Mars/Olympus' is not a time zone", 2),
    ('[report]\n\n[report.columns]\nid = "Id"\nbody = "Description"\n', "unknown report column 'body'", 5),
])
def test_report_settings_are_checked_with_file_and_line(tmp_path: Path, table: str, message: str, line: int) -> None:
    (tmp_path / "supportkit.toml").write_text(table, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, env={})
    assert message in caught.value.message
    assert caught.value.where == f"{tmp_path / 'supportkit.toml'}:{line}"


def test_report_settings_in_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.supportkit.report]\ntimezone = "Asia/Shanghai"\n\n'
                                             '[tool.supportkit.report.columns]\ntext = "Description"\n', encoding="utf-8")
    config = load_config(tmp_path, env={})
    assert config.report.timezone == "Asia/Shanghai"
    assert dict(config.report.columns) == {"text": "Description"}


# --- the reader's column mapping and the labels' column values ---------------------------------


def test_read_records_maps_columns_and_keeps_the_ones_asked_for() -> None:
    import io

    from supportkit.batch.records import Record, read_records

    data = b"Ticket ID,Body,id,Created At,Via\n7,hello there,999,2026-11-02 10:00,Chat\n"
    items = list(read_records(io.BytesIO(data), "csv", columns={"id": "Ticket ID", "text": "Body", "created_at": "Created At",
                                                                 "channel": "Via"}, keep=("created_at", "channel")))
    assert items == [Record(2, "7", "hello there", fields=(("created_at", "2026-11-02 10:00"), ("channel", "Chat")))]
    line = json.dumps({"content": "hi", "id": 5, "conversation_id": 9, "csat": 4, "reopened": True}).encode()
    [record] = list(read_records(io.BytesIO(line + b"\n"), "jsonl", columns={"text": "content"},
                                 keep=("csat", "reopened", "channel")))
    assert isinstance(record, Record)
    assert (record.id, record.text, record.conversation) == ("5", "hi", "9")
    assert record.fields == (("csat", "4"), ("reopened", "true"))


@pytest.mark.parametrize(("column", "value", "kept"), [
    ("created_at", "2026-11-02T10:00:00+01:00", "2026-11-02T10:00:00+01:00"),
    ("created_at", "1793614500", "1793614500"),
    ("created_at", "yesterday, call me at +34 612 345 678", None),
    ("csat", "Good", "good"),
    ("channel", "victim@example.com", None),
    ("channel", "Web Widget", "web widget"),
    ("reopened", "x" * 60, None),
])
def test_other_columns_keep_only_values_that_look_like_them(column: str, value: str, kept: str | None) -> None:
    from supportkit.report.columns import clean_value

    assert clean_value(column, value) == kept


def test_the_summary_lists_rising_intents(runner: CliRunner, tmp_path: Path) -> None:
    export, _labels = write_labelled(tmp_path, generate(3000, seed=5, weeks=8, wave=("swap_usdt", "ru", 6, 60)))
    output = run(runner, str(export)).output
    assert output[output.index("Rising intents:"):output.index("Unanswered")] == (
        "Rising intents:\n"
        "  swap_usdt (ru), week of 2026-10-19: 61 tickets, 10.9x the 5.6 expected\n"
        "  swap_usdt (all languages), week of 2026-10-19: 91 tickets, 2.8x the 32.1 expected\n")


def test_a_labels_file_read_with_other_columns_is_refused(runner: CliRunner, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    export = tmp_path / "e.jsonl"
    export.write_text(json.dumps({"id": "1", "text": "hello", "opened": "2026-11-02T10:00:00Z"}) + "\n", encoding="utf-8")
    assert run(runner, str(export)).exit_code == 0
    (tmp_path / "supportkit.toml").write_text('[report.columns]\ncreated_at = "opened"\n', encoding="utf-8")
    result = run(runner, str(export))
    assert result.exit_code == 1
    assert result.output.startswith("Error: e.jsonl.labels.jsonl was written with other column settings")


def test_an_hour_with_no_ticket_is_never_the_busiest(runner: CliRunner, tmp_path: Path) -> None:
    # Two tickets at 10:00 printed "Busiest hours: 10:00 (2), 00:00 (0), 01:00 (0)".
    export = tmp_path / "two.jsonl"
    export.write_text("".join(json.dumps({"id": f"t{n}", "text": "my usdt transfer is pending",
                                          "created_at": "2026-11-02T10:00:00Z"}) + "\n" for n in range(2)),
                      encoding="utf-8")
    result = run(runner, str(export))
    assert result.exit_code == 0, result.output
    assert "Busiest hours: 10:00 (2)\n" in result.output
