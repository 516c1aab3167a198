"""Language detection: edge cases, scripts, help-desk phrases, API shape, CLI."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supportkit.cli import cli
from supportkit.detection import Detection, core, detect, detect_many, model

UND_KEYS = {"language", "confidence", "script", "romanized", "alternatives"}


def assert_und(result: Detection) -> None:
    assert result.language == "und"
    assert result.confidence == 0.0
    assert result.alternatives[0].language == "und"


# --- inputs with no language --------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "",
    "   \n\t  \u3000 ",
    "https://example.com/wallet?id=42&ref=abc",
    "www.example.org/faq",
    "12345 678,90 0.5% 2024-06-01 12:30",
    "🙏🙏😭👍🏽",
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "TQ5h2jkgz8UJn7ZKGSXZ7hHJJGFdjq9XbP",
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "0x" + "ab" * 32,
    "support@example.com @helpdesk_bot",
    "!!! ??? ... ---",
    "a",
    "x",
])
def test_no_linguistic_content_is_und(text: str) -> None:
    assert_und(detect(text))


def test_address_inside_a_message_is_ignored() -> None:
    result = detect("Transferí 50 USDT a 0x52908400098527886E0F7030069857D2E4169EE7 y no llega")
    assert result.language == "es"


def test_pasted_seed_phrase_does_not_decide_the_language() -> None:
    text = "我的助记词是 canyon cruise token wash fabric tennis rapid hair hurry hurdle true arm 请帮我恢复钱包"
    assert detect(text).language == "zh"
    text = "вот фраза: scare alter enable trigger twist whale wrap lyrics observe slight; помогите восстановить"
    assert detect(text).language == "ru"


# --- one character ------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "language", "script"), [
    ("好", "zh", "Hans"),
    ("錢", "zh", "Hant"),
    ("の", "ja", "Jpan"),
    ("ア", "ja", "Jpan"),
    ("한", "ko", "Kore"),
])
def test_single_character_by_script(text: str, language: str, script: str) -> None:
    result = detect(text)
    assert (result.language, result.script) == (language, script)


# --- scripts ------------------------------------------------------------------------------


def test_traditional_chinese_is_zh_hant() -> None:
    result = detect("請問客服在嗎？我的錢包轉帳一直沒有到帳")
    assert (result.language, result.script) == ("zh", "Hant")


@pytest.mark.parametrize(("text", "script"), [
    ("你們回覆太慢了", "Hant"),  # 回 is Simplified for 迴, and Traditional text writes it too
    ("錢包裡的餘額顯示為零", "Hant"),
    ("台灣可以用嗎", "Hant"),  # 台 is written by both forms, 灣 and 嗎 only by Traditional
    ("你好", "Hans"),  # no character that only one form writes: Hans by default
    ("回复太慢了", "Hans"),
    ("謝謝", "Hant"),
    ("谢谢", "Hans"),
])
def test_chinese_script_from_characters_only_one_form_writes(text: str, script: str) -> None:
    result = detect(text)
    assert (result.language, result.script, result.romanized) == ("zh", script, False)


@pytest.mark.parametrize(("text", "script"), [
    ("我的USDT transfer pending 好久了", "Hans"),
    ("wallet 里的 TRX 不见了", "Hans"),
    ("help 我的币没到账", "Hans"),
    ("customer service 怎么联系", "Hans"),
    ("USDT 被 freeze 了", "Hans"),
    ("USDT transfer 一直 pending 怎麼辦", "Hant"),
])
def test_chinese_with_english_crypto_words_is_chinese(text: str, script: str) -> None:
    result = detect(text)
    assert (result.language, result.script) == ("zh", script)


@pytest.mark.parametrize(("text", "language"), [
    ("I sent 100 USDT to 张伟 yesterday but nothing arrived", "en"),
    ("my 钱包 is not working at all", "en"),
    ("перевёл деньги на счёт 张伟, где они?", "ru"),
])
def test_a_few_chinese_characters_in_another_language_leave_it_that_language(text: str, language: str) -> None:
    assert detect(text).language == language


def test_simplified_chinese_is_zh_hans() -> None:
    result = detect("请问客服在吗？我的钱包转账一直没有到账")
    assert (result.language, result.script) == ("zh", "Hans")


@pytest.mark.parametrize("text", ["ウォレットが開けません", "こんにちは", "送金が届いていません"])
def test_kana_is_japanese(text: str) -> None:
    result = detect(text)
    assert (result.language, result.script) == ("ja", "Jpan")


def test_hangul_is_korean() -> None:
    assert (detect("돈이 안 들어왔어요").language, detect("돈이 안 들어왔어요").script) == ("ko", "Kore")


@pytest.mark.parametrize(("text", "language"), [
    ("Привіт, гаманець не працює", "uk"),
    ("дякую", "uk"),
    ("Здравейте, портфейлът ми не работи", "bg"),
    ("Здравствуйте, кошелёк не работает", "ru"),
    ("Вы мне поможете?", "ru"),
])
def test_cyrillic_languages(text: str, language: str) -> None:
    result = detect(text)
    assert (result.language, result.script) == (language, "Cyrl")


@pytest.mark.parametrize(("text", "language", "script"), [
    ("كيف أستعيد محفظتي", "ar", "Arab"),
    ("Γεια σας, δεν λειτουργεί", "el", "Grek"),
    ("สวัสดีครับ", "th", "Thai"),
    ("שלום, הארנק לא עובד", "he", "Hebr"),
    ("नमस्ते", "hi", "Deva"),
])
def test_other_scripts(text: str, language: str, script: str) -> None:
    result = detect(text)
    assert (result.language, result.script) == (language, script)


# --- short help-desk phrases ----------------------------------------------------------------


@pytest.mark.parametrize(("text", "language"), [
    ("hola??", "es"),
    ("gracias", "es"),
    ("no me llega el dinero", "es"),
    ("mi saldo no aparece", "es"),
    ("ne marche pas", "fr"),
    ("merci beaucoup", "fr"),
    ("bonjour", "fr"),
    ("où est mon argent ?", "fr"),
    ("спасибо", "ru"),
    ("не работает", "ru"),
    ("где мои деньги", "ru"),
    ("thanks", "en"),
    ("help please", "en"),
    ("where is my money", "en"),
    ("客服在吗", "zh"),
    ("钱没到账", "zh"),
])
def test_short_helpdesk_phrases(text: str, language: str) -> None:
    assert detect(text).language == language


@pytest.mark.parametrize(("text", "language"), [
    ("hi", "en"),
    ("Hi!!", "en"),
    ("ok", "en"),
    ("OK", "en"),
    ("okay", "en"),
    ("ty", "en"),
    ("hello", "en"),
    ("USDT?", "en"),
    ("hola", "es"),
    ("gracias", "es"),
    ("merci", "fr"),
    ("bonjour", "fr"),
    ("d'accord merci", "fr"),
    ("спасибо", "ru"),
    ("ок", "ru"),
    ("谢谢", "zh"),
])
def test_short_openers_are_one_of_our_five(text: str, language: str) -> None:
    result = detect(text)
    assert (result.language, result.romanized) == (language, False)


@pytest.mark.parametrize(("text", "language"), [
    ("grazie", "it"),
    ("obrigado", "pt"),
    ("danke", "de"),
])
def test_short_words_that_are_rare_in_our_five_keep_their_language(text: str, language: str) -> None:
    assert detect(text).language == language


# --- Russian in Latin letters -----------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "zabyl parol ot koshelka",
    "pomogite usdt ne prishli",
    "privet, kak vosstanovit' koshelek",
    "zdravstvujte, u menja propali dengi",
    "spasibo",
    "privet",
    "gde moi den'gi",
    "kak svyazatsya s podderzhkoy",
    "dobryj den', nuzhna pomosch",
    "ochen nuzhna pomoshch",
    "otmenite tranzakciyu",
    "vsyo eshchyo zhdu",
])
def test_russian_in_latin_letters_is_russian_and_says_so(text: str) -> None:
    result = detect(text)
    assert (result.language, result.script, result.romanized) == ("ru", "Latn", True)
    assert result.to_dict()["romanized"] is True
    assert result.alternatives[0].language == "ru"


@pytest.mark.parametrize("text", ["4to delat", "ho4u vernut' den'gi", "ne mogu nai4i koshelek", "pomo6 nuzhna"])
def test_chat_russian_digits_for_letters_are_read_as_letters(text: str) -> None:
    result = detect(text)
    assert (result.language, result.romanized) == ("ru", True)


@pytest.mark.parametrize(("text", "language"), [
    ("mp3 file will not open", "en"),
    ("win64 app crashed", "en"),
    ("send 0x3f4e please", "en"),
])
def test_codes_with_those_digits_stay_codes(text: str, language: str) -> None:
    result = detect(text)
    assert (result.language, result.romanized) == (language, False)


@pytest.mark.parametrize(("text", "language"), [
    ("nie moge sie zalogowac", "pl"),
    ("dzien dobry", "pl"),
    ("nemuzu se prihlasit", "cs"),
    ("zapomnel jsem heslo", "cs"),
    ("ne mogu se prijaviti", "hr"),
    ("pomozite molim vas", "hr"),
    ("zabudol som heslo", "sk"),
    ("saya lupa kata sandi", "id"),
    ("nu pot sa ma conectez", "ro"),
    ("sifremi unuttum", "tr"),
    ("I forgot my password", "en"),
    ("no me llega el dinero", "es"),
])
def test_other_latin_languages_do_not_become_russian(text: str, language: str) -> None:
    result = detect(text)
    assert (result.language, result.romanized) == (language, False)


@pytest.mark.parametrize(("spellings", "folded"), [
    (("vosstanovit'", "vosstanovit"), "vosstanovit"),
    (("zdravstvuyte", "zdravstvujte"), "zdravstvuite"),
    (("pomoshch", "pomosch", "pomow"), "pomow"),
    (("svyazat'sya", "svyazatsya"), "sviazacia"),
    (("dobryj", "dobriy", "dobryi"), "dobri"),
    (("4to", "chto"), "Cto"),
])
def test_transliteration_variants_fold_to_one_skeleton(spellings: tuple[str, ...], folded: str) -> None:
    from supportkit.detection.romanized import skeleton

    assert {skeleton(s) for s in spellings} == {folded}


def test_the_skeletons_of_a_russian_word_include_its_usual_spellings() -> None:
    from supportkit.detection.romanized import latin_forms, skeleton

    assert skeleton("koshelek") in latin_forms("кошелёк")
    assert skeleton("koshelyok") in latin_forms("кошелёк")
    assert skeleton("yesli") in latin_forms("если")
    assert latin_forms("wallet") == []


def test_the_frozen_helpdesk_set_has_every_family() -> None:
    path = Path(__file__).parent / "data" / "detect_helpdesk.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    families: dict[str, int] = {}
    for row in rows:
        assert {"family", "lang", "text"} <= set(row)
        families[row["family"]] = families.get(row["family"], 0) + 1
    assert set(families) == {"zh", "zh_hant", "en", "es", "ru", "fr", "ru_latn", "mixed_zh", "short", "negative"}
    assert min(families.values()) >= 60


@pytest.mark.parametrize(("text", "language"), [
    ("mi wallet no muestra USDT TRC20", "es"),
    ("el swap no funciona", "es"),
    ("mon wallet ne marche pas", "fr"),
    ("le token n'apparaît pas", "fr"),
    ("my wallet is empty", "en"),
    ("wallet", "en"),
    ("wallet swap", "en"),
])
def test_crypto_loanwords_do_not_make_a_message_english(text: str, language: str) -> None:
    assert detect(text).language == language


@pytest.mark.parametrize(("text", "language"), [
    ("Obrigado, o meu dinheiro não chegou", "pt"),
    ("Grazie, il portafoglio non funziona", "it"),
    ("Ich habe mein Passwort vergessen", "de"),
    ("Bon dia, no puc accedir al meu moneder", "ca"),
])
def test_confusable_languages_come_out_as_themselves(text: str, language: str) -> None:
    assert detect(text).language == language


# --- API shape ------------------------------------------------------------------------------


def test_detection_is_frozen_and_serializes_with_stable_keys() -> None:
    result = detect("hola amigo")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.language = "en"  # type: ignore[misc]
    data = result.to_dict()
    assert set(data) == UND_KEYS
    assert data["language"] == "es"
    assert data["script"] == "Latn"
    assert data["romanized"] is False
    assert data["alternatives"][0] == {"language": "es", "confidence": data["confidence"]}
    assert json.loads(json.dumps(data)) == data


def test_alternatives_are_ranked_and_first_is_the_answer() -> None:
    result = detect("ne marche pas")
    confidences = [a.confidence for a in result.alternatives]
    assert result.alternatives[0].language == result.language
    assert confidences == sorted(confidences, reverse=True)
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert len({a.language for a in result.alternatives}) == len(result.alternatives) > 1


def test_detect_many_matches_detect() -> None:
    texts = ["hola amigo", "", "客服在吗", "спасибо", "ne marche pas"]
    assert detect_many(texts) == [detect(t) for t in texts]


def test_non_str_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        detect(b"hola")  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_never_raises_on_any_string(text: str) -> None:
    result = detect(text)
    assert 0.0 <= result.confidence <= 1.0
    assert result.alternatives[0].language == result.language


# --- bounded work on huge input ---------------------------------------------------------------


def test_huge_input_is_judged_on_a_bounded_head(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real = core.strip_non_linguistic

    def spy(text: str) -> str:
        seen.append(len(text))
        return real(text)

    monkeypatch.setattr(core, "strip_non_linguistic", spy)
    result = detect("where is my money " * 600_000)  # about 10 MB
    assert result.language == "en"
    assert seen and max(seen) <= core.MAX_SCAN_CHARS


def test_huge_input_without_letters_at_the_start_looks_a_little_further(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real = core.strip_non_linguistic
    monkeypatch.setattr(core, "strip_non_linguistic", lambda text: seen.append(len(text)) or real(text))
    text = "1234567890 " * (core.MAX_SCAN_CHARS // 11 + 1) + "¿dónde está mi dinero? " * 500_000
    assert detect(text).language == "es"
    assert len(seen) <= core.MAX_WINDOWS
    assert_und(detect("0123456789" * 1_000_000))


# --- determinism and concurrency ---------------------------------------------------------------

SAMPLES = ["hola amigo", "ne marche pas", "спасибо", "客服在吗", "請問客服在嗎", "thanks", "ok", "Привіт",
           "mi saldo no aparece", "ウォレット", "où est mon argent ?", ""]


def test_same_answer_across_processes(tmp_path_factory: pytest.TempPathFactory) -> None:
    cache = tmp_path_factory.mktemp("shared-cache")
    script = ("import json, sys; from supportkit.detection import detect; "
              "print(json.dumps([detect(t).to_dict() for t in json.loads(sys.argv[1])]))")
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "XDG_CACHE_HOME": str(cache)}
        done = subprocess.run([sys.executable, "-c", script, json.dumps(SAMPLES)], env=env, check=True,
                              capture_output=True, text=True)
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1] == [detect(t).to_dict() for t in SAMPLES]
    # The model is the package's prebuilt one (an installed tree) or was compiled into the cache once.
    assert model._load_shipped() is not None or list((cache / "supportkit").glob("detect-*.marshal")), \
        "the compiled model was neither prebuilt nor cached"


def test_same_answer_across_threads() -> None:
    texts = SAMPLES * 20
    core._word_cache.clear()
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(detect, texts))
    assert threaded == [detect(t) for t in texts]


# --- the compiled model cache ------------------------------------------------------------------


def test_cache_round_trip_and_stale_files_are_rejected(tmp_path: Path) -> None:
    from array import array

    data = {
        "format": model.FORMAT, "latin": ["en"], "cyrillic": ["ru"],
        "lexicon": {"en": (array("I", [3, 7, 9]).tobytes(), bytes([1, 2, 3]))},
        "chars": {"en": {"a": -1.0}}, "char_floor": -9.0,
        "traditional": "錢", "simplified": "钱", "kanji_only": "駅",
    }
    loaded = model._deserialize(memoryview(model._serialize(data, "key")), "key")
    assert loaded is not None
    assert list(loaded.lexicon["en"][0]) == [3, 7, 9]
    assert list(loaded.lexicon["en"][1]) == [1, 2, 3]
    assert loaded.traditional == frozenset("錢")
    assert model._deserialize(memoryview(b"not a model at all"), "key") is None
    stale = model._serialize({**data, "format": model.FORMAT - 1}, "key")
    assert model._deserialize(memoryview(stale), "key") is None
    assert model._deserialize(memoryview(model._serialize(data, "key")), "another key") is None
    path = tmp_path / "sub" / "model.bin"
    model.write_cache(path, b"payload", keep=2)
    assert path.read_bytes() == b"payload"
    assert [p.name for p in path.parent.iterdir()] == ["model.bin"]


def _tiny_model_data() -> dict:
    from array import array

    return {
        "format": model.FORMAT, "latin": ["en"], "cyrillic": ["ru"],
        "lexicon": {"en": (array("I", sorted([model.word_hash("shipped")])).tobytes(), bytes([5]))},
        "chars": {"en": {"a": -1.0}}, "char_floor": -9.0,
        "traditional": "錢", "simplified": "钱", "kanji_only": "駅",
    }


def test_the_prebuilt_model_is_loaded_and_nothing_is_built_or_cached(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = tmp_path / "data" / "detect.model"
    shipped.parent.mkdir()
    shipped.write_bytes(model._serialize(_tiny_model_data(), model.shipped_key()))
    monkeypatch.setattr(model, "shipped_path", lambda: shipped)
    monkeypatch.setattr(model, "_model", None)
    monkeypatch.setattr(model, "build", lambda: pytest.fail("the prebuilt model must be used"))
    loaded = model.load()
    assert list(loaded.lexicon["en"][0]) == [model.word_hash("shipped")]
    assert model.load() is loaded
    from supportkit.cache import cache_dir

    assert not list(cache_dir().glob("detect-*"))


@pytest.mark.parametrize("content", ["another key", "damaged", "empty", "missing"])
def test_a_prebuilt_model_for_other_code_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    content: str) -> None:
    shipped = tmp_path / "detect.model"
    if content == "another key":
        shipped.write_bytes(model._serialize(_tiny_model_data(), model.shipped_key() + " edited"))
    elif content == "damaged":
        shipped.write_bytes(model._serialize(_tiny_model_data(), model.shipped_key())[:200])
    elif content == "empty":
        shipped.write_bytes(b"")
    monkeypatch.setattr(model, "shipped_path", lambda: shipped)
    monkeypatch.setattr(model, "_model", None)
    sentinel = object()
    monkeypatch.setattr(model, "_load_cached", lambda: sentinel)
    assert model.load() is sentinel


def test_the_prebuilt_key_follows_the_code_not_where_it_is_installed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = model.shipped_key()
    assert str(Path(model.__file__).parent) not in key
    edited = tmp_path / "romanized.py"
    edited.write_bytes(Path(model.romanized.__file__).read_bytes() + b"\n# edited\n")
    monkeypatch.setattr(model.romanized, "__file__", str(edited))
    assert model.shipped_key() != key


def test_writing_the_prebuilt_model_round_trips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "build", _tiny_model_data)
    target = tmp_path / "data" / "detect.model"
    model.write_shipped(target)
    assert [p.name for p in target.parent.iterdir()] == ["detect.model"]
    monkeypatch.setattr(model, "shipped_path", lambda: target)
    monkeypatch.setattr(model, "_model", None)
    assert list(model.load().lexicon["en"][1]) == [5]


# --- CLI ---------------------------------------------------------------------------------------


def test_cli_json(runner) -> None:
    result = runner.invoke(cli, ["detect", "--json", "hola amigo"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == UND_KEYS
    assert (data["language"], data["script"]) == ("es", "Latn")


def test_cli_json_romanized_russian(runner) -> None:
    result = runner.invoke(cli, ["detect", "--json", "zabyl parol ot koshelka"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["language"], data["script"], data["romanized"]) == ("ru", "Latn", True)
    assert list(data) == ["language", "confidence", "script", "romanized", "alternatives"]


def test_cli_text_output(runner) -> None:
    result = runner.invoke(cli, ["detect", "请问客服在吗"])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "zh\t0.99\tHans"


def test_cli_reads_stdin(runner) -> None:
    result = runner.invoke(cli, ["detect", "-"], input="спасибо большое\n".encode())
    assert result.exit_code == 0
    assert result.output.split("\t")[0] == "ru"


def test_cli_lines_gives_json_lines(runner) -> None:
    result = runner.invoke(cli, ["detect", "--lines"], input="hola amigo\n\n客服在吗\r\nne marche pas\n".encode())
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [r["language"] for r in records] == ["es", "und", "zh", "fr"]
    assert [r.pop("line") for r in records] == [1, 2, 3, 4]  # a blank line is a record too
    assert all(set(r) == UND_KEYS for r in records)


def test_cli_invalid_utf8_is_a_clean_error(runner) -> None:
    result = runner.invoke(cli, ["detect"], input=b"hola \xff\xfe amigo")
    assert result.exit_code == 1
    assert "Error: input is not valid UTF-8 (byte 5) (stdin)." in result.output
    assert "Traceback" not in result.output


def test_cli_lines_invalid_utf8_names_the_line(runner) -> None:
    result = runner.invoke(cli, ["detect", "--lines"], input=b"hola\n\xff\n")
    assert result.exit_code == 1
    first, second = result.output.splitlines()
    assert first.startswith('{"line":1,"language":"es"')
    assert json.loads(second) == {"line": 2, "error": "input is not valid UTF-8 (byte 0) (stdin:2). Convert it to "
                                                      "UTF-8, e.g. with iconv -t UTF-8."}
