"""`drafts` keeps approved sentences (the translation memory), shows a real diff, and fails loudly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from supportkit.cli import cli
from supportkit.config import Config
from supportkit.library import load_library
from supportkit.library.edit import stamp
from supportkit.library.sources import TranslationMemory
from supportkit.writers import drafts as drafts_module
from supportkit.writers.drafts import aligned_sentences, make_drafts, translate_template_text

TEMPLATE = """\
id: fee
kind: reply
intents: [gas_fee]
locales:
  en:
    subject: About the fee
    body: |
      {% if customer_name %}Hi {{ customer_name }},{% else %}Hi there,{% endif %}

      The fee pays the network. It is not ours. We never see it.
      - Check your balance first.
  fr:
    subject: Au sujet des frais
    body: |
      {% if customer_name %}Bonjour {{ customer_name }},{% else %}Bonjour,{% endif %}

      Les frais paient le réseau. Ils ne sont pas pour nous. Nous ne les voyons jamais.
      - Vérifiez d'abord votre solde.
"""

MACHINE = {
    "It is not ours at all.": "MT[Ce n'est pas du tout à nous.]",
    "Check your balance twice.": "MT[Vérifiez deux fois votre solde.]",
    "The fee pays the network.": "MT[Les frais paient le réseau.]",
}


class Engine:
    """A stand-in for the translation engine that remembers what it was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, text: str, source: str, target: str) -> str:
        self.asked.append(text)
        return MACHINE.get(text, f"MT[{text}]")


@pytest.fixture
def replies(tmp_path: Path) -> Path:
    folder = tmp_path / "replies"
    folder.mkdir()
    (folder / "fee.yaml").write_text(TEMPLATE, encoding="utf-8")
    assert stamp(folder / "fee.yaml") == ["fr"]  # approved, with a snapshot of its source
    return folder


def edit_source(replies: Path, old: str, new: str) -> None:
    path = replies / "fee.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_only_the_changed_sentence_is_drafted(replies: Path) -> None:
    edit_source(replies, "It is not ours.", "It is not ours at all.")
    engine = Engine()
    report = make_drafts(Config(replies_dir=replies), "fr", translate=engine)
    assert engine.asked == ["It is not ours at all."]
    (item,) = report.items
    assert (item.action, item.kept, item.drafted) == ("replaced", 6, 1)
    fr = load_library(replies).get("fee").locales["fr"]
    assert fr.status == "draft" and fr.subject == "Au sujet des frais"
    assert fr.body == (
        "{% if customer_name %}Bonjour {{ customer_name }},{% else %}Bonjour,{% endif %}\n\n"
        "Les frais paient le réseau. MT[Ce n'est pas du tout à nous.] Nous ne les voyons jamais.\n"
        "- Vérifiez d'abord votre solde.")
    memory = TranslationMemory(replies).get("fee", "fr")
    assert memory["body"]["sentences"]["It is not ours."] == "Ils ne sont pas pour nous."
    assert memory["body"]["pieces"]["- Check your balance first."] == "- Vérifiez d'abord votre solde."
    assert memory["subject"] == {"pieces": {"About the fee": "Au sujet des frais"},
                                 "sentences": {"About the fee": "Au sujet des frais"}}
    assert (replies / ".memory" / "fr" / "fee.json").is_file()


def test_approved_sentences_survive_a_second_draft_before_approval(replies: Path) -> None:
    config = Config(replies_dir=replies)
    edit_source(replies, "It is not ours.", "It is not ours at all.")
    make_drafts(config, "fr", translate=Engine())
    edit_source(replies, "Check your balance first.", "Check your balance twice.")
    engine = Engine()
    (item,) = make_drafts(config, "fr", translate=engine).items
    # The draft's machine sentence was never approved: asked again; the approved ones are kept.
    assert engine.asked == ["It is not ours at all.", "Check your balance twice."]
    assert (item.kept, item.drafted) == (5, 2)
    assert load_library(replies).get("fee").locales["fr"].body.endswith(
        "Les frais paient le réseau. MT[Ce n'est pas du tout à nous.] Nous ne les voyons jamais.\n"
        "- MT[Vérifiez deux fois votre solde.]")


