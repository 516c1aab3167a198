"""Offline translation on real (tiny) Argos packages built by tests/models.py.

The *copy* model's output equals its input, so every span, marker and pivot hop is
checked on the real load-quantize-decode path; the seeded *random* model's output is
garbage, so the fallback chain has to keep every span on its own.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from supportkit.errors import InputError, ModelError
from supportkit.text import find_protected_spans, split_sentences
from supportkit.translation import (
    MAX_SEGMENT_CHARS,
    TranslatedText,
    join_segments,
    translate,
    translate_segments,
)
from supportkit.translation.engine import Engine, EngineOptions
from supportkit.translation.masking import MARKER_STYLES, markers_intact, mask, rebuild, restore, spans_intact
from supportkit.translation.packages import install_archive, packages_dir

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ("TokenPocket", "USDT", "TRC20", "ERC20")
ADDRESS = "0x983766680df1a21b18c678f8d5974f7c907e53f6"
TRON = "TXYZa1b2c3d4e5f6g7h8i9j1k2m3n4p5q6"
TX_HASH = "0x" + "ab12" * 16

SPAN_MESSAGES = [
    f"My USDT transfer of 1,250.50 USDT to {ADDRESS} is stuck. Contact {{user_name}} at "
    "https://help.example.com/a_b?x=1 or support@example.com please!",
    f"我的USDT转账卡住了。交易哈希 {TX_HASH}，地址 {TRON}。请帮忙！",
    "Hola {{ brand.product }}, ¿dónde está mi depósito de $20? ¡Ayuda! %s TRC20",
    "Мой перевод 0.5 ETH завис. Пишите на @support_team или https://t.me/x_y.",
    "Bonjour, mon retrait de 300 USDT via TRC20 n'est pas arrivé. Merci !",
]


@pytest.fixture
def install(archives: Callable[..., Path]) -> Callable[..., None]:
    """Install packages into this test's own ARGOS_PACKAGES_DIR."""

    def run(*pairs: str, kind: str = "copy") -> None:
        for pair in pairs:
            a, b = pair.split("-")
            install_archive(archives(a, b, kind))

    return run


def engine() -> Engine:
    return Engine(packages_dir())


def span_texts(text: str) -> list[str]:
    return [s.text for s in find_protected_spans(text, GLOSSARY)]


def assert_spans_once(source: str, output: str) -> None:
    for text in set(span_texts(source)):
        assert output.count(text) == source.count(text), (text, output)


# --- the test models themselves -----------------------------------------------------


def test_copy_model_outputs_its_input_through_ctranslate2(tmp_path: Path, archives: Callable[..., Path],
                                                          sentencepiece_model: bytes) -> None:
    import zipfile

    import ctranslate2
    import sentencepiece

    archive = archives("en", "es")
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp_path)
    folder = tmp_path / archive.stem
    translator = ctranslate2.Translator(str(folder / "model"), compute_type="int8")
    processor = sentencepiece.SentencePieceProcessor(model_proto=sentencepiece_model)
    texts = [*SPAN_MESSAGES, "[0] ⟦1⟧ <2> {3}", "emoji 😀 and ключ 钥匙 ß", "x" * 300]
    results = translator.translate_batch([processor.encode(t, out_type=str) for t in texts], beam_size=2,
                                         max_decoding_length=1024)
    assert [processor.decode(r.hypotheses[0]) for r in results] == texts


def test_random_model_output_is_garbage(install: Callable[..., None]) -> None:
    install("en-es", kind="random")
    text = "My wallet is stuck."
    assert engine().translate([text], ["en", "es"])[0] != text


def test_package_layout_is_what_argos_reads(install: Callable[..., None]) -> None:
    install("en-es")
    folder = packages_dir() / "translate-en_es-1_0"
    metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    assert (metadata["from_code"], metadata["to_code"], metadata["type"]) == ("en", "es", "translate")
    assert (folder / "model" / "model.bin").is_file()
    assert (folder / "sentencepiece.model").is_file()


# --- spans, pivots, fallback ----------------------------------------------------------


