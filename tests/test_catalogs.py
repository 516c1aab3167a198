"""gettext catalogs: loud extraction, update, compile into a cache, and the CLI in the user's language."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from supportkit import i18n
from supportkit.cache import cache_dir
from supportkit.cli import cli
from supportkit.config import BUNDLED_LOCALES
from supportkit.errors import CatalogError
from supportkit.i18n.catalogs import (
    CATALOG_LOCALES,
    compiled_catalog,
    extract_messages,
    update_catalogs,
    write_pot,
)
from supportkit.writers.checks.catalogs import check_catalogs

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A tiny project laid out like supportkit: code and site templates with one string each."""
    (tmp_path / "supportkit" / "faq" / "templates").mkdir(parents=True)
    (tmp_path / "supportkit" / "cli.py").write_text(
        'from supportkit.i18n import _, ngettext\n_("file not found: {path}")\nngettext("{count} error", "{count} errors", 2)\n',
        encoding="utf-8")
    (tmp_path / "supportkit" / "faq" / "templates" / "base.html").write_text(
        '<a href="#main">{{ _("Skip to content") }}</a>\n{% if page %}{{ page }}{% endif %}\n', encoding="utf-8")
    return tmp_path


def test_extraction_finds_code_and_site_strings(project: Path) -> None:
    catalog = extract_messages(project)
    assert sorted(str(m.id) for m in catalog if m.id) == [
        "('{count} error', '{count} errors')", "Skip to content", "file not found: {path}"]


def test_extraction_fails_loudly_when_a_pattern_matches_nothing(project: Path) -> None:
    shutil.rmtree(project / "supportkit" / "faq" / "templates")
    (project / "supportkit" / "faq" / "templates").mkdir()
    with pytest.raises(CatalogError, match=r"extraction found no \*\*/\*\.html files under supportkit/faq/templates"):
        extract_messages(project)


