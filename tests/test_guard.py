"""The guard: every phrase, key and keystore found and redacted; ordinary text left alone."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportkit.guard import KINDS, guard_text, hanzi, keys, phrases, redaction_marker, safety_notice, scan
from supportkit.guard.notices import NOTICE_LANGUAGES, all_markers
from supportkit.guard.scam import SIGNALS, scam_signals
from tests import secret_samples as samples

DATA = Path(__file__).parent / "data" / "guard"
PROPERTY = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def ordinary(lang: str) -> list[str]:
    lines = (DATA / f"ordinary_{lang}.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


# --- markers and notices ----------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_markers_canonical_native_and_fallback(kind: str) -> None:
    canonical = redaction_marker(kind)
    assert canonical == redaction_marker(kind, None) == redaction_marker(kind, "en") == redaction_marker(kind, "de")
    assert canonical.startswith("[") and canonical.endswith("removed]")
    native = {lang: redaction_marker(kind, lang) for lang in NOTICE_LANGUAGES}
    assert len(set(native.values())) == 5
    assert redaction_marker(kind, "zh-TW") == native["zh"] and redaction_marker(kind, "es_419") == native["es"]


def test_marker_words_are_the_glossary_terms() -> None:
    assert redaction_marker("recovery_phrase", "zh") == "[助记词已移除]"
    assert redaction_marker("recovery_phrase", "es") == "[frase de recuperación eliminada]"
    assert redaction_marker("recovery_phrase", "ru") == "[сид-фраза удалена]"
    assert redaction_marker("recovery_phrase", "fr") == "[phrase de récupération supprimée]"
    assert redaction_marker("private_key") == "[private key removed]"
    assert redaction_marker("wif", "fr") == "[clé privée supprimée]"
    with pytest.raises(ValueError, match="unknown secret kind"):
        redaction_marker("password")


def test_safety_notice_in_each_language() -> None:
    terms = {"zh": ("助记词", "私钥", "新钱包"), "en": ("recovery phrase", "private key", "new wallet"),
             "es": ("frase de recuperación", "clave privada", "billetera nueva"),
             "ru": ("сид-фраз", "приватный ключ", "новый кошелёк"),
             "fr": ("phrase de récupération", "clé privée", "nouveau portefeuille")}
    for lang, words in terms.items():
        notice = safety_notice(lang)
        assert all(word in notice for word in words), lang
    assert safety_notice(None) == safety_notice("de") == safety_notice("en")
    assert safety_notice("zh-Hant") == safety_notice("zh")


def test_safety_notice_typography() -> None:
    zh = safety_notice("zh")
    assert not re.search(r"[,.:;?!()]", zh) and "：" in zh and "，" in zh and zh.endswith("。")
    assert safety_notice("es").startswith("¡")
    fr = safety_notice("fr")
    assert not re.search(r"[^\u202f][;:?!]", fr), "French needs U+202F before ; : ? !"
    assert "\u202f:" in fr and "’" in fr and "'" not in fr


def test_every_marker_is_a_protected_span_and_detection_ignores_it() -> None:
    from supportkit.detection import detect
    from supportkit.text import find_protected_spans

    for marker in all_markers():
        spans = find_protected_spans(f"hola {marker} gracias")
        assert [(s.kind, s.text) for s in spans] == [("redaction", marker)]
    assert detect("hola, gracias [recovery phrase removed] [private key removed]").language == "es"
    assert detect("спасибо [recovery phrase removed]").language == "ru"
    assert detect("merci [keystore file removed] beaucoup").language == "fr"


# --- recovery phrases -------------------------------------------------------------------------


@pytest.mark.parametrize(("wordlist", "length", "fmt"), samples.all_phrase_cases())
def test_phrase_in_every_list_length_and_format(wordlist: str, length: int, fmt: str) -> None:
    words = samples.phrase(wordlist, length, seed=length)
    pasted = samples.format_phrase(words, fmt, wordlist, seed=length)
    result = scan(f"hi! pls chk: {pasted}\nthx")
    assert result.secret_found, (wordlist, length, fmt)
    [finding] = result.findings
    assert finding.kind == "recovery_phrase" and finding.wordlist in (wordlist, *_sharing(wordlist, words))
    assert result.redacted == "hi! pls chk: [recovery phrase removed]\nthx"
    assert not samples.leaked(result.redacted, words)
    if fmt in ("spaces", "numbered", "lines", "commas"):
        assert finding.checksum is True and finding.words == length and finding.confidence == "high"


def _sharing(wordlist: str, words: list[str]) -> tuple[str, ...]:
    """Lists that also hold every word (a phrase of English words common to the French list, say)."""
    lexicon = phrases.lexicon()
    return tuple(name for name in phrases.WORDLISTS
                 if sum(phrases.fold(w.lower()) in lexicon.index[name] or w.lower() in lexicon.index[name]
                        for w in words) >= len(words) - 1)


@pytest.mark.parametrize("wordlist", samples.HAN_LISTS)
@pytest.mark.parametrize("length", samples.LENGTHS)
@pytest.mark.parametrize("frame", ["{}", "我的助记词是{}，请帮我看看", "助记词：\n{}\n谢谢", "帮我看看{}怎么办"])
def test_chinese_phrase_without_spaces(wordlist: str, length: int, frame: str) -> None:
    for seed in range(3):
        words = samples.phrase(wordlist, length, seed=seed)
        result = scan(frame.format("".join(words)))
        assert result.secret_found, (wordlist, length, frame, seed)
        assert result.findings[0].wordlist == wordlist
        assert not samples.leaked(result.redacted, words)
        assert "请帮我看看" not in frame or "请帮我看看" in result.redacted


def test_phrase_with_a_typo_in_a_long_tight_chinese_phrase() -> None:
    words = samples.phrase("chinese_simplified", 24, seed=5)
    words[10] = samples.NOT_A_LIST_HAN
    result = scan("助记词 " + "".join(words))
    assert result.secret_found and not samples.leaked(result.redacted, words)


def test_two_phrases_in_one_message_are_both_removed() -> None:
    first, second = samples.phrase("english", 12, 1), samples.phrase("spanish", 12, 2)
    result = scan(f"old wallet: {' '.join(first)}\nnew wallet: {' '.join(second)}")
    assert [f.wordlist for f in result.findings] == ["english", "spanish"]
    assert not samples.leaked(result.redacted, first) and not samples.leaked(result.redacted, second)


def test_findings_never_hold_the_secret() -> None:
    words = samples.phrase("english", 12, 7)
    pasted = " ".join(words)
    result = scan("pls chk: " + pasted)
    dumped = json.dumps(result.to_dict()["findings"])
    assert not any(w in dumped for w in words if len(w) >= 4)
    assert result.findings[0].to_dict() == {
        "kind": "recovery_phrase", "start": 9, "end": 9 + len(pasted), "length": len(pasted),
        "confidence": "high", "words": 12, "wordlist": "english", "checksum": True, "typos": 0, "format": None,
    }
    # "seed" is a list word joined to the phrase by "is": redacted with it, described by the phrase.
    glued = scan("my seed is " + pasted)
    assert glued.redacted == "my [recovery phrase removed]" and glued.findings[0].words == 12


def test_phrase_words_glued_to_natural_words_are_redacted_with_them() -> None:
    words = samples.phrase("english", 12, 8)
    result = scan("seed: " + " ".join(words) + " please")
    assert not samples.leaked(result.redacted, words)


@pytest.mark.parametrize("count", [8, 9, 11])
def test_a_partial_phrase_of_eight_words_or_more_is_a_secret(count: int) -> None:
    words = samples.phrase("english", 12, 9)[:count]
    result = scan("ok so: " + " ".join(words) + " and I forgot the rest")
    assert result.secret_found and result.findings[0].words >= count
    assert not samples.leaked(result.redacted, words)


def test_seven_list_words_are_a_secret_only_after_a_cue() -> None:
    words = " ".join(samples.phrase("english", 12, 9)[:7])
    assert not scan(f"ok so: {words}").secret_found
    for cue in ("my seed starts with", "the phrase:", "助记词是", "сид-фраза:", "mi frase semilla:"):
        result = scan(f"{cue} {words}")
        assert result.secret_found, cue
        assert not samples.leaked(result.redacted, words.split()), cue


# --- ordinary text: no false alarms -----------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en", "es", "ru", "fr"])
def test_no_false_alarm_on_ordinary_support_messages(lang: str) -> None:
    for line in ordinary(lang):
        result = scan(line)
        assert not result.secret_found, line
        assert result.redacted == line
        assert not result.urgent, line


ENGLISH_FULL_OF_LIST_WORDS = [
    "I need help with my wallet",
    "please help me, I have a problem with my account balance after the update and I cannot find the token",
    "can you check the address and the amount, I want to buy more energy and bandwidth to transfer USDT",
    "my phone fell in the water, now the screen is black, what can I do to recover access to my coins",
    "i sent twenty dollars to a friend and the fee was more than the amount, that seems wrong",
]


@pytest.mark.parametrize("text", ENGLISH_FULL_OF_LIST_WORDS)
def test_english_sentences_full_of_list_words(text: str) -> None:
    assert not scan(text).secret_found


# --- keys ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "0x", "0X"])
@pytest.mark.parametrize("frame", [
    "my private key is {}", "私钥：{}", "mi clave privada: {}", "приватный ключ {}", "ma clé privée : {}",
    "exported it: {}", "{}", "here it is {} please check",
])
def test_hex_keys_in_key_context_or_alone(prefix: str, frame: str) -> None:
    key = prefix + samples.hex_key(3)
    result = scan(frame.format(key))
    assert result.findings and result.findings[0].kind == "private_key", frame
    assert key[2:] not in result.redacted and key[-40:] not in result.redacted
    # Alone, with no word that says key or payment, it may as well be a transaction hash: removed
    # as a precaution, but the customer is not told that their wallet is exposed.
    alone = frame in ("{}", "here it is {} please check")
    assert result.secret_found is not alone and result.precaution is alone and result.urgent is not alone


@pytest.mark.parametrize("frame", [
    "tx hash {}", "txid: {}", "交易哈希：{}", "хеш транзакции {}", "hachage de la transaction : {}",
    "el hash de la transacción es {}", "my transfer is pending, {}", "转账一直没到账 {}",
    "перевод завис {}", "mi depósito no llegó {}", "le virement est en attente {}",
    "https://etherscan.io/tx/{}", "see tronscan.org/#/transaction/{}",
])
def test_hashes_are_not_keys(frame: str) -> None:
    for key in (samples.hex_key(4), "0x" + samples.hex_key(5)):
        result = scan(frame.format(key))
        assert not result.secret_found, frame
        assert result.redacted == frame.format(key)


def test_the_nearest_context_word_decides() -> None:
    key, txid = samples.hex_key(6), samples.hex_key(7)
    result = scan(f"the transaction {txid} drained me; here is my private key {key}")
    assert [result.redacted.count(x) for x in (txid, key)] == [1, 0]
    assert scan(f"private key? no, this is the tx hash: {txid}").secret_found is False


def test_bare_key_has_low_confidence() -> None:
    assert scan(samples.hex_key(8)).findings[0].confidence == "low"
    assert scan("private key " + samples.hex_key(8)).findings[0].confidence == "high"


@pytest.mark.parametrize(("value", "kind"), [
    (samples.wif(1), "wif"), (samples.wif(2, compressed=False), "wif"), (samples.wif(3, testnet=True), "wif"),
    (samples.xprv(4), "private_key"), (samples.solana_secret(5), "private_key"),
])
def test_wif_extended_and_solana_keys(value: str, kind: str) -> None:
    result = scan(f"please restore this: {value}")
    assert [f.kind for f in result.findings] == [kind]
    assert value not in result.redacted and value[5:20] not in result.redacted


def test_wif_checksum_matters() -> None:
    good = samples.wif(9)
    assert keys.is_wif(good) and not keys.is_wif(samples.bad_checksum(good))
    # One wrong character is repaired (tests/test_guard_keys.py); two, with no key word, is not a key.
    assert not scan(f"what is this code {samples.two_typos(good)}").secret_found
    result = scan(f"my private key (I may have mistyped it) {samples.bad_checksum(good)}")
    assert result.secret_found and result.findings[0].confidence == "medium"


def test_solana_signature_is_not_a_key() -> None:
    assert not scan(f"transaction signature {samples.solana_secret(10)}").secret_found


def test_byte_array_key() -> None:
    array = json.dumps(list(random.Random(1).randbytes(64)))
    result = scan(f"my id.json: {array}")
    assert result.findings[0].kind == "private_key" and array not in result.redacted


@pytest.mark.parametrize("indent", [None, 2])
def test_keystore_json_is_removed_whole(indent: int | None) -> None:
    store = samples.keystore(1, indent)
    result = scan(f"here is my keystore file:\n{store}\nand the password hint is my cat")
    assert [f.kind for f in result.findings] == ["keystore"]
    assert result.redacted == "here is my keystore file:\n[keystore file removed]\nand the password hint is my cat"


def test_truncated_keystore_is_removed_to_the_end() -> None:
    store = samples.keystore(2)
    result = scan("keystore: " + store[: len(store) // 2])
    assert result.redacted == "keystore: [keystore file removed]"


def test_word_ciphertext_alone_is_not_a_keystore() -> None:
    assert not scan("what does ciphertext mean in my backup?").secret_found


# --- results, urgency, offsets -----------------------------------------------------------------


def test_secret_makes_the_message_urgent_and_offsets_point_into_the_text() -> None:
    text = "hola, mi clave privada " + samples.hex_key(11) + " adiós"
    result = scan(text)
    assert result.urgent and result.secret_found
    finding = result.findings[0]
    assert text[finding.start:finding.end] == samples.hex_key(11)


def test_guard_text_normalizes_like_the_pipeline() -> None:
    words = samples.phrase("english", 12, 12)
    hidden = "\u200b".join(" ".join(words))  # a zero-width space between every character
    assert guard_text(hidden + "\u202e").secret_found


SCAM_CASES = [
    ("fake_support", "en", "someone claiming to be support messaged me on telegram"),
    ("fake_support", "zh", "有个自称官方客服的人加我微信"),
    ("fake_support", "es", "un supuesto asesor de soporte me escribió por whatsapp"),
    ("fake_support", "ru", "мне написал якобы сотрудник поддержки"),
    ("fake_support", "fr", "un faux conseiller du support m'a contacté sur telegram"),
    ("asked_for_phrase", "en", "the agent asked me for my recovery phrase to unlock the funds"),
    ("asked_for_phrase", "zh", "对方让我发助记词给他验证"),
    ("asked_for_phrase", "es", "me pidieron la frase de recuperación para sincronizar"),
    ("asked_for_phrase", "ru", "он попросил сид-фразу для проверки"),
    ("asked_for_phrase", "fr", "il m'a demandé ma phrase de récupération"),
    ("fake_site", "en", "I connected my wallet to a site from an ad and my USDT is gone"),
    ("fake_site", "en", "got an sms saying my wallet will be suspended unless I verify on their link"),
    ("fake_site", "zh", "我在一个网站上连接了钱包，币都没了"),
    ("fake_site", "zh", "收到短信说钱包将被冻结，要我点链接"),
    ("fake_site", "es", "conecté mi billetera a una página rara"),
    ("fake_site", "ru", "подключил кошелёк к левому сайту по ссылке"),
    ("fake_site", "fr", "j'ai connecté mon portefeuille sur un site bizarre"),
    ("unknown_approval", "en", "I approved something unknown and now my USDT is gone"),
    ("unknown_approval", "zh", "我点了一个未知授权，币被转走了"),
    ("unknown_approval", "es", "firmé una aprobación desconocida y me vaciaron"),
    ("unknown_approval", "ru", "подписал неизвестное разрешение, всё списали"),
    ("unknown_approval", "fr", "j'ai signé une autorisation inconnue et tout a disparu"),
    ("airdrop_claim", "en", "I tried to claim an airdrop on their site"),
    ("airdrop_claim", "zh", "领空投的时候连接了钱包"),
    ("airdrop_claim", "es", "quise reclamar los tokens gratis de un airdrop"),
    ("airdrop_claim", "ru", "хотел забрать аирдроп на сайте"),
    ("airdrop_claim", "fr", "j'ai voulu réclamer mes jetons gratuits"),
    ("address_poisoning", "en", "I sent USDT to an address that looked like mine"),
    ("address_poisoning", "zh", "转给了一个很像的地址"),
]


@pytest.mark.parametrize(("signal", "lang", "text"), SCAM_CASES)
def test_scam_signals_in_five_languages(signal: str, lang: str, text: str) -> None:
    assert signal in scam_signals(text), (lang, text)


def test_every_signal_has_cases() -> None:
    assert {signal for signal, _, _ in SCAM_CASES} == set(SIGNALS)


@pytest.mark.parametrize("text", [
    "Will support ever ask me for my recovery phrase?", "nobody asked for my seed, I just want to back it up",
    "¿El soporte alguna vez me pedirá la frase de recuperación?", "Поддержка когда-нибудь попросит у меня сид-фразу?",
    "How do I contact support?", "Comment contacter le support ?", "客服会不会让我提供助记词？",
    "I can't connect my wallet to the dapp after the update", "I clicked the link in the app to verify my email",
    "我连接不上网站", "no puedo conectar la billetera a la página de pancakeswap", "не могу подключить кошелек к сайту",
    "je n'arrive pas à connecter mon portefeuille au site",
])
def test_policy_questions_are_not_scam_events(text: str) -> None:
    assert scan(text).scam_signals == []


def test_scam_raises_urgency_only_when_the_customer_acted_or_lost_funds() -> None:
    reported = scan("a fake support account messaged me on telegram, is it you?")
    assert reported.scam_signals == ["fake_support"] and not reported.urgent
    acted = scan("a fake support agent messaged me on telegram and I connected my wallet to his link")
    assert "fake_support" in acted.scam_signals and acted.urgent


# --- properties -------------------------------------------------------------------------------

_SURROUNDING = st.text(alphabet=st.characters(categories=("L", "Nd", "P", "Zs"), max_codepoint=0x04ff),
                       max_size=60)


@PROPERTY
@given(st.text(max_size=400))
def test_scan_never_raises_and_findings_are_well_formed(text: str) -> None:
    result = scan(text)
    assert isinstance(result.redacted, str)
    last = 0
    for finding in result.findings:
        assert last <= finding.start < finding.end <= len(text)
        last = finding.end
        assert finding.kind in KINDS and set(finding.to_dict()) >= {"kind", "start", "end", "confidence"}
    assert result.secret_found == bool(result.findings)


@PROPERTY
@given(st.text(max_size=300))
def test_scan_is_idempotent(text: str) -> None:
    once = scan(text)
    twice = scan(once.redacted)
    assert twice.redacted == once.redacted and not twice.secret_found


@PROPERTY
@given(_SURROUNDING, _SURROUNDING, st.sampled_from([w for w in phrases.WORDLISTS if w not in samples.HAN_LISTS]),
       st.sampled_from(samples.LENGTHS), st.sampled_from(["spaces", "numbered", "lines", "commas", "mixed_case"]),
       st.integers(0, 50))
def test_redacted_text_never_holds_a_run_of_phrase_words(before: str, after: str, wordlist: str, length: int,
                                                         fmt: str, seed: int) -> None:
    words = samples.phrase(wordlist, length, seed)
    text = f"{before} {samples.format_phrase(words, fmt, wordlist, seed)} {after}"
    result = scan(text)
    assert result.secret_found
    assert not samples.leaked(result.redacted, words)
    assert scan(result.redacted).redacted == result.redacted


@PROPERTY
@given(st.text(max_size=300))
def test_detection_never_raises_on_guarded_text(text: str) -> None:
    from supportkit.detection import detect

    detection = detect(scan(text).redacted)
    assert isinstance(detection.language, str) and 0.0 <= detection.confidence <= 1.0


@PROPERTY
@given(st.sampled_from(["[recovery phrase removed]", "[private key removed]", "[keystore file removed]"]),
       st.text(alphabet="abcdefghij klmnop", min_size=1, max_size=40))
def test_markers_are_ignored_by_detection(marker: str, filler: str) -> None:
    from supportkit.detection import detect

    assert detect(f"{filler} {marker}").to_dict() == detect(f"{filler} ").to_dict()


# --- speed and bounds --------------------------------------------------------------------------


def test_huge_input_is_linear() -> None:
    words = samples.phrase("english", 12, 13)
    block = "my transfer is stuck, please check. " * 20_000 + " ".join(words) + " 你好" * 50_000
    result = scan(block)  # the time it takes is measured in scripts/bench_guard.py
    assert result.secret_found and not samples.leaked(result.redacted, words)


def test_huge_han_block_of_common_characters_is_not_a_phrase() -> None:
    # Its time against length is measured in scripts/bench_guard.py, never asserted here.
    assert not scan("的一是在不了有和人这中大为上个国我以要他" * 5_000).secret_found


def test_han_model_cache_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(hanzi, "_model", None)
    first = hanzi.load()
    assert list(tmp_path.glob("supportkit/guard-han-*.marshal"))
    monkeypatch.setattr(hanzi, "_model", None)
    assert hanzi.load() == first


def test_word_concepts_are_the_stems_each_word_starts_with() -> None:
    from supportkit.guard import scam

    by_start = scam._stem_index()[0]
    for word in ("seed", "seedphrase", "wallets", "connect", "validate", "airdrop", "support", "x"):
        expected = {concept for stem, concept in by_start.get(word[:2], ()) if word.startswith(stem)}
        assert set(scam._word_concepts(word)) == expected