@pytest.mark.parametrize("message", SPAN_MESSAGES)
def test_copy_model_keeps_every_span_exactly_once(install: Callable[..., None], message: str) -> None:
    install("en-es", "es-en", "zh-en", "ru-en", "fr-en")
    source = {0: "en", 1: "zh", 2: "es", 3: "ru", 4: "fr"}[SPAN_MESSAGES.index(message)]
    target = "en" if source != "en" else "es"
    result = translate(message, target=target, source=source, glossary=GLOSSARY, engine=engine())
    assert result.text == message
    assert {s.status for s in result.segments} <= {"translated", "unchanged"}
    assert_spans_once(message, result.text)


def test_pivot_through_english(install: Callable[..., None]) -> None:
    install("zh-en", "en-es")
    message = SPAN_MESSAGES[1]
    result = translate(message, target="es", source="zh", glossary=GLOSSARY, engine=engine())
    assert result.path == ("zh", "en", "es")
    assert result.route == "zh->en->es"
    assert result.to_dict()["path"] == "zh->en->es"
    assert result.text == message
    assert all(s.status == "translated" for s in result.segments)


def test_the_newest_package_for_a_pair_is_used(archives: Callable[..., Path]) -> None:
    import shutil
    import zipfile

    root = packages_dir()
    for version in ("1.0", "1.1"):  # two folders for one pair, as a manual unzip can leave
        with zipfile.ZipFile(archives("en", "es", version=version)) as zf:
            zf.extractall(root)
    assert engine().model("en", "es").package.info.package_version == "1.1"
    shutil.rmtree(root / "translate-en_es-1_1")
    assert engine().model("en", "es").package.info.package_version == "1.0"


def test_direct_package_beats_the_pivot(install: Callable[..., None]) -> None:
    install("zh-en", "en-es", "zh-es")
    assert engine().route("zh", "es") == ["zh", "es"]


def test_random_model_never_loses_or_duplicates_a_span(install: Callable[..., None]) -> None:
    install("en-es", "zh-en", "ru-en", kind="random")
    for message, source in zip(SPAN_MESSAGES, ["en", "zh", "es", "ru", "fr"], strict=True):
        if source in ("es", "fr"):
            continue
        result = translate(message, target="es", source=source, glossary=GLOSSARY, engine=engine())
        assert_spans_once(message, result.text)
        for segment in result.segments:
            assert spans_intact(segment.source, segment.text, find_protected_spans(segment.source, GLOSSARY))
        assert {s.status for s in result.segments} <= {"translated", "fallback", "untranslated", "unchanged"}


class _Tampering(Engine):
    """A real engine whose output is changed after decoding, to drive each branch of the fallback chain."""

    def __init__(self, root: Path, tamper: Callable[[str], str]) -> None:
        super().__init__(root)
        self.tamper = tamper
        self.calls: list[list[str]] = []

    def model(self, source: str, target: str):
        real = super().model(source, target)
        outer = self

        class Wrapped:
            def translate(self, texts: Sequence[str]) -> list[str]:
                outer.calls.append(list(texts))
                return [outer.tamper(t) for t in real.translate(texts)]

            def spells(self, text: str) -> bool:
                return real.spells(text)

        return Wrapped()


def test_lost_marker_falls_back_to_translating_between_spans(install: Callable[..., None]) -> None:
    install("en-es")
    tampering = _Tampering(packages_dir(), lambda t: re.sub(r"\[\d+\]", "", t))
    message = f"Send 20 USDT to {ADDRESS} now, thanks."
    result = translate(message, target="es", source="en", glossary=GLOSSARY, engine=tampering)
    assert [s.status for s in result.segments] == ["fallback"]
    assert result.text == message  # copy model: the pieces come back as they were, spans put back between
    assert ["Send", "to", "now, thanks."] in tampering.calls  # stage 2 sent only the text between spans


def test_duplicated_marker_is_refused(install: Callable[..., None]) -> None:
    install("en-es")
    tampering = _Tampering(packages_dir(), lambda t: t + " [0]" if "[0]" in t else t)
    message = f"Send it to {ADDRESS} today."
    result = translate(message, target="es", source="en", glossary=GLOSSARY, engine=tampering)
    assert result.segments[0].status == "fallback"
    assert result.text.count(ADDRESS) == 1


