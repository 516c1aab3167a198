"""Every text view, compared whole with its golden file in tests/golden/ (not by substring).

A view that changes on purpose is written anew with ``UPDATE_GOLDEN=1 python -m pytest
tests/test_text_views.py``; the diff of tests/golden/ then shows a reviewer exactly what an agent
or a writer will see. Paths of the test's temporary home are written as ``<home>``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from supportkit.cli import cli

GOLDEN = Path(__file__).parent / "golden"
BAD = Path(__file__).parent / "data" / "bad"
PHRASE = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

# name: (UI language, arguments, stdin)
VIEWS: dict[str, tuple[str, list[str], str | None]] = {
    "detect_es": ("en", ["detect", "hola amigo, ¿cómo estás?"], None),
    "detect_zh_ui_zh": ("zh", ["detect", "我的转账一直在等待确认"], None),
    "detect_stdin": ("en", ["detect"], "Bonjour, mon dépôt n'est pas arrivé\n"),
    "guard_phrase": ("en", ["guard", f"please help, my words are {PHRASE} thanks"], None),
    "guard_key_ru_ui": ("ru", ["guard", "мой ключ 0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"], None),
    "guard_clean": ("en", ["guard", "my balance shows zero after the update"], None),
    "guard_lines": ("en", ["guard", "--lines"], "hello\nmy seed is\n" + PHRASE + "\n"),
    "reply_pending_en": ("en", ["reply", "my USDT transfer has been pending since yesterday"], None),
    "reply_pending_fr_ui": ("fr", ["reply", "--explain", "my USDT transfer has been pending since yesterday"], None),
    "reply_zh": ("en", ["reply", "我的钱包被盗了，USDT全部被转走了"], None),
    "reply_ru": ("en", ["reply", "Здравствуйте, не могу найти свой депозит"], None),
    "reply_es_scam": ("es", ["reply", "--explain", "Un soporte de Telegram me pidió mi frase de recuperación"], None),
    "reply_secret": ("en", ["reply", f"wallet broken, here are my words {PHRASE}"], None),
    "reply_greeting": ("en", ["reply", "hi"], None),
    "reply_empty": ("en", ["reply", "   "], None),
    "reply_explain": ("en", ["reply", "--explain", "my USDT transfer has been pending since yesterday"], None),
    "reply_agent_lang_no_model": ("en", ["reply", "--agent-lang", "en", "мой перевод завис уже 3 часа"], None),
    "reply_lines_blank": ("en", ["reply", "--lines"], "hi\n\nmy transfer is stuck\n"),
    "render_closing_es": ("en", ["render", "closing", "--lang", "es", "--var", "customer_name=Lucía"], None),
    "render_unknown_locale": ("en", ["render", "closing", "--lang", "xx"], None),
    "reply_unknown_locale": ("en", ["reply", "--lang", "xx", "hello"], None),
    "tutorial_es": ("en", ["tutorial", "switch_phone", "--lang", "es"], None),
    "tutorial_zh_tw": ("en", ["tutorial", "switch_phone", "--lang", "zh-TW"], None),
    "tutorial_missing": ("fr", ["tutorial", "no_such_tutorial"], None),
    "templates_list": ("en", ["templates", "list"], None),
    "templates_show": ("en", ["templates", "show", "closing"], None),
    "templates_search": ("en", ["templates", "search", "gas"], None),
    "status": ("en", ["status"], None),
    "check_bundled": ("en", ["check"], None),
    "check_bad_placeholders": ("en", ["check", str(BAD / "bad_placeholders.yaml")], None),
    "check_bad_plural_fr_ui": ("fr", ["check", str(BAD / "bad_plural_forms.yaml")], None),
    "preview": ("en", ["preview", "closing"], None),
    "models_list_empty": ("en", ["models", "list"], None),
    "translate_no_model": ("es", ["translate", "--to", "zh", "hello"], None),
    "config": ("en", ["config"], None),
}


def _view(result: object, argv: list[str], home: str) -> str:
    stdout, stderr = result.stdout, result.stderr  # type: ignore[attr-defined]
    text = (f"$ supportkit {' '.join(argv)}\n--- exit {result.exit_code}\n"  # type: ignore[attr-defined]
            f"--- stdout\n{stdout}--- stderr\n{stderr}")
    root = str(Path(__file__).resolve().parent.parent)
    return text.replace(home, "<home>").replace(root, "<project>")


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_text_view_is_exactly_its_golden_file(name: str) -> None:
    language, argv, stdin = VIEWS[name]
    os.environ["SUPPORTKIT_LANG"] = language  # the autouse fixture restores it
    result = CliRunner().invoke(cli, argv, input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    view = _view(result, argv, str(Path.cwd()))
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(view, encoding="utf-8")
    assert view == golden.read_text(encoding="utf-8")


def test_every_golden_file_has_its_view() -> None:
    assert sorted(p.stem for p in GOLDEN.glob("*.txt")) == sorted(VIEWS)
