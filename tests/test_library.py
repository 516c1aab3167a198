"""Loading and validating template files: every problem with its path and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from supportkit.errors import TemplateError, UnknownLocaleError, ValidationError
from supportkit.library import load_library, load_template, select_template, source_digest
from supportkit.library.edit import stamp

MIN = Path(__file__).parent / "data" / "replies_min"


@pytest.fixture
def lib_dir(tmp_path: Path) -> Path:
    target = tmp_path / "replies"
    shutil.copytree(MIN, target)
    return target


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_library_loads_with_refs() -> None:
    library = load_library(MIN)
    assert sorted(library.templates) == ["other", "tutorials/switch_phone", "tx_pending"]
    assert library.get("switch_phone", kind="tutorial").kind == "tutorial"
    assert library.get("tx_pending").intents == ("tx_pending",)
    assert library.problems == []


def test_unknown_template_suggests_close_names() -> None:
    with pytest.raises(TemplateError, match="Did you mean tx_pending"):
        load_library(MIN).get("tx_pendin")


def test_malformed_yaml_reports_file_and_line(lib_dir: Path) -> None:
    bad = write(lib_dir, "broken.yaml", "id: broken\nlocales:\n  en:\n    body: [unclosed\n")
    with pytest.raises(ValidationError) as info:
        load_library(lib_dir)
    problems = info.value.problems
    assert [(p.path, p.line, p.check) for p in problems] == [(str(bad), 5, "yaml")]
    assert str(problems[0]).startswith(f"{bad}:5: -: invalid YAML")


def test_alias_bomb_is_refused_quickly(lib_dir: Path) -> None:
    rows = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for level in "bcdefghi":
        prev = chr(ord(level) - 1)
        rows.append(f"{level}: &{level} [" + ",".join([f"*{prev}"] * 9) + "]")
    write(lib_dir, "bomb.yaml", "\n".join(rows) + "\n")
    library = load_library(lib_dir, strict=False)
    assert [(p.line, p.message) for p in library.problems] == [
        (2, "YAML anchors and aliases are not allowed in templates")
    ]


def test_duplicate_keys_and_ids_are_errors(lib_dir: Path) -> None:
    write(lib_dir, "dup.yaml", "id: dup\nid: dup\n")
    sub = lib_dir / "tutorials"
    write(sub, "other.yaml", "id: other\nkind: tutorial\nlocales:\n  en:\n    body: x\n")  # other ref: no clash
    library = load_library(lib_dir, strict=False)
    messages = [(Path(p.path).name, p.line, p.message) for p in library.problems]
    assert ("dup.yaml", 2, "duplicate key 'id'") in messages
    assert "tutorials/other" in library.templates


def test_schema_problems_are_all_reported(lib_dir: Path) -> None:
    path = write(lib_dir, "bad_schema.yaml", (
        "id: Bad-Id\n"
        "kind: article\n"
        "intents: [tx_pending, teleport]\n"
        "colour: red\n"
        "locales:\n"
        "  en:\n"
        "    body: hello\n"
        "  ../etc:\n"
        "    body: x\n"
        "  fr:\n"
        "    body: bonjour\n"
    ))
    library = load_library(lib_dir, strict=False)
    found = {(p.line, p.locale, p.message.split(" (")[0]) for p in library.problems if p.path == str(path)}
    assert (1, "", "id must be lower-case letters, digits and _") in found
    assert (2, "", "kind must be one of reply, tutorial, not 'article'") in found
    assert (3, "", "unknown intent 'teleport'") in found
    assert (4, "", "unknown key 'colour'") in found
    assert (8, "../etc", "invalid locale code '../etc'") in found
    assert (10, "fr", "translation does not record its source") in found


def test_binary_and_non_utf8_files_are_reported(lib_dir: Path) -> None:
    (lib_dir / "bin.yaml").write_bytes(b"id: x\x00\x01")
    (lib_dir / "latin1.yaml").write_bytes(b"id: latin1\nlocales:\n  en:\n    body: caf\xe9\n")
    library = load_library(lib_dir, strict=False)
    messages = {(Path(p.path).name, p.line, p.message) for p in library.problems}
    assert ("bin.yaml", 1, "file holds NUL bytes (binary file?)") in messages
    assert ("latin1.yaml", 4, "file is not valid UTF-8") in messages


def test_missing_folder_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="template folder not found"):
        load_library(tmp_path / "nope")
    with pytest.raises(TemplateError, match=r"no templates \(\*\.yaml\)"):
        load_library(tmp_path)


def test_staleness_follows_source_digest(lib_dir: Path) -> None:
    path = lib_dir / "tx_pending.yaml"
    template, _ = load_template(path)
    assert template is not None and template.translation_state("ru") == "ok"
    assert template.translation_state("fr") == "missing"
    path.write_text(path.read_text(encoding="utf-8").replace("It can take", "It may take"), encoding="utf-8")
    template, _ = load_template(path)
    assert template is not None and template.translation_state("ru") == "stale"
    assert stamp(path) == ["ru"]
    template, _ = load_template(path)
    assert template is not None and template.translation_state("ru") == "ok"
    assert template.locales["ru"].source == source_digest(template.locales["en"].subject, template.locales["en"].body)
    assert "# A tiny library for unit tests" in path.read_text(encoding="utf-8")  # comments survive


def test_select_template_falls_back_explicitly() -> None:
    library = load_library(MIN)
    exact = select_template(library, "tx_pending", "ru-RU")
    assert (exact.choice.locale, exact.choice.fallback) == ("ru", False)
    fallback = select_template(library, "tx_pending", "zh-TW")
    assert (fallback.choice.locale, fallback.choice.fallback, fallback.choice.chain) == ("en", True, ("zh-Hant", "zh", "en"))
    unknown_intent = select_template(library, "gas_fee", "en")
    assert unknown_intent.template.id == "other"
    with pytest.raises(UnknownLocaleError):
        select_template(library, "tx_pending", "../../etc/passwd")


def test_parse_cache_is_reused_and_rewritten_only_when_enough_changed(tmp_path: Path) -> None:
    from supportkit.cache import cache_dir

    source = (MIN / "tx_pending.yaml").read_text(encoding="utf-8")
    for number in range(250):
        (tmp_path / f"t{number:03}.yaml").write_text(source.replace("id: tx_pending", f"id: t{number:03}"),
                                                     encoding="utf-8")
    first = load_library(tmp_path)
    (cache,) = cache_dir().glob("templates-*.marshal")
    written = cache.stat().st_mtime_ns
    # One edit in 250 files: the edited file is parsed again, the cache is not rewritten.
    edited = source.replace("id: tx_pending", "id: t007").replace("transfer is pending", "transfer is still pending")
    (tmp_path / "t007.yaml").write_text(edited, encoding="utf-8")
    second = load_library(tmp_path)
    assert cache.stat().st_mtime_ns == written
    assert second.get("t007") != first.get("t007") and second.get("t008") == first.get("t008")
    # More than 1% changed: written again, and what it holds is the current text.
    for number in range(10):
        (tmp_path / f"t{number:03}.yaml").write_text(edited.replace("id: t007", f"id: t{number:03}"),
                                                     encoding="utf-8")
    third = load_library(tmp_path)
    assert cache.stat().st_mtime_ns != written
    assert load_library(tmp_path).get("t003") == third.get("t003") != first.get("t003")


# --- the parse cache holds plain data --------------------------------------------------------

def _every_template_file() -> list[Path]:
    from supportkit.config import BUNDLED_REPLIES

    bad = Path(__file__).parent / "data" / "bad"
    return sorted([*BUNDLED_REPLIES.glob("*.yaml"), *BUNDLED_REPLIES.glob("tutorials/*.yaml"), *bad.glob("*.yaml")])


@pytest.mark.parametrize("path", _every_template_file(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_templates_and_problems_survive_the_plain_data_round_trip(path: Path) -> None:
    from supportkit.cache import dumps, loads
    from supportkit.library import problem_from_data, problem_to_data, template_from_data, template_to_data

    template, problems = load_template(path)
    assert template is not None or problems
    if template is not None:
        again = template_from_data(loads(dumps(template_to_data(template))))
        assert again == template and type(again.path) is type(template.path)
        assert {name: type(v.default) for name, v in again.variables.items()} == \
            {name: type(v.default) for name, v in template.variables.items()}
    assert [problem_from_data(loads(dumps(problem_to_data(p)))) for p in problems] == problems


def test_every_field_kind_survives_the_plain_data_round_trip(tmp_path: Path) -> None:
    """What the bundled files may not use: a timestamp, a per-locale default, a bad key."""
    from supportkit.cache import dumps, loads
    from supportkit.library import template_from_data, template_to_data

    text = (MIN / "tx_pending.yaml").read_text(encoding="utf-8")
    text = text.replace("id: tx_pending", "id: tx_pending\nupdated: 2024-05-01 10:30:00+02:00", 1)
    text = text.replace("variables:\n", "variables:\n  network: {default: {en: TRON, fr: TRON}}\n", 1)
    template, _ = load_template(write(tmp_path, "tx_pending.yaml", text))
    assert template is not None and type(template.updated).__name__ == "datetime"
    assert isinstance(template.variables["network"].default, dict)
    assert template_from_data(loads(dumps(template_to_data(template)))) == template