def test_invented_address_leaves_the_sentence_untranslated(install: Callable[..., None]) -> None:
    install("en-es")
    other = "0x" + "1" * 40
    tampering = _Tampering(packages_dir(), lambda t: t + f" {other}")
    message = f"Send it to {ADDRESS} today."
    result = translate(message, target="es", source="en", glossary=GLOSSARY, engine=tampering)
    assert [s.status for s in result.segments] == ["untranslated"]
    assert result.text == message
    assert not result.complete
    assert other not in result.text


def test_model_failure_at_run_time_returns_the_source(install: Callable[..., None]) -> None:
    install("en-es")

    def boom(text: str) -> str:
        raise RuntimeError("decoder crashed")

    message = f"Send it to {ADDRESS} today. Second sentence."
    result = translate(message, target="es", source="en", glossary=GLOSSARY,
                       engine=_Tampering(packages_dir(), boom))
    assert result.text == message
    assert {s.status for s in result.segments} == {"untranslated"}


def test_customer_brackets_do_not_collide_with_markers(install: Callable[..., None]) -> None:
    install("en-es")
    message = f"See note [0] and [1], then pay {ADDRESS}."
    result = translate(message, target="es", source="en", glossary=GLOSSARY, engine=engine())
    assert result.text == message
    assert result.segments[0].status == "translated"


def test_only_spans_and_numbers_skip_the_model(install: Callable[..., None]) -> None:
    install("en-es")
    calls = _Tampering(packages_dir(), lambda t: t)
    result = translate(f"{ADDRESS} 12345 20 USDT", target="es", source="en", glossary=GLOSSARY, engine=calls)
    assert [s.status for s in result.segments] == ["unchanged"]
    assert calls.calls == []


def test_long_message_is_cut_into_segments_the_model_can_take(install: Callable[..., None]) -> None:
    install("en-es")
    message = ("My transfer of 20 USDT, sent yesterday, to the exchange, is still pending " * 30).strip() + "."
    result = translate(message, target="es", source="en", glossary=GLOSSARY, engine=engine())
    assert len(result.segments) > 1
    assert all(len(s.source) <= MAX_SEGMENT_CHARS for s in result.segments)
    assert result.text == message


# --- guard, detection, errors ---------------------------------------------------------


def test_secrets_are_removed_before_translation(install: Callable[..., None]) -> None:
    from mnemonic import Mnemonic

    install("en-es")
    phrase = Mnemonic("english").to_mnemonic(bytes(range(16)))
    seen = _Tampering(packages_dir(), lambda t: t)
    message = f"My transfer is stuck, here is my wallet phrase: {phrase}. Please check."
    result = translate(message, target="es", source="en", glossary=GLOSSARY, engine=seen)
    assert result.secret_found
    assert result.to_dict()["secret_found"] is True
    words = [w for w in phrase.split() if len(w) > 4]
    sent = " ".join(" ".join(call) for call in seen.calls)
    assert seen.calls and not any(w in sent for w in words)
    assert not any(w in result.text for w in words)
    assert result.text.count("[recovery phrase removed]") == 1
    assert "[recovery phrase removed]" not in sent  # the marker is a protected span: masked, never translated


def test_secret_marker_survives_the_random_model(install: Callable[..., None]) -> None:
    from mnemonic import Mnemonic

    install("en-es", kind="random")
    phrase = Mnemonic("english").to_mnemonic(bytes(range(16)))
    result = translate(f"Help me, my words are {phrase} thanks", target="es", source="en", glossary=GLOSSARY,
                       engine=engine())
    assert result.secret_found
    assert result.text.count("[recovery phrase removed]") == 1
    assert "abandon" not in result.text


def test_missing_model_names_the_install_command() -> None:
    with pytest.raises(ModelError) as caught:
        translate("Hola amigo, mi billetera", target="zh", source="es", engine=engine())
    assert "supportkit models install es zh" in str(caught.value)


def test_missing_pivot_hop_names_that_hop(install: Callable[..., None]) -> None:
    install("zh-en")
    with pytest.raises(ModelError) as caught:
        translate("我的钱包", target="es", source="zh", engine=engine())
    assert "supportkit models install en es" in str(caught.value)


def test_same_language_needs_no_model() -> None:
    result = translate("Hello there", target="en", source="en", engine=engine())
    assert (result.text, result.path, result.segments[0].status) == ("Hello there", ("en",), "unchanged")


