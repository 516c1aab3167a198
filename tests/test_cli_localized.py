"""The CLI in the user's language, click's own strings included (issue 17, point 7).

- click's msgids: each one listed in ``supportkit.i18n.click_strings`` exists in the installed click,
  and every string click marks in the routed modules is listed or explained in ``NOT_SHOWN``.
- The mechanism, on a small catalog written here: help, click's "Usage:"/"Options"/errors and the
  type names in click's messages come out translated, and switch language within one process.
- Numbers and durations the locale's way; plural forms.
- A walk over the whole CLI with the bundled catalogs: every line of every help page and of the
  usage errors, in zh/es/ru/fr, differs from English unless it holds only option names, metavars
  and command names. It fails until the native translators have filled the catalogs.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import click
import pytest
from babel.messages.extract import extract_from_file
from click.testing import CliRunner, Result

from supportkit import i18n
from supportkit.cli import cli
from supportkit.i18n import CLICK_MODULES, click_strings
from supportkit.i18n.catalogs import KEYWORDS, update_catalogs, write_pot

ROOT = Path(__file__).resolve().parent.parent
OURS_NOT_CLICKS = {"integer", "integer range", "float", "float range", "required"}
"""Listed msgids click prints without marking them: type names and the "[required]" marker."""


def _msgids(path: Path, keywords: dict[str, object]) -> set[object]:
    return {message for _line, message, _comments, _context in extract_from_file("python", str(path),
                                                                                  keywords=keywords)}


def _clicks_msgids() -> set[object]:
    found: set[object] = set()
    for name in CLICK_MODULES:
        module = importlib.import_module(name)
        assert module.__file__ is not None
        found |= _msgids(Path(module.__file__), {"_": None, "ngettext": (1, 2)})
    return found


def _listed() -> set[object]:
    return _msgids(Path(click_strings.__file__), KEYWORDS)


def test_every_listed_click_msgid_exists_in_the_installed_click() -> None:
    clicks = _clicks_msgids()
    assert sorted(map(str, _listed() - clicks - OURS_NOT_CLICKS)) == []
    assert sorted(map(str, set(click_strings.NOT_SHOWN) - clicks)) == []
    # The names click prints unmarked are still the ones it uses.
    assert {click.INT.name, click.IntRange(0, 1).name, click.FLOAT.name, click.FloatRange(0, 1).name} == \
        OURS_NOT_CLICKS - {"required"}
    core = Path(importlib.import_module("click.core").__file__ or "").read_text(encoding="utf-8")
    assert 'extra["required"] = "required"' in core and '_(extra["required"])' in core


def test_every_click_msgid_is_listed_or_said_why_not() -> None:
    missing = _clicks_msgids() - _listed() - set(click_strings.NOT_SHOWN)
    assert sorted(map(str, missing)) == []
    assert not _listed() & set(click_strings.NOT_SHOWN)


# --- the mechanism, on a catalog written here ---------------------------------------------

FRENCH = {
    "Usage:": "Utilisation :",
    "Options": "Options\u00a0",
    "Commands": "Commandes",
    "Show this message and exit.": "Afficher ce message et quitter.",
    "Show the version and exit.": "Afficher la version et quitter.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s (fr)",
    "Error: {message}": "Erreur : {message}",
    "Try '{command} {option}' for help.": "Essayez « {command} {option} » pour l’aide.",
    "No such option {name!r}.": "Option inconnue : {name!r}.",
    "directory": "répertoire",
    "{name} {filename!r} does not exist.": "{name} {filename!r} n’existe pas.",
    "Invalid value for {param_hint}: {message}": "Valeur incorrecte pour {param_hint} : {message}",
    "integer range": "plage d’entiers",
    "{value!r} is not a valid {number_type}.": "{value!r} n’est pas une {number_type} valide.",
    "Print JSON.": "Afficher du JSON.",
    "Show the configuration files and settings.": "Afficher les fichiers de configuration et les réglages.",
    "List, show and search the reply and tutorial templates.": "Lister, afficher et chercher les modèles.",
}


@pytest.fixture
def french(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bundled strings with a few French translations, as the catalogs for this test."""
    locales = tmp_path / "locales"
    write_pot(ROOT, locales / "messages.pot")
    update_catalogs(locales, ["fr"])
    po = locales / "fr" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    for msgid, msgstr in FRENCH.items():
        quoted = msgid.replace('"', '\\"')
        text, count = re.subn(rf'\nmsgid "{re.escape(quoted)}"\nmsgstr ""\n',
                              f'\nmsgid "{quoted}"\nmsgstr "{msgstr}"\n', text)
        assert count == 1, msgid
    po.write_text(text, encoding="utf-8")
    monkeypatch.setenv("SUPPORTKIT_LOCALES_DIR", str(locales))
    i18n._translations.cache_clear()
    yield locales
    i18n._translations.cache_clear()