def test_lines_that_do_not_line_up_give_no_pairs() -> None:
    nothing = {"pieces": {}, "sentences": {}}
    assert aligned_sentences("A b. C d.\nE.", "Un. Deux.", "en", "fr") == nothing
    assert aligned_sentences("{% if x %}A b. C d.{% endif %}", "{% if y %}Un. Deux.{% endif %}", "en", "fr") == nothing
    # Tags equal but for spacing: pieces verbatim (outer spaces too), sentences one by one.
    assert aligned_sentences("{% if x %} A b. C d.{% endif %}", "{%  if x %}Un. Deux.{% endif %}", "en", "fr") == {
        "pieces": {" A b. C d.": "Un. Deux."}, "sentences": {"A b.": "Un.", "C d.": "Deux."}}
    # Different sentence counts: the whole piece only; a piece the translator left empty stays empty.
    assert aligned_sentences("One. Two.{% if x %} On {% endif %}", "Un et deux.{% if x %} {% endif %}", "en", "fr") == {
        "pieces": {"One. Two.": "Un et deux.", " On ": " "}, "sentences": {}}


def test_an_unchanged_piece_keeps_its_approved_spacing() -> None:
    memory = {"pieces": {" On ": " ", "until the ": "jusqu’à ce que le réseau"}, "sentences": {}}
    text = "{% if x %} On {% endif %}until the {% if y %}net{% endif %}"
    assert translate_template_text(text, "en", "fr", Engine(), memory) == (
        "{% if x %} {% endif %}jusqu’à ce que le réseau{% if y %}MT[net]{% endif %}")


def test_dry_run_shows_a_unified_diff_and_writes_nothing(replies: Path, runner: CliRunner,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    edit_source(replies, "It is not ours.", "It is not ours at all.")
    monkeypatch.setattr(drafts_module, "default_translator", Engine)
    before = {p: p.read_bytes() for p in replies.rglob("*") if p.is_file()}
    result = runner.invoke(cli, ["--replies", str(replies), "drafts", "--locale", "fr", "--dry-run"])
    assert result.exit_code == 0, result.output
    path = replies / "fee.yaml"
    digest = load_library(replies).get("fee").source_digest()
    old_digest = load_library(replies).get("fee").locales["fr"].source
    assert result.stdout == (
        f"{path}: fr: would replace (6 approved sentences kept, 1 drafted)\n"
        f"--- {path}\n+++ {path}\n"
        "@@ -10,10 +10,11 @@\n"
        "       The fee pays the network. It is not ours at all. We never see it.\n"
        "       - Check your balance first.\n"
        "   fr:\n"
        f"-    source: '{old_digest}'\n"
        "-    subject: Au sujet des frais\n"
        f"+    source: '{digest}'\n"
        "+    status: draft\n"
        "+    subject: \"Au sujet des frais\"\n"
        "     body: |\n"
        "       {% if customer_name %}Bonjour {{ customer_name }},{% else %}Bonjour,{% endif %}\n"
        " \n"
        "-      Les frais paient le réseau. Ils ne sont pas pour nous. Nous ne les voyons jamais.\n"
        "+      Les frais paient le réseau. MT[Ce n'est pas du tout à nous.] Nous ne les voyons jamais.\n"
        "       - Vérifiez d'abord votre solde.\n")
    assert result.stderr == "1 draft would be written; nothing was changed.\n"
    assert {p: p.read_bytes() for p in replies.rglob("*") if p.is_file()} == before
    data = json.loads(runner.invoke(cli, ["--replies", str(replies), "drafts", "--locale", "fr", "--dry-run",
                                          "--json"]).stdout)
    assert data["items"][0]["diff"] == result.stdout.split("\n", 1)[1]
    assert data["error"] is None


def test_no_model_is_an_error_with_the_reason(replies: Path, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--replies", str(replies), "drafts", "--locale", "ru"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1].startswith(
        "Error: no translation model for en -> ru (")
    assert "Install it (online): supportkit models install en ru;" in result.stderr
    assert "ru:" not in (replies / "fee.yaml").read_text(encoding="utf-8")


def test_a_failing_engine_fails_the_run_with_the_reason(replies: Path, runner: CliRunner,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_engine() -> object:
        def run(text: str, source: str, target: str) -> str:
            raise RuntimeError("model crashed")
        return run

    monkeypatch.setattr(drafts_module, "default_translator", broken_engine)
    result = runner.invoke(cli, ["--replies", str(replies), "drafts", "--locale", "ru"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"{replies / 'fee.yaml'}: ru: failed: RuntimeError: model crashed\n"
        "0 drafts written for review; none is used in replies until approved.\n"
        "Error: 1 template could not be drafted. The reasons are listed above.\n")