def test_source_language_is_detected(install: Callable[..., None]) -> None:
    install("es-en")
    result = translate("Hola, mi billetera no funciona y necesito ayuda con mi depósito.", target="en",
                       engine=engine())
    assert (result.source_language, result.detected) == ("es", True)


def test_nothing_but_spans_needs_no_language_or_model() -> None:
    result = translate(f"{ADDRESS} https://x.example.com/a 20 USDT", target="zh", engine=engine())
    assert result.text == f"{ADDRESS} https://x.example.com/a 20 USDT"
    assert [s.status for s in result.segments] == ["unchanged"]


def test_bad_language_code_and_empty_text_are_input_errors() -> None:
    with pytest.raises(InputError):
        translate("hello", target="../etc", source="en")
    with pytest.raises(InputError, match="empty"):
        translate(" \n\u200b", target="es", source="en")


def test_drafts_contract(install: Callable[..., None]) -> None:
    from supportkit.writers.drafts import default_translator

    install("en-es")
    run = default_translator()
    assert run("Open {{ brand.product }} and tap Send.", "en", "es") == "Open {{ brand.product }} and tap Send."


# --- engine ---------------------------------------------------------------------------


def test_engine_defaults() -> None:
    options = EngineOptions()
    assert (options.compute_type, options.device) == ("int8", "cpu")
    assert options.max_decoding_length <= 512


def test_decoding_is_capped_and_batched(install: Callable[..., None]) -> None:
    install("en-es", kind="random")
    model = Engine(packages_dir(), EngineOptions(max_batch_size=3, max_decoding_length=40)).model("en", "es")
    real = model.translator
    seen: list[tuple[int, int, int]] = []  # (batch size, longest input, cap)

    class Spy:
        def translate_batch(self, batch: list[list[str]], **options: object) -> list[object]:
            results = real.translate_batch(batch, **options)
            cap = int(options["max_decoding_length"])  # type: ignore[call-overload]
            assert all(len(r.hypotheses[0]) <= cap for r in results)
            seen.append((len(batch), max(map(len, batch)), cap))
            return results

    model.translator = Spy()
    texts = ["Hi.", "My wallet is stuck after the swap, please help me with it.", "Help"] * 3
    assert len(model.translate(texts)) == len(texts)
    assert [size for size, _, _ in seen] == [3, 3, 3]
    assert all(cap == min(40, 2 * longest + 10) for _, longest, cap in seen)
    assert seen[-1][2] == 40  # the long sentences hit the configured cap


def test_models_load_once(install: Callable[..., None]) -> None:
    install("en-es")
    shared = engine()
    assert shared.model("en", "es") is shared.model("en", "es")


def test_marker_styles_follow_the_vocabulary(install: Callable[..., None]) -> None:
    install("en-es")
    assert engine().marker_styles(["en", "es"])[0] is MARKER_STYLES[0]


IMPORT_CHECK = """
import sys
{body}
heavy = sorted(m for m in ("ctranslate2", "sentencepiece") if m in sys.modules)
print("HEAVY:" + ",".join(heavy))
"""


@pytest.mark.parametrize("body", [
    "import supportkit.cli",
    "import supportkit.translation, supportkit.translation.masking, supportkit.translation.packages",
    "from supportkit.cli import cli\ntry:\n    cli(['detect', 'hola amigo, ¿cómo estás?'])\nexcept SystemExit:\n    pass",
])
def test_heavy_libraries_load_only_for_translation(body: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", IMPORT_CHECK.format(body=body)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120, check=True)
    assert done.stdout.strip().splitlines()[-1] == "HEAVY:"


def test_translation_works_with_every_socket_refused(install: Callable[..., None],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(self: socket.socket, address: object) -> None:
        raise OSError("no network at all")

    install("en-es")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert translate("Hello, my wallet.", target="es", source="en", engine=engine()).text == "Hello, my wallet."


# --- masking and sentences: properties --------------------------------------------------

_span_samples = st.sampled_from([
    ADDRESS, TRON, TX_HASH, "https://x.example.com/a_b?c=1", "support@example.com", "{user_name}",
    "{{ brand.product }}", "%s", "20 USDT", "$5", "TRC20", "USDT", "@helpdesk", "[recovery phrase removed]",
])
_prose = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)
_confusing = st.sampled_from(["[0]", "[1]", "⟦0⟧", "<0>", "{0}", "［2］", "[ 0 ]", " ", ".", "。", "¿", "1.5"])


@st.composite
def messages(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(_prose, _span_samples, _confusing), max_size=12))
    return " ".join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages())