def _run(runner: CliRunner, args: list[str]) -> Result:
    return runner.invoke(cli, args, prog_name="supportkit")


def test_help_and_clicks_own_strings_in_the_users_language(french: Path, runner: CliRunner,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPORTKIT_LANG", "fr")
    page = _run(runner, ["--help"]).output
    assert page.startswith("Utilisation : supportkit [OPTIONS] COMMAND [ARGS]...\n")
    assert "\nOptions\u00a0:\n" in page and "\nCommandes:\n" in page
    assert "  -h, --help  " in page and "Afficher ce message et quitter.\n" in page
    assert "  --version  " in page and "Afficher la version et quitter.\n" in page
    assert "  config     Afficher les fichiers de configuration et les réglages.\n" in page
    assert "  templates  Lister, afficher et chercher les modèles.\n" in page
    assert _run(runner, ["--version"]).output.endswith(", version 0.1.0 (fr)\n")
    templates = _run(runner, ["templates", "list", "--help"]).output
    assert "  --json  " in templates and "Afficher du JSON.\n" in templates
    # Errors: click's, and the names of click's types, which click sets once, when the option is declared.
    error = _run(runner, ["--bogus"])
    assert error.exit_code == 2
    assert error.stderr.splitlines()[-3:] == ["Essayez « supportkit --help » pour l’aide.", "",
                                              "Erreur : Option inconnue : '--bogus'."]
    missing = _run(runner, ["catalogs", "update", "--root", "/nonexistent-i17d"])
    assert missing.stderr.splitlines()[-1] == (
        "Erreur : Valeur incorrecte pour '--root' : Répertoire '/nonexistent-i17d' n’existe pas.")
    top = _run(runner, ["reply", "--top", "x", "hi"])
    assert top.stderr.splitlines()[-1] == (
        "Erreur : Valeur incorrecte pour '--top' : 'x' n’est pas une plage d’entiers valide.")
    # The same process, back in English: nothing was frozen at import or at the first run.
    monkeypatch.setenv("SUPPORTKIT_LANG", "en")
    assert _run(runner, ["--help"]).output.startswith("Usage: supportkit [OPTIONS] COMMAND [ARGS]...\n")
    assert _run(runner, ["--bogus"]).stderr.splitlines()[-1] == "Error: No such option '--bogus'."


def test_numbers_and_durations_the_locales_way(monkeypatch: pytest.MonkeyPatch) -> None:
    from supportkit.cli.batch import batch_summary

    counts = {"read": 12345, "written": 12344, "rejected": 1, "skipped": 0, "seconds": 1.26}
    monkeypatch.setenv("SUPPORTKIT_LANG", "en")
    assert batch_summary(counts) == "12,345 records read, 12,344 written, 1 rejected, 0 skipped (resume) in 1.3 s"
    monkeypatch.setenv("SUPPORTKIT_LANG", "fr")
    assert i18n.format_number(1.26, 1) == "1,3"
    assert i18n.format_number(12345) == "12\u202f345"
    assert batch_summary(counts) == ("12\u202f345 enregistrements lus, 12\u202f344 écrits, 1 rejeté, "
                                     "0 ignoré (reprise) en 1,3 s")
    monkeypatch.setenv("SUPPORTKIT_LANG", "ru")
    assert i18n.format_number(12345.5, 1) == "12\u00a0345,5"
    assert batch_summary({**counts, "read": 21, "written": 3}) == (
        "прочитана 21 запись, записано 3, отклонена 1, пропущено 0 (продолжение) за 1,3 с")
    monkeypatch.setenv("SUPPORTKIT_LANG", "zh")
    assert i18n.format_number(1.26, 1) == "1.3"


def test_update_keeps_translations_and_order(tmp_path: Path) -> None:
    (tmp_path / "supportkit" / "faq" / "templates").mkdir(parents=True)
    code = tmp_path / "supportkit" / "cli.py"
    code.write_text('from supportkit.i18n import _\n_("b")\n_("c")\n', encoding="utf-8")
    (tmp_path / "supportkit" / "faq" / "templates" / "base.html").write_text('{{ _("z") }}\n', encoding="utf-8")
    locales = tmp_path / "locales"
    write_pot(tmp_path, locales / "messages.pot")
    update_catalogs(locales, ["fr"])
    po = locales / "fr" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgid "c"\nmsgstr ""', 'msgid "c"\nmsgstr "cé"'),
                  encoding="utf-8")
    code.write_text('from supportkit.i18n import _\n_("a")\n_("b")\n_("c")\n', encoding="utf-8")
    write_pot(tmp_path, locales / "messages.pot")
    update_catalogs(locales, ["fr"])
    text = po.read_text(encoding="utf-8")
    assert 'msgid "c"\nmsgstr "cé"' in text
    assert [m for m in re.findall(r'\nmsgid "(.+)"', text)] == ["a", "b", "c", "z"]


