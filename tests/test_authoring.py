"""Edits made for writers: drafts and stamps go into the YAML text, everything else stays byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from supportkit.cli import cli
from supportkit.config import Config
from supportkit.errors import TemplateError
from supportkit.library import load_library, load_template, select_template, source_digest
from supportkit.library.edit import stamp, write_translation
from supportkit.library.sources import SourceStore
from supportkit.writers.checks import run_checks
from supportkit.writers.drafts import make_drafts, translate_template_text

TEMPLATE = """\
# A writer's note at the top: keep it.
id: late_fee
kind: reply
intents: [gas_fee]
variables:
  customer_name: {description: Name, example: Ana}   # inline comment
  days: {type: number, default: "3", example: "5"}
locales:
  # The source, written first.
  en:
    subject: About the fee
    body: |
      {% if customer_name %}Hi {{ customer_name }},{% else %}Hi there,{% endif %}

      It takes {{ days | plural(one="# day", other="# days") }}.
  # French, reviewed by Claire.
  fr:
    source: '000000000000'   # stale on purpose
    # note inside the entry
    subject: "Au sujet des frais"
    body: |
      Bonjour,

      Cela prend {{ days | plural(one="# jour", many="# de jours", other="# jours") }}.
# trailing comment
"""

# A stand-in for the engine: a phrase book, so the test sees exactly what is written where.
PHRASES = {
    ("About the fee", "ru"): "О комиссии",
    ("Hi", "ru"): "Здравствуйте",
    ("Hi there,", "ru"): "Здравствуйте!",
    ("It takes {{ days | plural(one=\"# day\", other=\"# days\") }}.", "ru"):
        "Это занимает {{ days | plural(one=\"# day\", other=\"# days\") }}.",
    ("1 day", "ru"): "1 день", ("3 days", "ru"): "3 дня", ("5 days", "ru"): "5 дней", ("1.5 days", "ru"): "1,5 дня",
    ("About the fee", "fr"): "À propos des frais",
    ("Hi there,", "fr"): "Bonjour,",
    ("It takes {{ days | plural(one=\"# day\", other=\"# days\") }}.", "fr"):
        "Cela prend {{ days | plural(one=\"# day\", other=\"# days\") }}.",
    ("1 day", "fr"): "1 jour", ("1000000 days", "fr"): "1 000 000 de jours", ("7 days", "fr"): "7 jours",
}


def phrase_book(text: str, source: str, target: str) -> str:
    assert source == "en"
    if text.startswith("Hi {{ customer_name }},"):
        return {"ru": "Здравствуйте, {{ customer_name }}!", "fr": "Bonjour {{ customer_name }},"}[target]
    return PHRASES[(text, target)]


@pytest.fixture
def replies(tmp_path: Path) -> Path:
    folder = tmp_path / "replies"
    folder.mkdir()
    (folder / "late_fee.yaml").write_text(TEMPLATE, encoding="utf-8")
    return folder


def test_adding_a_locale_changes_nothing_else(replies: Path) -> None:
    path = replies / "late_fee.yaml"
    assert write_translation(path, "ru", "О комиссии", "Здравствуйте!\n\nТекст.", "abcdef012345") == "added"
    text = path.read_text(encoding="utf-8")
    # ru goes before fr (zh en es ru fr order), above the comment that belongs to fr.
    expected_block = ("  ru:\n    source: 'abcdef012345'\n    status: draft\n    subject: \"О комиссии\"\n"
                      "    body: |\n      Здравствуйте!\n\n      Текст.\n")
    assert text == TEMPLATE.replace("  # French, reviewed by Claire.\n", expected_block + "  # French, reviewed by Claire.\n")
    template, problems = load_template(path)
    assert problems == [] and template is not None
    assert template.locales["ru"].status == "draft" and template.locales["ru"].body == "Здравствуйте!\n\nТекст."


def test_replacing_a_locale_keeps_its_comments_and_the_rest(replies: Path) -> None:
    path = replies / "late_fee.yaml"
    assert write_translation(path, "fr", "Frais", "Bonjour,\n\nNouveau texte.", "abcdef012345") == "replaced"
    text = path.read_text(encoding="utf-8")
    start = TEMPLATE.index("    source: '000000000000'")
    end = TEMPLATE.index("# trailing comment")
    assert text == TEMPLATE[:start] + (
        "    # note inside the entry\n    source: 'abcdef012345'\n    status: draft\n    subject: \"Frais\"\n"
        "    body: |\n      Bonjour,\n\n      Nouveau texte.\n") + TEMPLATE[end:]


def test_a_write_that_would_not_read_back_is_refused(replies: Path) -> None:
    path = replies / "late_fee.yaml"
    with pytest.raises(TemplateError, match="file is unchanged"):
        write_translation(path, "ru", "x", "bell \x07 inside", "abcdef012345")
    assert path.read_text(encoding="utf-8") == TEMPLATE


def test_plural_forms_are_rebuilt_for_the_target_locale() -> None:
    text = 'It takes {{ days | plural(one="# day", other="# days") }}.'
    assert translate_template_text(text, "en", "ru", phrase_book) == (
        'Это занимает {{ days | plural(one="# день", few="# дня", many="# дней", other="# дня") }}.')
    assert translate_template_text(text, "en", "fr", phrase_book) == (
        'Cela prend {{ days | plural(one="# jour", many="# de jours", other="# jours") }}.')


def test_drafts_write_missing_and_stale_as_draft_never_approved(replies: Path, runner: CliRunner) -> None:
    config = Config(replies_dir=replies)
    report = make_drafts(config, "ru", translate=phrase_book)
    assert [(i.ref, i.action) for i in report.items] == [("late_fee", "added")]
    assert report.items[0].findings == []
    template = load_library(replies).get("late_fee")
    assert template.translation_state("ru") == "draft"
    assert template.locales["ru"].body == (
        "{% if customer_name %}Здравствуйте, {{ customer_name }}!{% else %}Здравствуйте!{% endif %}\n\n"
        'Это занимает {{ days | plural(one="# день", few="# дня", many="# дней", other="# дня") }}.')
    # A reply in Russian does not use the draft unless the config allows drafts.
    assert select_template(load_library(replies), "late_fee", "ru").choice.locale == "en"
    assert select_template(load_library(replies), "late_fee", "ru", allow_drafts=True).choice.locale == "ru"
    # The stale fr translation is replaced by a draft; the run is idempotent afterwards.
    assert [(i.ref, i.action) for i in make_drafts(config, "fr", translate=phrase_book).items] == [("late_fee", "replaced")]
    assert make_drafts(config, "fr", translate=phrase_book).items == []
    findings = run_checks(config, [replies]).findings
    assert [(f.locale, f.check) for f in findings if f.check != "missing_locale"] == [("ru", "draft"), ("fr", "draft")]
    status = json.loads(runner.invoke(cli, ["--replies", str(replies), "status", "--json"]).stdout)
    assert status["templates"]["late_fee"] == {"zh": "missing", "en": "ok", "es": "missing", "ru": "draft", "fr": "draft"}
    assert status["locales"]["ru"] == {"coverage": 0.0, "ok": 0, "missing": 0, "stale": 0, "draft": 1, "broken": 0}


def test_drafts_dry_run_writes_nothing(replies: Path) -> None:
    report = make_drafts(Config(replies_dir=replies), "ru", dry_run=True, translate=phrase_book)
    assert [(i.action, i.subject) for i in report.items] == [("would add", "О комиссии")]
    assert (replies / "late_fee.yaml").read_text(encoding="utf-8") == TEMPLATE
    assert not (replies / ".sources").exists()


def test_drafts_refuse_the_source_locale(replies: Path, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--replies", str(replies), "drafts", "--locale", "en"])
    assert result.exit_code == 1
    assert result.output == "Error: cannot draft 'en' (--locale). Choose one of zh, es, ru, fr.\n"


def test_stamp_keeps_a_snapshot_so_a_later_edit_shows_a_diff(replies: Path, runner: CliRunner) -> None:
    path = replies / "late_fee.yaml"
    result = runner.invoke(cli, ["--replies", str(replies), "stamp", "late_fee"])
    assert result.exit_code == 0 and result.stdout == "late_fee: fr\n"
    template, _ = load_template(path)
    assert template is not None and template.source is not None
    digest = source_digest(template.source.subject, template.source.body)
    assert SourceStore(replies).get(digest) == (template.source.subject, template.source.body)
    path.write_text(path.read_text(encoding="utf-8").replace("It takes", "It can take"), encoding="utf-8")
    (stale,) = [f for f in run_checks(Config(replies_dir=replies), [replies]).findings if f.check == "stale"]
    assert stale.detail == ('body: -It takes {{ days | plural(one="# day", other="# days") }}.\n'
                            'body: +It can take {{ days | plural(one="# day", other="# days") }}.')


def test_stamp_needs_names_or_all(replies: Path, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--replies", str(replies), "stamp"])
    assert result.exit_code == 2 and "Name the templates to stamp, or pass --all." in result.output


def test_snapshot_only_changes_no_template(replies: Path, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--replies", str(replies), "stamp", "--snapshot-only"])
    assert result.exit_code == 0 and result.stderr == "recorded the source text of 1 template\n"
    assert (replies / "late_fee.yaml").read_text(encoding="utf-8") == TEMPLATE
    assert len(list((replies / ".sources").glob("*.json"))) == 1


def test_a_tampered_snapshot_is_ignored(replies: Path) -> None:
    store = SourceStore(replies)
    digest = store.put("Subject", "Body")
    store.path_of(digest).write_text('{"subject": "Subject", "body": "Other"}', encoding="utf-8")
    assert store.get(digest) is None


def test_stamp_still_works_on_single_files(replies: Path) -> None:
    assert stamp(replies / "late_fee.yaml") == ["fr"]


MIN = Path(__file__).parent / "data" / "replies_min"


def test_preview_reaches_every_plural_category(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--replies", str(MIN), "preview", "tx_pending", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [c["label"] for c in data["cases"]] == [
        "examples", "empty", "long names", "n = 0", "n = 1", "n = 2", "n = 5", "n = 11", "n = 21", "n = 1.5",
        "amount = 0.00123456", "pasted secret"]
    ru = {c["label"]: c["locales"]["ru"]["text"].splitlines()[-1] for c in data["cases"]}
    assert [ru[f"n = {n}"].rsplit("занять ", 1)[1] for n in ("0", "1", "2", "5", "11", "21", "1.5")] == [
        "0 дней.", "1 день.", "2 дня.", "5 дней.", "11 дней.", "21 день.", "1,5 дня."]
    assert ru["amount = 0.00123456"].startswith("Вы отправили 0,00123456\u00a0BTC")
    assert data["cases"][0]["locales"]["fr"] == {"state": "missing", "subject": "", "text": "", "error": None}


def test_preview_text_and_html_page(runner: CliRunner, tmp_path: Path) -> None:
    page = tmp_path / "preview.html"
    result = runner.invoke(cli, ["--replies", str(MIN), "preview", "tx_pending", "--html", str(page)])
    assert result.exit_code == 0
    assert result.stdout.startswith("=== tx_pending · examples (customer_name='Ana', days='5', amount='1150.5')\n"
                                    "[zh] (missing)\n\n[en]\nYour transfer is pending\n\nHi Ana,\n")
    assert result.stderr == f"wrote {page}\n"
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<td class="ok" lang="ru">' in html
    assert '<td class="missing" lang="zh">' in html and "<th scope=\"row\">n = 21" in html


def test_status_table_text(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--replies", str(MIN), "status"])
    assert result.exit_code == 0
    # Columns are as wide as the longest state label ("draft: review").
    assert result.stdout.splitlines() == [
        " " * 24 + "zh            en            es            ru            fr",
        "other                   missing       ok            missing       missing       missing",
        "tx_pending              missing       ok            missing       ok            missing",
        "tutorials/switch_phone  missing       ok            missing       missing       missing",
        "coverage                0%            100%          0%            33%           0%",
    ]
