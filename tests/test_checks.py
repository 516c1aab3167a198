"""`supportkit check`: every rule catches its fault at the right line, and nothing else fires.

Each ``tests/data/bad/bad_<rule>.yaml`` is the same clean five-locale template with one
fault put in; ``tests/data/bad/catalogs/bad_<rule>.po`` the same for catalogs.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from supportkit.cli import cli
from supportkit.config import BUNDLED_LOCALES, BUNDLED_REPLIES, Config
from supportkit.writers.checks import RULES, Finding, all_rule_ids, format_findings, run_checks

BAD = Path(__file__).parent / "data" / "bad"
CATALOGS = BAD / "catalogs"

# The one finding (or the exact findings) each fixture must produce, as the CLI prints them.
EXPECTED: dict[str, list[str]] = {
    "syntax": ["50: ru: syntax: body: {% if %} is never closed ({% endif %} missing)"],
    "placeholders": [
        "52: ru: placeholders: warning: body: {{ brand.help_center }} from the source is not used",
        "60: fr: placeholders: body: {{ nom_client }} is not in the en source (renamed from {{ customer_name }}?)",
    ],
    "undeclared_variable": ["36: zh: undeclared_variable: body: {{ order_id }} is not declared under variables:"],
    "unused_variable": ["12: -: unused_variable: warning: variable 'order_id' is declared but no locale uses it"],
    "unknown_filter": ["41: es: unknown_filter: body: filter 'wordwrap' is not allowed (allowed: abs, amount, "
                       "capitalize, date, datetime, default, e, escape, first, int, join, last, length, list, lower, "
                       "number, percent, plural, replace, sort, string, title, trim, truncate, upper, wordcount)"],
    "missing_locale": ["19: fr: missing_locale: no fr translation and no declared fallback"],
    "plural_forms": ["52: ru: plural_forms: plural form few missing (ru needs one/few/many/other)"],
    "stale": ["55: fr: stale: source changed since 5648d4030f52 (now bbd3917c0ecb); update the translation, "
              "then `supportkit stamp`"],
    "render": ["41: es: render: body: fails with example values: not a number: 'Ana'"],
    "rendered_reply": ["63: fr: rendered_reply: body: links to t.me/tp_assistance_fr, which is not an allowed domain "
                       "(the brand's, a block explorer, or allowed_domains in [brand])"],
    "draft": ["46: ru: draft: warning: machine draft needs review (set status: approved once checked)"],
    "blank": ["37: es: blank: warning: subject is empty while the source has one"],
    "length": ["50: ru: length: warning: body is 1706 characters with the safety notice (pasted secret), over the chat "
               "limit of 1200"],
    "markup": ["63: fr: markup: body: '(' is never closed"],
    "url": ["45: es: url: body: URL https://soporte-wallet.example.com/ayuda is not in the source text"],
    "protected": ["50: ru: protected: body: 'USDT' from the source is missing or altered"],
    "secret_request": ["34: zh: secret_request: body: asks for a recovery phrase or private key: "
                       "'请把您的助记词发给我们，以便核实。'"],
    "same_as_source": ["57: fr: same_as_source: warning: subject is identical to the en source (untranslated?)"],
    "punctuation": ["63: fr: punctuation: warning: body: plain space next to ':' (use a narrow no-break space, U+202F)"],
    "whitespace": ["43: es: whitespace: warning: body: double space"],
    "invisible": ["52: ru: invisible: warning: body: invisible character U+200B"],
    "replacement_char": ["30: zh: replacement_char: warning: subject: U+FFFD replacement character "
                         "(re-save the file as UTF-8)"],
    "glossary": ["34: zh: glossary: warning: body: '原生币': the agreed term for 'native coin' is '主币'",
                 "43: es: glossary: warning: body: 'frase semilla': the agreed term for 'recovery phrase' is "
                 "'frase de recuperación'",
                 "52: ru: glossary: warning: body: 'Хэш': the agreed term for 'transaction hash' is 'хеш'",
                 "61: fr: glossary: warning: body: 'jetons': the agreed term for 'token' is 'token'"],
    "reassures_after_notice": [
        f"{line}: {code}: reassures_after_notice: body: {word!r} reassures right after the safety notice "
        "(wrap it in {% if not secret_found %})"
        for line, code, word in ((35, "zh", "不必担心"), (44, "es", "Tranquilo"), (53, "ru", "Не беспокойтесь"),
                                 (62, "fr", "Rassurez-vous"))],
    "typography": [
        "35: zh: typography: warning: body: list numbered with 、 (the texts number lists 1. 2. 3.)",
        "35: zh: typography: warning: body: no space between Han characters and Latin letters or digits",
        "35: zh: typography: warning: body: no space between Han characters and Latin letters or digits",
        "55: ru: typography: warning: body: no no-break space (U+00A0) after «№»",
        "55: ru: typography: warning: body: plain space between a number and its unit (use a no-break space, U+00A0)",
        "64: fr: typography: warning: body: straight apostrophe ' (use ’)",
    ],
    "hardcoded_brand": ["61: fr: hardcoded_brand: warning: body: 'TokenPocket' typed in; use {{ brand.product }}"],
}

CATALOG_EXPECTED: dict[str, list[str]] = {
    "catalog_plurals": ["9: ru: catalog_plurals: '{count} error': plural form msgstr[2] is missing or empty "
                        "(ru needs 3 forms)"],
    "catalog_placeholders": ["9: fr: catalog_placeholders: 'file not found: {path}': unknown {chemin}; missing {path}"],
    "catalog_fuzzy": ["10: es: catalog_fuzzy: warning: 'Print JSON.': fuzzy translation, review and drop the flag"],
    "catalog_untranslated": ["9: zh: catalog_untranslated: warning: 'Print JSON.': not translated"],
    "catalog_syntax": ["11: ru: catalog_syntax: cannot parse: Unknown or misformatted keyword"],
}


def short(finding: Finding) -> str:
    """A finding as the CLI prints it, without the path and template (asserted separately)."""
    line = format_findings([finding]).splitlines()[0]
    assert line.startswith(f"{finding.path}:")
    number, locale, template, rest = line[len(finding.path) + 1:].split(": ", 3)
    assert template == finding.template
    return f"{number}: {locale}: {rest}"


def test_every_rule_has_a_bad_fixture() -> None:
    assert sorted(EXPECTED) == sorted(r.id for r in RULES)
    assert sorted(p.stem.removeprefix("bad_") for p in BAD.glob("bad_*.yaml")) == sorted(EXPECTED)
    assert sorted(p.stem.removeprefix("bad_") for p in CATALOGS.glob("bad_*.po")) == sorted(CATALOG_EXPECTED)


@pytest.mark.parametrize("rule_id", sorted(EXPECTED))
def test_bad_fixture_gives_exactly_its_finding(rule_id: str) -> None:
    path = BAD / f"bad_{rule_id}.yaml"
    report = run_checks(Config(), [path])
    assert [short(f) for f in report.findings] == EXPECTED[rule_id]
    assert {f.path for f in report.findings} == {str(path)}
    assert {f.template for f in report.findings} == {f"bad_{rule_id}"}
    assert report.findings[-1].check == rule_id


@pytest.mark.parametrize("rule_id", sorted(CATALOG_EXPECTED))
def test_bad_catalog_gives_exactly_its_finding(rule_id: str) -> None:
    path = CATALOGS / f"bad_{rule_id}.po"
    report = run_checks(Config(), [path])
    assert [short(f) for f in report.findings] == CATALOG_EXPECTED[rule_id]
    assert report.findings[0].path == str(path)


def test_every_rule_can_be_switched_off_in_config() -> None:
    paths = sorted(BAD.glob("bad_*.yaml"))
    everything = Config(disabled_checks=tuple(all_rule_ids()))
    assert run_checks(everything, paths).findings == []
    for rule_id in EXPECTED:
        report = run_checks(Config(disabled_checks=(rule_id,)), [BAD / f"bad_{rule_id}.yaml"])
        assert rule_id not in {f.check for f in report.findings}


def test_rule_switched_off_per_template(tmp_path: Path) -> None:
    target = tmp_path / "replies"
    target.mkdir()
    text = (BAD / "bad_plural_forms.yaml").read_text(encoding="utf-8")
    text = text.replace("updated: 2026-11-20\n", "updated: 2026-11-20\nchecks:\n  disable: [plural_forms, no_such_rule]\n")
    (target / "bad_plural_forms.yaml").write_text(text, encoding="utf-8")
    findings = run_checks(Config(), [target]).findings
    assert [(f.line, f.check, f.severity, f.message) for f in findings] == [
        (8, "schema", "warning", "checks.disable: no rule called 'no_such_rule'")]


def test_allowlist_needs_a_reason_and_suppresses_matching_findings(tmp_path: Path) -> None:
    target = tmp_path / "replies"
    target.mkdir()
    shutil.copy(BAD / "bad_same_as_source.yaml", target)
    (target / "allowlist.toml").write_text(
        '[[allow]]\ncheck = "same_as_source"\ntemplate = "bad_same_as_source"\nlocale = "fr"\n'
        'reason = "the subject is a brand slogan kept in English"\n'
        '[[allow]]\ncheck = "blank"\n', encoding="utf-8")
    report = run_checks(Config(), [target])
    assert [(f.check, f.message) for f in report.findings] == [
        ("allowlist", "[[allow]] #2: every entry needs check and a reason")]
    assert report.allowed == 1


def test_stale_shows_the_source_diff_from_the_snapshot() -> None:
    (finding,) = run_checks(Config(), [BAD / "bad_stale.yaml"]).findings
    assert finding.detail.splitlines() == [
        'body: -Your USDT transfer can take {{ days | plural(one="# day", other="# days") }}. '
        "Never share your recovery phrase with anyone.",
        'body: +Your USDT transfer can take up to {{ days | plural(one="# day", other="# days") }}. '
        "Never share your recovery phrase with anyone.",
    ]
    assert format_findings([finding]).splitlines()[1].startswith("    body: -Your USDT transfer can take {{")


def test_stale_without_snapshot_says_since_which_digest(tmp_path: Path) -> None:
    shutil.copy(BAD / "bad_stale.yaml", tmp_path)
    (finding,) = run_checks(Config(), [tmp_path / "bad_stale.yaml"]).findings
    assert finding.message.startswith("source changed since 5648d4030f52 (now bbd3917c0ecb)")
    assert finding.detail == ""


def test_edited_english_source_makes_untouched_translations_stale(tmp_path: Path) -> None:
    path = tmp_path / "bad_syntax.yaml"
    text = (BAD / "bad_plural_forms.yaml").read_text(encoding="utf-8").replace("id: bad_plural_forms", "id: bad_syntax")
    path.write_text(text.replace("Your transfer is pending", "Your transfer is still pending"), encoding="utf-8")
    findings = run_checks(Config(disabled_checks=("plural_forms",)), [path]).findings
    assert [(f.locale, f.check) for f in findings] == [("zh", "stale"), ("es", "stale"), ("ru", "stale"), ("fr", "stale")]


@pytest.mark.parametrize(("expression", "message"), [
    ("{{ 1 / 0 }}", "template failed while rendering: ZeroDivisionError: division by zero"),
    ("{% if customer_name is odd %}x{% endif %}", "template failed while rendering: TypeError"),
    ('{{ "x" * 10 ** 9 }}', "repeating a sequence 1000000000 times makes about 1000000000 characters"),
])
def test_an_expression_that_fails_when_rendered_is_a_finding_not_a_crash(tmp_path: Path, expression: str,
                                                                          message: str) -> None:
    path = tmp_path / "bad_render.yaml"
    text = (BAD / "bad_render.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("{{ customer_name | number }}", "{{ customer_name }}")
                    .replace("Ayuda: {{ brand.help_center }}", "Ayuda: {{ brand.help_center }} " + expression),
                    encoding="utf-8")
    (finding,) = run_checks(Config(), [path]).findings
    assert (finding.line, finding.locale, finding.check) == (45, "es", "render")  # the line it failed on
    assert message in finding.message


def test_a_translation_may_branch_on_the_situation_alone(tmp_path: Path) -> None:
    # secret_found and urgent are not placeholders: a locale can hide its own reassuring opener.
    path = tmp_path / "bad_placeholders.yaml"
    text = (BAD / "bad_placeholders.yaml").read_text(encoding="utf-8")
    hello = "{% if customer_name %}Hola, {{ customer_name }}:{% else %}Hola:{% endif %}"
    assert text.count(hello) == 1
    path.write_text(text.replace(hello, hello + "{% if not secret_found and not urgent %} ¡Buenas!{% endif %}"),
                    encoding="utf-8")
    findings = run_checks(Config(), [path]).findings
    assert [(f.locale, f.check) for f in findings] == [("ru", "placeholders"), ("fr", "placeholders")]


def test_locale_filter_keeps_that_locale_only() -> None:
    report = run_checks(Config(), [BAD / "bad_placeholders.yaml"], locale="fr")
    assert [f.locale for f in report.findings] == ["fr"]


def test_cli_text_json_github_and_exit_codes(runner: CliRunner) -> None:
    path = str(BAD / "bad_plural_forms.yaml")
    result = runner.invoke(cli, ["check", path])
    assert result.exit_code == 1
    assert result.stdout == (f"{path}:52: ru: bad_plural_forms: plural_forms: plural form few missing "
                             "(ru needs one/few/many/other)\n")
    assert result.stderr == "1 error and 0 warnings (templates checked: 1, catalogs: 0)\n"

    result = runner.invoke(cli, ["check", "--format", "json", path])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [{
        "path": path, "line": 52, "locale": "ru", "template": "bad_plural_forms", "check": "plural_forms",
        "severity": "error", "message": "plural form few missing (ru needs one/few/many/other)"}]

    result = runner.invoke(cli, ["check", "--format", "github", path])
    assert result.stdout == (f"::error file={path},line=52,title=plural_forms (ru)::plural form few missing "
                             "(ru needs one/few/many/other)\n")

    warning_only = str(BAD / "bad_whitespace.yaml")
    result = runner.invoke(cli, ["check", warning_only])
    assert result.exit_code == 0
    assert result.stderr == "0 errors and 1 warning (templates checked: 1, catalogs: 0)\n"


def test_github_annotation_escapes_newlines_and_separators() -> None:
    finding = Finding("a,b:c.yaml", 3, "fr", "t", "stale", "error", "changed 100%", "body: -old\nbody: +new")
    assert format_findings([finding], "github") == (
        "::error file=a%2Cb%3Ac.yaml,line=3,title=stale (fr)::changed 100%25%0Abody: -old%0Abody: +new")


def test_missing_path_is_a_clean_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["check", "nope/missing.yaml"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: no such file or folder: nope/missing.yaml")


def test_the_clean_base_passes_every_rule(tmp_path: Path) -> None:
    # bad_draft differs from the clean base only by `status: draft`.
    path = tmp_path / "bad_draft.yaml"
    path.write_text((BAD / "bad_draft.yaml").read_text(encoding="utf-8").replace("    status: draft\n", ""),
                    encoding="utf-8")
    assert run_checks(Config(), [path]).findings == []


def test_a_translation_may_branch_on_the_situation_where_the_source_does_not(tmp_path: Path) -> None:
    # Each locale hides its own reassuring words from a customer who pasted a secret.
    path = tmp_path / "bad_draft.yaml"
    text = (BAD / "bad_draft.yaml").read_text(encoding="utf-8").replace("    status: draft\n", "")
    greeting = "{% else %}您好！{% endif %}\n"
    assert text.count(greeting) == 1
    path.write_text(text.replace(greeting, greeting + "      {% if not secret_found and not urgent %}请放心。{% endif %}\n"),
                    encoding="utf-8")
    assert run_checks(Config(), [path]).findings == []


def test_bundled_library_and_catalogs_pass_with_zero_findings() -> None:
    report = run_checks(Config(), [BUNDLED_REPLIES, BUNDLED_LOCALES])
    assert [str(f) for f in report.findings] == []
    assert report.templates > 30 and report.catalogs == 4


# --- the shortcuts `check` takes must find exactly what the plain way finds ---------------------

def test_secret_scan_look_ahead_changes_no_match() -> None:
    from supportkit.safety import SECRET_TERMS, secret_term_re

    plain = re.compile(SECRET_TERMS, re.IGNORECASE)
    words = ["recovery", "Seed", "SECRET", "mnemonic", "backup", "phrase", "words", "private", "keys", "助记词",
             "私钥", "恢复短语", "frases", "de", "recuperación", "semilla", "claves", "privadas", "сид-фраза",
             "Сид", "фразу", "восстановления", "секретную", "мнемонику", "приватный", "ключ", "Закрытый",
             "phrases", "récupération", "secrète", "Clés", "privées", "ſeed", "x", " ", "\n", "-"]
    rng = random.Random(5)
    for _ in range(3000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 8)))
        fast, slow = secret_term_re().search(text), plain.search(text)
        assert (fast and fast.span()) == (slow and slow.span()), text


def test_glossary_one_scan_finds_what_the_per_term_scans_find() -> None:
    from supportkit.writers.checks.prose import GLOSSARY, _any_term, _term

    term_sets = [(preferred, *variants) for per_locale in GLOSSARY.values() for preferred, variants in per_locale.values()]
    term_sets.append(("助记词", "seed phrases?", "私钥"))  # Chinese and other terms together
    words = [word for terms in term_sets for term in terms for word in re.sub(r"s\?|\?|\\w\*", "", term).split()]
    words += ["x", "s", " ", "\n", "-", ".", "SEED", "ſeed", "ФРАЗЫ", "Сид-Фраза", "中", "_", "1"]
    rng = random.Random(3)
    for terms in term_sets:
        for _ in range(1000):
            text = "".join(rng.choice(words) + rng.choice(["", " ", ""]) for _ in range(rng.randint(1, 6)))
            assert bool(_any_term(terms).search(text)) == any(_term(t).search(text) for t in terms), (terms, text)


@pytest.mark.parametrize("changes", [{}, {"website": "https://", "twitter": "[x]"}, {"product": "TOKENPOCKET"},
                                     {"product": "", "support_email": ""}])
def test_hardcoded_brand_one_scan_finds_what_the_per_setting_scans_find(
        changes: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from supportkit.config import Brand
    from supportkit.writers.checks import prose

    config = Config(brand=Brand(**changes))
    paths = sorted(BAD.glob("bad_*.yaml")) + sorted(BUNDLED_REPLIES.glob("*.yaml"))[:5]
    fast = run_checks(config, paths).findings
    monkeypatch.setattr(prose, "_any_brand_value", lambda values: re.compile(""))  # every text scanned per setting
    assert run_checks(config, paths).findings == fast




def test_a_reassuring_opener_kept_for_customers_who_pasted_no_secret_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "bad_reassures_after_notice.yaml"
    text = (BAD / "bad_reassures_after_notice.yaml").read_text(encoding="utf-8")
    text = text.replace("      Rassurez-vous, votre", "      {% if not secret_found %}Rassurez-vous, v{% else %}V{% endif %}otre")
    path.write_text(text, encoding="utf-8")
    assert [f.locale for f in run_checks(Config(), [path]).findings] == ["zh", "es", "ru"]


def test_length_is_measured_with_no_values_too(tmp_path: Path) -> None:
    # A branch taken only when a variable is empty can be the long one (tx_pending with no network).
    path = tmp_path / "bad_draft.yaml"
    text = (BAD / "bad_draft.yaml").read_text(encoding="utf-8").replace("    status: draft\n", "")
    hello = "{% if customer_name %}Hola, {{ customer_name }}:{% else %}Hola:{% endif %}"
    long_branch = "{% if customer_name %}Hola, {{ customer_name }}:{% else %}Hola:" + " texto" * 250 + "{% endif %}"
    path.write_text(text.replace(hello, long_branch), encoding="utf-8")
    (finding,) = run_checks(Config(), [path]).findings
    assert (finding.locale, finding.check) == ("es", "length")
    assert "no values, over the chat limit of 1200" in finding.message  # the longest of the measures with none


@pytest.mark.parametrize(("forms", "findings"), [
    (['"Vouliez-vous dire {possibility} ?"', '"(Options possibles : {possibilities})"', '"(Options : {possibilities})"'], 0),
    (['"Vouliez-vous dire {possibility} ?"', '"(Options possibles : {possibilites})"', '"x {possibilities}"'], 1),
    (['"Vouliez-vous dire {possibility} ?"', '"Options possibles"', '"x {possibilities}"'], 1),
])
def test_a_plural_form_may_use_either_english_forms_names(tmp_path: Path, forms: list[str], findings: int) -> None:
    # click: ngettext("Did you mean {possibility}?", "(Possible options: {possibilities})", n) gets both names.
    head = (CATALOGS / "bad_catalog_placeholders.po").read_text(encoding="utf-8").split("#: supportkit")[0]
    entry = ('#: click/core.py\nmsgid "Did you mean {possibility}?"\nmsgid_plural "(Possible options: {possibilities})"\n'
             + "".join(f"msgstr[{n}] {form}\n" for n, form in enumerate(forms)))
    path = tmp_path / "fr.po"
    path.write_text(head + entry, encoding="utf-8")
    assert len([f for f in run_checks(Config(), [path]).findings if f.check == "catalog_placeholders"]) == findings


def test_length_counts_the_safety_notice_a_customer_who_pasted_a_secret_reads(tmp_path: Path) -> None:
    path = tmp_path / "bad_draft.yaml"
    text = (BAD / "bad_draft.yaml").read_text(encoding="utf-8").replace("    status: draft\n", "")
    hello = "{% if customer_name %}Hola, {{ customer_name }}:{% else %}Hola:{% endif %}"
    path.write_text(text.replace(hello, hello + "{% if secret_found %}" + " texto" * 150 + "{% endif %}"),
                    encoding="utf-8")
    (finding,) = run_checks(Config(), [path]).findings
    assert (finding.locale, finding.check) == ("es", "length")
    assert "characters with the safety notice (pasted secret)" in finding.message


def _draft_with_network_branch(tmp_path: Path, cases: str) -> Path:
    """bad_draft with a ``network`` variable whose Solana branch (not the example) is over the limit."""
    path = tmp_path / "bad_draft.yaml"
    text = (BAD / "bad_draft.yaml").read_text(encoding="utf-8").replace("    status: draft\n", "")
    text = text.replace('  days: {type: number, default: "3", example: "5"}\n',
                        '  days: {type: number, default: "3", example: "5"}\n'
                        f'  network: {{type: text, default: "", example: TRON{cases}}}\n')
    hello = "{% if customer_name %}Hola, {{ customer_name }}:{% else %}Hola:{% endif %}"
    text = text.replace(hello, hello + "{% if network == 'Solana' %}" + " texto" * 250 + "{% endif %}")
    path.write_text(text, encoding="utf-8")
    return path


def _lengths(path: Path) -> list[Finding]:
    return [finding for finding in run_checks(Config(), [path]).findings if finding.check == "length"]


def test_length_renders_each_declared_case_of_a_variable(tmp_path: Path) -> None:
    # tx_pending's length was measured on the TRON example only: its Ethereum branch ran over the limit unseen.
    assert _lengths(_draft_with_network_branch(tmp_path, "")) == []
    (finding,) = _lengths(_draft_with_network_branch(tmp_path, ", cases: [Ethereum, Solana]"))
    assert (finding.locale, finding.check) == ("es", "length")
    assert "characters with the safety notice (pasted secret) and network=Solana, over the chat limit" in finding.message


def test_cases_must_be_a_list(tmp_path: Path) -> None:
    path = _draft_with_network_branch(tmp_path, ", cases: Solana")
    messages = [finding.message for finding in run_checks(Config(), [path]).findings]
    assert "variable 'network': cases must be a list of values" in " ".join(messages)


def test_length_is_measured_with_only_the_name_too(tmp_path: Path) -> None:
    # The name is what an agent most often has: with it and nothing else, es tx_pending ran 1,212 characters.
    path = tmp_path / "bad_draft.yaml"
    text = (BAD / "bad_draft.yaml").read_text(encoding="utf-8").replace("    status: draft\n", "")
    hello = "{% if customer_name %}Hola, {{ customer_name }}:{% else %}Hola:{% endif %}"
    path.write_text(text.replace(hello, hello + "{% if customer_name and days | string != '5' %}" + " texto" * 200 + "{% endif %}"),
                    encoding="utf-8")
    (finding,) = _lengths(path)
    assert (finding.locale, finding.check) == ("es", "length")
    assert "only the name, over the chat limit of 1200" in finding.message