def test_extraction_fails_loudly_when_files_hold_no_strings(project: Path) -> None:
    (project / "supportkit" / "cli.py").write_text("print('no gettext here')\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"no translatable strings in supportkit/\*\*/\*\.py"):
        extract_messages(project)


def test_update_compile_and_speak_french(project: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner) -> None:
    locales = project / "locales"
    assert write_pot(project, locales / "messages.pot") == 3
    assert update_catalogs(locales) == dict.fromkeys(CATALOG_LOCALES, 3)
    po = locales / "fr" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgid "file not found: {path}"\nmsgstr ""', 'msgid "file not found: {path}"\nmsgstr "fichier introuvable : {path}"')
    # fr has three gettext forms in current CLDR (one, many, other): fill them all.
    text = text.replace('msgstr[0] ""\nmsgstr[1] ""\nmsgstr[2] ""',
                        'msgstr[0] "{count} erreur"\nmsgstr[1] "{count} erreurs"\nmsgstr[2] "{count} erreurs"')
    po.write_text(text, encoding="utf-8")
    findings, count = check_catalogs(locales)
    assert count == 4
    assert [(f.locale, f.check) for f in findings if f.locale == "fr"] == [("fr", "catalog_untranslated")]

    mo = compiled_catalog(locales, "fr")
    assert mo is not None and mo[:4] in (b"\xde\x12\x04\x95", b"\x95\x04\x12\xde")  # gettext's magic
    assert list(cache_dir().glob("catalog-fr-*"))  # compiled into the cache...
    assert not list(locales.rglob("*.mo"))  # ...not beside the .po
    monkeypatch.setenv("SUPPORTKIT_LOCALES_DIR", str(locales))
    monkeypatch.setenv("SUPPORTKIT_LANG", "fr")
    i18n._translations.cache_clear()
    assert i18n._("file not found: {path}").format(path="x") == "fichier introuvable : x"
    assert i18n.ngettext("{count} error", "{count} errors", 0) == "{count} erreur"
    assert i18n.ngettext("{count} error", "{count} errors", 2) == "{count} erreurs"
    assert i18n.ngettext("{count} error", "{count} errors", 1_000_000) == "{count} erreurs"
    assert i18n._("Skip to content") == "Skip to content"  # untranslated: English, not empty


@pytest.mark.parametrize(("env", "expected"), [
    ({"SUPPORTKIT_LANG": "ru", "LANG": "fr_FR.UTF-8"}, "ru"),
    ({"LC_ALL": "es_MX.UTF-8", "LC_MESSAGES": "fr_FR", "LANG": "zh_CN.UTF-8"}, "es"),
    ({"LC_MESSAGES": "fr_CA.UTF-8@euro", "LANG": "zh_CN.UTF-8"}, "fr"),
    ({"LANG": "zh_TW.UTF-8"}, "zh"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LANG": "de_DE.UTF-8"}, "en"),
    ({}, "en"),
])
def test_language_comes_from_supportkit_lang_then_posix_variables(env: dict[str, str], expected: str) -> None:
    assert i18n.current_language(env) == expected


def test_the_cli_speaks_the_users_language(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = str(ROOT / "tests" / "data" / "bad" / "bad_whitespace.yaml")
    expected = {
        "ru": "0 ошибок и 1 предупреждение (проверено шаблонов: 1, каталогов: 0)\n",
        "fr": "0 erreur et 1 avertissement (modèles vérifiés\u202f: 1, catalogues\u202f: 0)\n",
        "es": "0 errores y 1 advertencia (plantillas revisadas: 1; catálogos: 0)\n",
        "zh": "0 个错误，1 个警告（已检查模板：1，翻译目录：0）\n",
        "en": "0 errors and 1 warning (templates checked: 1, catalogs: 0)\n",
    }
    for code, summary in expected.items():
        monkeypatch.setenv("SUPPORTKIT_LANG", code)
        result = runner.invoke(cli, ["check", bad])
        assert result.exit_code == 0 and result.stderr == summary, code


def test_bundled_pot_is_current_and_every_catalog_complete() -> None:
    from babel.messages.pofile import read_po

    extracted = {m.id for m in extract_messages(ROOT) if m.id}
    with (BUNDLED_LOCALES / "messages.pot").open("rb") as handle:
        committed = {m.id for m in read_po(handle) if m.id}
    assert extracted == committed, "run `supportkit catalogs update`"
    findings, count = check_catalogs(BUNDLED_LOCALES)
    assert count == len(CATALOG_LOCALES)
    assert [str(f) for f in findings] == []
    # And `supportkit catalogs update` on this checkout would change no byte (what `catalogs check` says).
    from supportkit.writers.checks.catalogs import catalog_problems

    assert [str(p) for p in catalog_problems(ROOT, BUNDLED_LOCALES)] == []


def test_no_compiled_catalog_is_kept_in_the_source_tree() -> None:
    assert not list(BUNDLED_LOCALES.rglob("*.mo"))


def test_importing_i18n_loads_no_catalog_machinery() -> None:
    import subprocess
    import sys

    code = ("import sys, supportkit.cli; "
            "print(sorted(m for m in sys.modules if m.startswith(('babel', 'supportkit.i18n.catalogs'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={"SUPPORTKIT_LANG": "en", "PATH": ""})
    assert done.stdout.strip() == "[]"


# --- `supportkit catalogs`: deterministic update, and a check that fails loudly ---------------


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _catalogs(runner: CliRunner, locales: Path, *args: str) -> object:
    return runner.invoke(cli, ["--locales", str(locales), "catalogs", *args])


def test_update_twice_changes_nothing_the_second_time(project: Path, runner: CliRunner) -> None:
    locales = project / "locales"
    result = _catalogs(runner, locales, "update", "--root", str(project))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert result.stdout.splitlines()[0] == f"{locales / 'messages.pot'}: 3 strings"  # type: ignore[attr-defined]
    # An old date in every header: only a change of strings may move it, never the clock.
    for path in locales.rglob("*.po*"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r'"POT-Creation-Date: [^"]*\\n"', '"POT-Creation-Date: 2020-01-02 03:04+0000\\\\n"',
                               text), encoding="utf-8")
    first = _snapshot(locales)
    assert _catalogs(runner, locales, "update", "--root", str(project)).exit_code == 0  # type: ignore[attr-defined]
    assert _snapshot(locales) == first
    assert "POT-Creation-Date: 2020-01-02 03:04+0000" in (locales / "messages.pot").read_text(encoding="utf-8")


def test_update_on_the_bundled_catalogs_is_stable(tmp_path: Path, runner: CliRunner) -> None:
    # The bundled catalogs are merged by the lead after this branch; the copy is first brought to
    # that merged state by one update, then a second update must not change a byte.
    locales = tmp_path / "locales"
    shutil.copytree(BUNDLED_LOCALES, locales)
    assert _catalogs(runner, locales, "update").exit_code == 0  # type: ignore[attr-defined]
    merged = _snapshot(locales)
    headers = {name: data.split(b"\n\n", 1)[0] for name, data in _snapshot(BUNDLED_LOCALES).items()}
    assert _catalogs(runner, locales, "update").exit_code == 0  # type: ignore[attr-defined]
    assert _snapshot(locales) == merged
    # Header lines other than the creation date are the committed ones, byte for byte.
    for name, header in headers.items():
        strip = re.compile(rb'"POT-Creation-Date: [^"]*"\n')
        assert strip.sub(b"", merged[name].split(b"\n\n", 1)[0]) == strip.sub(b"", header), name


def test_catalogs_check_fails_on_a_stale_pot_and_lists_it(project: Path, runner: CliRunner) -> None:
    locales = project / "locales"
    _catalogs(runner, locales, "update", "--root", str(project))
    (project / "supportkit" / "more.py").write_text('from supportkit.i18n import _\n_("a new string")\n',
                                                    encoding="utf-8")
    result = _catalogs(runner, locales, "check", "--root", str(project))
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert result.stdout.splitlines()[0] == (  # type: ignore[attr-defined]
        f"{locales / 'messages.pot'}:1: -: messages.pot is out of date with the code (1 new string, 0 gone, "
        "e.g. 'a new string'); run `supportkit catalogs update`")


def test_catalogs_check_lists_untranslated_and_fuzzy_strings(project: Path, runner: CliRunner) -> None:
    locales = project / "locales"
    _catalogs(runner, locales, "update", "--root", str(project))
    for code in CATALOG_LOCALES:
        po = locales / code / "LC_MESSAGES" / "messages.po"
        text = po.read_text(encoding="utf-8")
        text = text.replace('msgid "Skip to content"\nmsgstr ""', '#, fuzzy\nmsgid "Skip to content"\nmsgstr "x"')
        text = text.replace('msgid "file not found: {path}"\nmsgstr ""', 'msgid "file not found: {path}"\nmsgstr "{path}"')
        text = re.sub(r'msgstr\[(\d)\] ""', r'msgstr[\1] "{count}"', text)
        po.write_text(text, encoding="utf-8")
    po = locales / "fr" / "LC_MESSAGES" / "messages.po"
    with po.open("a", encoding="utf-8") as handle:  # a string the code no longer has
        handle.write('\nmsgid "gone"\nmsgstr "parti"\n')
    result = _catalogs(runner, locales, "check", "--root", str(project))
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert [line for line in result.stdout.splitlines() if line.startswith(str(po))] == [  # type: ignore[attr-defined]
        f"{po}:1: fr: not merged with messages.pot (strings, references or layout differ); "
        "run `supportkit catalogs update`",
        f"{po}:37: fr: 'Skip to content': fuzzy translation, review and drop the flag"]
    assert result.stderr == "5 problems in the catalogs\n"  # type: ignore[attr-defined]


def test_catalogs_check_passes_on_a_complete_merged_copy(project: Path, runner: CliRunner) -> None:
    locales = project / "locales"
    _catalogs(runner, locales, "update", "--root", str(project))
    for code in CATALOG_LOCALES:
        po = locales / code / "LC_MESSAGES" / "messages.po"
        text = re.sub(r'msgstr(\[\d\])? ""\n(?!")', lambda m: f'msgstr{m.group(1) or ""} "{{count}} {{path}} ok"\n',
                      po.read_text(encoding="utf-8"))
        po.write_text(text, encoding="utf-8")
    result = _catalogs(runner, locales, "check", "--root", str(project), "--json")
    assert json_list(result) != []  # placeholders differ: listed
    assert result.exit_code == 1  # type: ignore[attr-defined]


def json_list(result: object) -> list[object]:
    import json

    return list(json.loads(result.stdout))  # type: ignore[attr-defined]


def test_catalogs_compile_writes_mo_files(project: Path, runner: CliRunner, tmp_path: Path) -> None:
    locales = project / "locales"
    _catalogs(runner, locales, "update", "--root", str(project))
    result = _catalogs(runner, locales, "compile", "--out", str(tmp_path / "mo"))
    assert result.exit_code == 0  # type: ignore[attr-defined]
    assert sorted(p.relative_to(tmp_path / "mo").as_posix() for p in (tmp_path / "mo").rglob("*.mo")) == [
        f"{code}/LC_MESSAGES/messages.mo" for code in sorted(CATALOG_LOCALES)]