# --- the whole CLI, with the bundled catalogs ---------------------------------------------

USAGE_ERRORS = (
    ["--bogus"],                                      # no such option
    ["nosuch"],                                       # no such command
    ["render"],                                       # missing argument
    ["faq", "build"],                                 # missing option
    ["check", "--format", "xml"],                     # bad choice
    ["reply", "--top", "99", "hi"],                   # int out of range
    ["reply", "--top", "x", "hi"],                    # not an int
    ["check", "--locale"],                            # option needs a value
    ["catalogs", "update", "--root", "/nonexistent-i17d"],  # no such folder
    ["stamp", "--locale", "xx", "closing"],           # unknown locale
    ["stamp", "--all", "closing"],                    # our own usage error
    ["batch", "/nonexistent-i17d.jsonl", "--out", "o.jsonl"],  # file not found
)
LANGUAGES = ("zh", "es", "ru", "fr")


def _commands(group: click.Group, ctx: click.Context, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            found += _commands(command, ctx, (*path, name))
        elif command is not None:
            found.append((*path, name))
    return found


def _pages(runner: CliRunner) -> dict[str, str]:
    """Every help page and usage error of the CLI, by its command line."""
    with click.Context(cli) as ctx:
        commands = _commands(cli, ctx)
    pages = {}
    for path in commands:
        pages[" ".join((*path, "--help"))] = _run(runner, [*path, "--help"]).output
    for argv in USAGE_ERRORS:
        result = _run(runner, argv)
        assert result.exit_code == 2, (argv, result.output)
        pages[" ".join(argv)] = result.output
    return pages


NOT_WORDS = tuple(re.compile(pattern) for pattern in (
    r"[\d.]*<=?x<=?[\d.]*",                 # a range: 1<=x<=16
    r'"[^"\s]*"',                           # JSON keys and values in a --json description
    r"'[^']*'",                              # quoted values
    r"--?[a-z][\w-]*(?:/--?[a-z][\w-]*)?",  # options
    r"\b[A-Z][A-Z_=|.]*\b",                 # metavars, OPTIONS, JSON
    r"/\S*",                                # paths
    r"[\d\W_]+",                            # numbers, punctuation
))
"""What a line may hold in English in every language, removed in this order."""


def _english_words(line: str, names: set[str]) -> list[str]:
    for pattern in NOT_WORDS:
        line = pattern.sub(" ", line)
    return [word for word in line.split() if word not in names]


def test_every_line_of_every_help_and_usage_error_is_translated(runner: CliRunner,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPORTKIT_LANG", "en")
    english = _pages(runner)
    with click.Context(cli) as ctx:
        names = {"supportkit", *(part for path in _commands(cli, ctx) for part in path)}
    untranslated: dict[str, list[str]] = {}
    for code in LANGUAGES:
        monkeypatch.setenv("SUPPORTKIT_LANG", code)
        for page, output in _pages(runner).items():
            english_lines = set(english[page].splitlines())
            for line in output.splitlines():
                if line in english_lines and _english_words(line, names):
                    untranslated.setdefault(code, []).append(f"{page}: {line.strip()}")
    summary = {code: f"{len(lines)} lines, e.g. {lines[:3]}" for code, lines in untranslated.items()}
    assert summary == {}
