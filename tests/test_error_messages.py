"""Errors of the layers below the CLI in the user's language (issue 17, point 7, last part).

- Every error built outside ``supportkit/cli`` gives its message as a literal msgid (``N_``/``N_plural``)
  with named params, and each msgid is in the extracted template catalog (an AST walk over the code).
- The mechanism, with a small translator installed here: errors from the library, the YAML reader,
  locale parsing, the translation packages and the configuration come out of the catalog, params
  untouched, and ``message`` (``--json``) stays English.
- Every msgid of supportkit is translated in every catalog: fails until the translators fill them.
"""

from __future__ import annotations

import ast
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from supportkit import errors
from supportkit.config import Config
from supportkit.errors import (
    N_,
    ConfigError,
    InputError,
    MissingValuesError,
    N_plural,
    SupportkitError,
    TemplateError,
    UnknownLocaleError,
    install_translator,
)

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "supportkit"
MARKERS = {"N_": 1, "N_plural": 2}
"""Marker functions and how many literal msgids they take."""


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """Names of every class in the package that derives from SupportkitError."""
    names = {"SupportkitError"}
    changed = True
    while changed:
        changed = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names and any(
                        isinstance(b, ast.Name) and b.id in names for b in node.bases):
                    names.add(node.name)
                    changed = True
    return names


def _callee(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    return node.func.attr if isinstance(node.func, ast.Attribute) else None


def _msgids(node: ast.expr | None, constants: dict[str, ast.expr]) -> list[str] | None:
    """The msgids a message argument marks, or None when it is not made of literal markers."""
    if node is None or (isinstance(node, ast.Constant) and node.value is None):
        return []
    if isinstance(node, ast.Name) and node.id in constants:
        return _msgids(constants[node.id], {})
    if isinstance(node, ast.IfExp):
        body, orelse = _msgids(node.body, constants), _msgids(node.orelse, constants)
        return None if body is None or orelse is None else body + orelse
    if isinstance(node, ast.Call) and _callee(node) in MARKERS:
        wanted = MARKERS[_callee(node) or ""]
        literals = node.args[:wanted]
        if len(literals) == wanted and all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                           for a in literals):
            return [str(a.value) for a in literals if isinstance(a, ast.Constant)][:1]
    return None


OWN_MESSAGES = {"MissingValuesError": 0, "UnknownLocaleError": 0, "ValidationError": 2}
"""Classes that word their message themselves (0), or take it as another positional argument."""