def test_mask_restore_round_trip(text: str) -> None:
    spans = find_protected_spans(text, GLOSSARY)
    masked = mask(text, spans)
    assume(masked is not None)  # None: every style collides with the customer's own text; stage 2 handles it
    assert masked is not None
    assert restore(masked.text, masked) == text
    assert rebuild(masked, masked.pieces) == text
    if masked.style is not None:
        first = masked.style.marker(0)
        assert restore(masked.text.replace(first, "", 1), masked) is None  # dropped
        assert restore(masked.text + first, masked) is None  # duplicated
        assert restore(masked.text.replace(first, masked.style.marker(len(spans)), 1), masked) is None  # renumbered


@settings(max_examples=300, deadline=None)
@given(messages(), st.sampled_from(["en", "zh", "es", "ru", "fr"]), st.sampled_from([None, 40, 400]))
def test_sentences_never_split_inside_a_span_or_number(text: str, lang: str, max_chars: int | None) -> None:
    pieces = split_sentences(text, lang, GLOSSARY, max_chars=max_chars)
    assert "".join(pieces) == text
    cuts, position = set(), 0
    for piece in pieces[:-1]:
        position += len(piece)
        cuts.add(position)
    for span in find_protected_spans(text, GLOSSARY):
        assert not any(span.start < cut < span.end for cut in cuts), (span, pieces)
    for number in re.finditer(r"\d+(?:[.,]\d+)+", text):
        assert not any(number.start() < cut < number.end() for cut in cuts), (number.group(), pieces)


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("我的钱包卡住了。请帮忙！谢谢", "zh", ["我的钱包卡住了。", "请帮忙！", "谢谢"]),
    ("Hola. ¿Dónde está mi depósito? ¡Ayuda!", "es", ["Hola. ", "¿Dónde está mi depósito? ", "¡Ayuda!"]),
    ("Dr. Smith sent 1.5 ETH. It did not arrive.", "en", ["Dr. Smith sent 1.5 ETH. ", "It did not arrive."]),
    ("Sr. García pagó $1,250.50. Gracias.", "es", ["Sr. García pagó $1,250.50. ", "Gracias."]),
    ("Voir https://x.example.com/a. Merci.", "fr", ["Voir https://x.example.com/a. ", "Merci."]),
    ("Т.е. перевод завис. Помогите!", "ru", ["Т.е. перевод завис. ", "Помогите!"]),
])
def test_sentences_are_language_aware(text: str, lang: str, expected: list[str]) -> None:
    assert split_sentences(text, lang, GLOSSARY) == expected


def test_markers_intact_counts_each_marker() -> None:
    masked = mask("pay 20 USDT to x", find_protected_spans("pay 20 USDT to x"))
    assert masked is not None
    assert markers_intact("pagar [0] a x", masked)
    assert markers_intact("pagar [ 0 ] a x", masked)
    assert not markers_intact("pagar a x", masked)
    assert not markers_intact("pagar [0] [0] a x", masked)


def test_segments_join_with_spacing_for_the_target() -> None:
    from supportkit.translation import Segment

    zh = [Segment("Hi. ", "你好。 ", "translated"), Segment("Bye.", "再见。", "translated")]
    assert join_segments(zh, "zh") == "你好。再见。"
    en = [Segment("你好。", "Hello.", "translated"), Segment("再见。", "Bye.", "translated")]
    assert join_segments(en, "en") == "Hello. Bye."


def test_translation_json_shape() -> None:
    result = TranslatedText("hola", "en", "es", ("en", "es"))
    assert set(result.to_dict()) == {"text", "source_language", "target_language", "detected", "path",
                                     "secret_found", "complete", "counts", "segments", "notes"}


def test_translate_segments_is_batched_per_hop(install: Callable[..., None]) -> None:
    install("zh-en", "en-es")
    counting = _Tampering(packages_dir(), lambda t: t)
    pieces = split_sentences("第一句。第二句！第三句？", "zh")
    segments = translate_segments(pieces, ["zh", "en", "es"], counting)
    assert len(counting.calls) == 2  # one call per hop for all three sentences
    assert [s.text for s in segments] == pieces