def _error_calls() -> Iterator[tuple[str, str, ast.expr | None]]:
    """``(place, class, message argument)`` for each error built outside the CLI, and its hint."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(PACKAGE.rglob("*.py"))}
    classes = _error_classes(trees)
    for path, tree in trees.items():
        if path.relative_to(PACKAGE).parts[0] == "cli":
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _callee(node) not in classes:
                continue
            name = _callee(node) or ""
            place = f"{path.relative_to(ROOT)}:{node.lineno}"
            position = OWN_MESSAGES.get(name, 1)
            keywords = {k.arg: k.value for k in node.keywords}
            if position:
                yield place, name, (node.args[position - 1] if len(node.args) >= position
                                    else ast.Constant(value=f"<{name} without a message>"))
            if name not in OWN_MESSAGES:
                hint = node.args[2] if len(node.args) > 2 else keywords.get("hint")
                if hint is not None:
                    yield place, name, hint
            for keyword in node.keywords:
                if keyword.arg is None:
                    yield place, name, ast.Constant(value="<**params hide which params the message gets>")


MESSAGE_MAKERS = {("Message", "of"): 0, ("Message", ""): 0, ("Problem", "of"): 3, ("YamlProblem", ""): 1}
"""Where a message template is given to the other carriers of msgids: (class, classmethod) -> argument."""
INDIRECT = {"what", "message", "p.text", "LENGTH_MESSAGES[pasted, how]", "exc.what", "problem.text", "said", "text"}
"""Message templates passed on in a variable, each bound to N_ literals where it is made (read them there)."""


def _message_calls() -> Iterator[tuple[str, str, ast.expr]]:
    """``(place, maker, template argument)`` for each Message, Problem.of and YamlProblem made outside the CLI."""
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] == "cli":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            key = ((func.value.id, func.attr) if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                   else (func.id, "") if isinstance(func, ast.Name) else None)
            if key in MESSAGE_MAKERS and len(node.args) > MESSAGE_MAKERS[key]:
                yield f"{path.relative_to(ROOT)}:{node.lineno}", ".".join(filter(None, key)), \
                    node.args[MESSAGE_MAKERS[key]]


def _constants(path: Path) -> dict[str, ast.expr]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {t.id: node.value for node in tree.body if isinstance(node, ast.Assign)
            for t in node.targets if isinstance(t, ast.Name)}


def test_every_error_below_the_cli_gives_a_literal_msgid_known_to_the_catalog() -> None:
    from supportkit.i18n.catalogs import extract_messages

    catalog = extract_messages(ROOT)
    not_literal, not_extracted = [], []
    for place, name, argument in _error_calls():
        found = _msgids(argument, _constants(ROOT / place.rpartition(":")[0]))
        if found is None:
            not_literal.append(f"{place}: {name}({ast.unparse(argument)[:60]})")
            continue
        not_extracted += [f"{place}: {msgid}" for msgid in found if msgid not in catalog]
    assert not_literal == []
    assert not_extracted == []


def test_every_message_problem_and_finding_below_the_cli_is_a_msgid_known_to_the_catalog() -> None:
    from supportkit.i18n.catalogs import extract_messages

    catalog = extract_messages(ROOT)
    not_literal, not_extracted = [], []
    for place, maker, argument in _message_calls():
        if ast.unparse(argument) in INDIRECT:
            continue
        found = _msgids(argument, _constants(ROOT / place.rpartition(":")[0]))
        if found is None:
            not_literal.append(f"{place}: {maker}({ast.unparse(argument)[:60]})")
            continue
        not_extracted += [f"{place}: {msgid}" for msgid in found if msgid not in catalog]
    assert not_literal == []
    assert not_extracted == []


def test_the_walk_finds_each_kind_of_unmarked_message() -> None:
    def bad(code: str) -> ast.expr | None:
        call = ast.parse(code).body[0]
        assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
        return call.value.args[0]

    assert _msgids(bad('E(f"no template {x}")'), {}) is None
    assert _msgids(bad('E("no template")'), {}) is None
    assert _msgids(bad('E(_("no template"))'), {}) is None
    assert _msgids(bad('E(N_(msgid))'), {}) is None
    assert _msgids(bad('E(N_("a") if x else "b")'), {}) is None
    assert _msgids(bad('E(N_("a") if x else N_plural("b", "bs", n))'), {}) == ["a", "b"]


# --- the mechanism, with a translator installed here ------------------------------------------

FAKE = {
    "no template {template!r}": "aucun modèle {template!r}",
    "Did you mean {close}?": "Vouliez-vous dire {close} ?",
    "Run `supportkit templates list` to see them.": "Lancez `supportkit templates list` pour les voir.",
    "invalid YAML: {reason}": "YAML invalide : {reason}",
    "unknown locale {code!r}": "langue inconnue {code!r}",
    "Use a code such as zh, en, es, ru or fr (regional forms like zh-TW or es-419 fall back).":
        "Utilisez un code comme zh, en, es, ru ou fr.",
    "no translation model for {source} -> {target}": "aucun modèle de traduction {source} -> {target}",
    "Install it: {command}": "Installez-le : {command}",
    "{key} must be true or false, not {value!r}": "{key} doit valoir true ou false, pas {value!r}",
    "missing required variable: {names}": "variable obligatoire manquante : {names}",
    "missing required variables: {names}": "variables obligatoires manquantes : {names}",
    "Give them: {example}": "Donnez-les : {example}",
    "plural form {forms} missing ({locale} needs {needed})": "forme plurielle {forms} manquante ({locale} : {needed})",
    "duplicate key {key!r}": "clé {key!r} en double",
    "input is not valid UTF-8 (byte {offset})": "l’entrée n’est pas de l’UTF-8 valide (octet {offset})",
}


def _fake_gettext(message: str) -> str:
    return FAKE.get(message, message)


def _fake_ngettext(singular: str, plural: str, count: int) -> str:
    return _fake_gettext(singular if count == 1 else plural)


@pytest.fixture
def french_errors() -> Iterator[None]:
    install_translator(_fake_gettext, _fake_ngettext)
    yield
    install_translator()


def test_an_error_is_translated_when_shown_and_english_in_its_message(french_errors: None) -> None:
    error = InputError(N_("no template {template!r}"), "replies", N_("Did you mean {close}?"),
                       template="clsoing", close="closing")
    assert error.format_message() == "aucun modèle 'clsoing' (replies). Vouliez-vous dire closing ?"
    assert error.message == str(error) == "no template 'clsoing' (replies). Did you mean closing?"
    assert error.to_dict() == {"message": "no template 'clsoing' (replies). Did you mean closing?",
                               "code": "no template {template!r}",
                               "params": {"template": "clsoing", "close": "closing"}}
    again = pickle.loads(pickle.dumps(error))  # batch workers send errors back whole
    assert type(again) is InputError and again.format_message() == error.format_message()


def test_plural_forms_and_a_translation_that_breaks_its_params() -> None:
    error = SupportkitError(N_plural("{count} problem in templates", "{count} problems in templates", 3))
    assert error.message == "3 problems in templates."
    install_translator(lambda m: "{nope}", lambda s, p, n: "{nope}")
    try:
        assert error.format_message() == "3 problems in templates."  # the English source, not a crash
    finally:
        install_translator()


def _library_error(tmp_path: Path, template_id: str) -> SupportkitError:
    from supportkit.library import load_library

    replies = tmp_path / "replies"
    replies.mkdir(exist_ok=True)
    (replies / "closing.yaml").write_text(
        "id: closing\nkind: reply\nchannel: chat\nintents: [closing]\nlocales:\n  en:\n    body: Bye.\n",
        encoding="utf-8")
    with pytest.raises(SupportkitError) as caught:
        load_library(replies, strict=False).get(template_id)
    return caught.value


def test_lower_layer_errors_come_from_the_catalog(tmp_path: Path, french_errors: None,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # unknown template (library)
    assert _library_error(tmp_path, "clsoing").format_message() == (
        f"aucun modèle 'clsoing' ({tmp_path / 'replies'}). Vouliez-vous dire closing ?")
    assert _library_error(tmp_path, "zzz").format_message().endswith("Lancez `supportkit templates list` pour les voir.")
    # malformed YAML (yamlsource): the YAML library's own words stay as they are
    from supportkit.yamlsource import YamlProblem, load_yaml

    with pytest.raises(YamlProblem) as yaml_error:
        load_yaml("id: [unclosed\n")
    assert yaml_error.value.format_message().startswith("YAML invalide : ")
    assert yaml_error.value.message.startswith("invalid YAML: ")
    # unknown locale (languages)
    from supportkit.languages import parse_locale

    with pytest.raises(UnknownLocaleError) as locale_error:
        parse_locale("x/y", "--lang")
    assert locale_error.value.format_message() == "langue inconnue 'x/y' (--lang). Utilisez un code comme zh, en, es, ru ou fr."
    # missing model package (translation)
    from supportkit.translation.engine import Engine

    monkeypatch.setenv("SUPPORTKIT_INDEX_DIR", str(tmp_path / "no-index"))
    with pytest.raises(SupportkitError) as model_error:
        Engine(tmp_path / "packages").model("en", "es")
    assert model_error.value.format_message().startswith("aucun modèle de traduction en -> es (")
    assert "Installez-le : " in model_error.value.format_message()
    # bad configuration value (config)
    from supportkit.config import load_config

    (tmp_path / "supportkit.toml").write_text("allow_drafts = 'maybe'\n", encoding="utf-8")
    with pytest.raises(ConfigError) as config_error:
        load_config(start=tmp_path)
    assert config_error.value.format_message().startswith("allow_drafts doit valoir true ou false, pas 'maybe' (")
    # a count in the message: the plural form
    assert MissingValuesError(["a", "b"], "x.yaml", N_("Give them: {example}"), example="--var a=...").format_message() \
        == "variables obligatoires manquantes : a, b (x.yaml). Donnez-les : --var a=..."
    assert MissingValuesError(["a"]).format_message() == "variable obligatoire manquante : a."


def test_the_cli_shows_lower_layer_errors_in_the_users_language(runner: CliRunner, french_errors: None,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from supportkit import i18n
    from supportkit.cli import cli

    # The CLI installs supportkit.i18n's translator when it starts; it must reach errors raised below it.
    calls: list[str] = []

    def spy(message: str) -> str:
        calls.append(message)
        return _fake_gettext(message)

    monkeypatch.setattr(i18n, "_", spy)
    monkeypatch.setattr("supportkit.cli.common._", spy)
    result = runner.invoke(cli, ["templates", "show", "clsoing"], prog_name="supportkit")
    assert result.exit_code == 1
    assert "no template {template!r}" in calls
    assert result.stderr.splitlines()[-1].startswith("Error: aucun modèle 'clsoing' (")


def test_check_findings_and_template_problems_are_shown_in_the_users_language(tmp_path: Path,
                                                                             french_errors: None) -> None:
    import json

    from supportkit.writers.checks import format_findings, run_checks

    path = ROOT / "tests" / "data" / "bad" / "bad_plural_forms.yaml"
    findings = run_checks(Config(), [path]).findings
    assert [f.check for f in findings] == ["plural_forms"]
    assert format_findings(findings).endswith(
        ": ru: bad_plural_forms: plural_forms: forme plurielle few manquante (ru : one/few/many/other)")
    assert json.loads(format_findings(findings, "json"))[0]["message"] == (
        "plural form few missing (ru needs one/few/many/other)")
    assert "plural form few missing" in format_findings(findings, "github")  # annotations for CI: English
    # A template file the YAML reader refuses: the problem, through the parse cache and back.
    from supportkit.library import load_template, problem_from_data, problem_to_data

    broken = tmp_path / "dup.yaml"
    broken.write_text("id: dup\nid: dup\n", encoding="utf-8")
    _template, problems = load_template(broken)
    assert [str(p) for p in problems] == [f"{broken}:2: -: clé 'id' en double"]
    assert problems[0].message == "duplicate key 'id'"
    assert [str(problem_from_data(problem_to_data(p))) for p in problems] == [f"{broken}:2: -: clé 'id' en double"]


def test_json_lines_keep_the_english_text_the_terminal_gets_the_users_language(
        runner: CliRunner, french_errors: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from supportkit.cli import cli

    monkeypatch.setattr("supportkit.cli.common._", _fake_gettext)  # what the CLI installs when it starts
    shown = runner.invoke(cli, ["guard", "-"], input=b"\xff\n", prog_name="supportkit")
    assert shown.exit_code == 1
    assert shown.stderr.splitlines()[-1].startswith("Error: l’entrée n’est pas de l’UTF-8 valide (octet 0) (stdin)")
    lines = runner.invoke(cli, ["guard", "--lines"], input=b"hello\n\xff\n", prog_name="supportkit")
    record = json.loads(lines.stdout.splitlines()[1])
    assert record["line"] == 2 and record["error"].startswith("input is not valid UTF-8 (byte 0) (stdin:2).")


# --- the real catalogs ----------------------------------------------------------------------------

def test_every_msgid_of_supportkit_is_translated_in_every_catalog() -> None:
    """Fails until the translators have filled the catalogs (like test_catalogs' completeness test)."""
    from babel.messages.pofile import read_po

    from supportkit.i18n.catalogs import CATALOG_LOCALES, extract_messages

    wanted = [m.id for m in extract_messages(ROOT) if m.id]
    missing = {}
    for code in CATALOG_LOCALES:
        with (ROOT / "locales" / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalog = read_po(handle)
        untranslated = []
        for msgid in wanted:
            message = catalog.get(msgid)
            strings = message.string if message is not None else ""
            if message is None or message.fuzzy or not all(strings if isinstance(strings, tuple) else (strings,)):
                untranslated.append(msgid if isinstance(msgid, str) else msgid[0])
        if untranslated:
            missing[code] = f"{len(untranslated)}, e.g. {untranslated[:2]}"
    assert missing == {}


def test_library_use_without_the_cli_gets_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPORTKIT_LANG", "fr")
    install_translator()
    assert TemplateError(N_("no template {template!r}"), template="x").format_message() == "no template 'x'."
    assert errors.render_text(N_("{key} must be a list of strings"), {"key": "glossary"}) == \
        "glossary must be a list of strings"
    assert Config is not None


def test_a_chinese_error_closes_with_full_width_punctuation() -> None:
    # A translator found "错误：消息为空. 请…": the ASCII full stop and space the English shape adds.
    table = {"the message is empty": "消息为空", "Give a message.": "请提供消息。"}
    install_translator(lambda message: table.get(message, message))
    try:
        assert InputError(N_("the message is empty"), "stdin", N_("Give a message.")).format_message() == \
            "消息为空（stdin）。请提供消息。"
        assert InputError(N_("the message is empty"), None, N_("Give a message.")).format_message() == \
            "消息为空。请提供消息。"
    finally:
        install_translator()
    assert InputError(N_("the message is empty"), "stdin", N_("Give a message.")).format_message() == \
        "the message is empty (stdin). Give a message."
