"""Matching: ranked intents and urgency in five languages, against the bundled replies/."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

from supportkit.config import BUNDLED_REPLIES
from supportkit.errors import TemplateError
from supportkit.library import CUSTOMER_INTENTS, Library, load_library
from supportkit.matching import Classification, classify
from supportkit.matching.build import build_index
from supportkit.matching.cues import compile_cue
from supportkit.matching.features import features
from supportkit.matching.fold import fold, is_han, stem, tokens
from supportkit.matching.index import Probe
from supportkit.matching.store import build_for, index_for, library_key

CASES = yaml.safe_load((Path(__file__).parent / "data" / "match_cases.yaml").read_text(encoding="utf-8"))["cases"]
LANGS = ("zh", "en", "es", "ru", "fr")


@pytest.fixture(scope="module")
def library() -> Library:
    """The bundled library (its examples); cues alone while it has no templates yet."""
    try:
        return load_library(BUNDLED_REPLIES, strict=False)
    except TemplateError:
        return Library(root=BUNDLED_REPLIES)


def top(text: str, lang: str, library: Library) -> str:
    return classify(text, lang, library).top


def rates(cases: list[dict[str, Any]], library: Library) -> dict[str, tuple[float, float]]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for case in cases:
        ranked = [s.id for s in classify(case["text"], case["lang"], library).intents]
        bucket = counts[case["lang"]]
        bucket[0] += 1
        bucket[1] += ranked[0] == case["intent"]
        bucket[2] += case["intent"] in ranked[:3]
    return {lang: (t1 / n, t3 / n) for lang, (n, t1, t3) in counts.items()}


def test_held_out_rates_per_language(library: Library) -> None:
    found = rates([c for c in CASES if not c.get("set")], library)
    assert set(found) == set(LANGS)
    for lang, (top1, top3) in found.items():
        assert top1 >= 0.9, f"{lang} top-1 {top1:.0%}"
        assert top3 >= 0.97, f"{lang} top-3 {top3:.0%}"


@pytest.mark.parametrize("blind_set", ["blind", "blind-2"])
def test_blind_cases_stay_above_a_floor(library: Library, blind_set: str) -> None:
    # Written before a round of tuning and never tuned on: a floor against regressions, not a target.
    blind = [c for c in CASES if c.get("set") == blind_set]
    found = rates(blind, library)
    mean_top3 = sum(t3 for _, t3 in found.values()) / len(found)
    assert mean_top3 >= 0.85


@pytest.mark.parametrize(("lang", "text", "intent"), [
    ("en", "I forgot my wallet password", "forgot_password"),
    ("zh", "转账一直在打包中，好几个小时了", "tx_pending"),
    ("zh", "助记词导入钱包后地址变了", "wallet_recovery"),
    ("es", "olvidé mi contraseña", "forgot_password"),
    ("es", "mis USDT están congelados", "frozen_assets"),
    ("ru", "забыл пароль от кошелька", "forgot_password"),
    ("ru", "как обменять USDT на TRX", "swap_tokens"),
    ("fr", "j'ai changé de téléphone, comment récupérer mon portefeuille sur le nouveau ?", "switch_phone"),
    ("fr", "pourquoi les frais de réseau sont si chers ?", "gas_fee"),
    ("en", "thanks, all good now", "thanks"),
    ("zh", "在吗", "greeting"),
])
def test_clear_cut_cases(library: Library, lang: str, text: str, intent: str) -> None:
    assert top(text, lang, library) == intent


def test_code_switching(library: Library) -> None:
    assert top("mi wallet no muestra USDT TRC20, agregué el token y nada", "es", library) == "token_missing"
    assert top("我的USDT被frozen了, can't send", "zh", library) == "frozen_assets"


def test_typos(library: Library) -> None:
    assert top("I forgott my pasword", "en", library) == "forgot_password"
    assert top("mi transacion esta pendiente desde ayer", "es", library) == "tx_pending"


def test_missing_accents(library: Library) -> None:
    assert top("olvide mi contrasena", "es", library) == "forgot_password"
    assert top("mes USDT sont geles, que faire", "fr", library) == "frozen_assets"
    assert top("мои usdt заморожены, черный список?", "ru", library) == "frozen_assets"


def test_traditional_chinese(library: Library) -> None:
    assert top("我忘記錢包密碼了", "zh", library) == "forgot_password"
    assert top("我的USDT被凍結了，怎麼解凍", "zh", library) == "frozen_assets"


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "my transfer is stuck pending for 3 hours"),
    ("zh", "从币安提币到钱包，还没到账"),
    ("ru", "перевод завис в ожидании"),
])
def test_pasted_addresses_and_hashes_do_not_change_the_answer(library: Library, lang: str, text: str) -> None:
    plain = classify(text, lang, library)
    pasted = classify(
        text + " TQk7N4XCmAUPdS6tW5h6pXuFbbMjzxpNHw 0x"
        + "ab" * 32 + " 0x983766680df1a21b18c678f8d5974f7c907e53f6 1,250.50 USDT", lang, library)
    assert pasted.top == plain.top
    assert [s.id for s in pasted.intents[:3]] == [s.id for s in plain.intents[:3]]


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "asdkj qwpoe zxmnv"),
    ("en", "what is the capital of Australia"),
    ("zh", "今天天气怎么样"),
    ("ru", "посоветуйте рецепт борща"),
    ("fr", "quelle est la recette de la ratatouille"),
])
def test_other_for_unrelated_text(library: Library, lang: str, text: str) -> None:
    assert top(text, lang, library) == "other"


def test_empty_text_is_other_with_score_zero(library: Library) -> None:
    for text in ("", "   ", "0x983766680df1a21b18c678f8d5974f7c907e53f6", "😀😀"):
        result = classify(text, "en", library)
        assert result.top == "other"
        assert result.intents[0].score == 0.0
        assert not result.urgent


def test_every_customer_intent_is_ranked(library: Library) -> None:
    result = classify("my USDT is frozen", "en", library)
    assert sorted(s.id for s in result.intents) == sorted(CUSTOMER_INTENTS)
    scores = [s.score for s in result.intents]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_evidence_explains_a_clear_match(library: Library) -> None:
    result = classify("I forgot my password", "en", library)
    assert result.top == "forgot_password"
    assert result.intents[0].evidence
    assert any("password" in e for e in result.intents[0].evidence)


def test_to_dict_shape(library: Library) -> None:
    data = classify("muchas gracias", "es", library).to_dict()
    assert set(data) == {"intent", "intents", "urgent", "urgency_reasons", "needs_review", "review_reason"}
    assert data["intent"] == "thanks"
    assert set(data["intents"][0]) == {"id", "score", "evidence"}


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "my wallet was hacked and all my USDT is gone"),
    ("en", "I sent 500 USDT to the wrong address"),
    ("zh", "我的币被盗了"),
    ("zh", "被骗了，资产不见了"),
    ("es", "me robaron todos los fondos de la billetera"),
    ("es", "me estafaron con una página falsa"),
    ("ru", "у меня украли все USDT"),
    ("ru", "мошенники вывели все деньги с кошелька"),
    ("fr", "on m'a volé mes USDT"),
    ("fr", "j'ai été arnaqué, mon portefeuille est vidé"),
    ("en", "I gave my seed phrase to a guy on telegram who said he was support"),
    ("zh", "我在一个网站上输入了助记词，币还在"),
    ("es", "le pasé la frase a un supuesto soporte por whatsapp"),
    ("ru", "кто-то изменил права владельца на моем tron кошельке"),
    ("fr", "j'ai déjà payé les frais de retrait à la plateforme et ils demandent encore"),
    ("en", "There's an approval in my wallet for a contract I don't recognize, how do I remove it?"),
    ("ru", "в кошельке висит апрув на незнакомый контракт"),
    ("zh", "钱包里有个陌生的授权"),
])
def test_urgent_in_every_language(library: Library, lang: str, text: str) -> None:
    result = classify(text, lang, library)
    assert result.urgent, result.intents[:2]
    assert result.urgency_reasons


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "my transfer is pending for an hour"),
    ("en", "the app is so slow today"),
    ("zh", "转账一直待确认，有点慢"),
    ("es", "mi transacción está pendiente"),
    ("ru", "перевод в ожидании уже час"),
    ("fr", "ma transaction est en attente"),
    ("fr", "quelqu'un sur Telegram dit être le support, c'est une arnaque ?"),
    ("zh", "30万U被冻结了！！！"),
    ("zh", "30万U被冻结了，急！"),
    ("es", "me congelaron 5.000 USDT, es urgente"),
    ("en", "how do I revoke an approval I gave to a swap site?"),
    ("es", "me robaron el celular, ¿cómo recupero la billetera?"),
    ("fr", "on m'a volé mon téléphone, comment récupérer mon portefeuille ?"),
    ("en", "URGENT!!! how do I add a custom token"),
    ("en", "please help, how do I swap usdt to trx"),
    ("ru", "помогите пожалуйста, как добавить токен в кошелек"),
])
def test_not_urgent_when_merely_pending_slow_or_asking(library: Library, lang: str, text: str) -> None:
    assert not classify(text, lang, library).urgent


# Russian as customers write it (issue 13): slang, Latin letters, a greeting in front. Written
# for this test, not copied from the examples. Before the ru examples and cues grew, the first
# four urgent cases were not urgent and the first three intent cases went to another intent.
@pytest.mark.parametrize("text", [
    "kak spasti dengi, sid frazu skinul moshenniku v telege",
    "у меня стырили все юсдт с кошелька",
    "апрувнул контракт на левом сайте, что делать",
    "skinul usdt na udvoenie, nichego ne vernuli",
    "kto-to smenil owner v moem trone",
])
def test_russian_slang_and_latin_letters_are_urgent(library: Library, text: str) -> None:
    result = classify(text, "ru", library)
    assert result.urgent, result.intents[:2]


@pytest.mark.parametrize(("text", "intent"), [
    ("здрасте, в истории куча переводов по нулям с левых адресов", "address_poisoning"),
    ("добрый вечер, а стейкинг usdt у вас есть?", "product_question"),
    ("zdravstvuite, mne obeshayut udvoit usdt esli otpravlyu im", "investment_scam"),
    ("privet, zabyl parol ot koshelka, chto delat", "forgot_password"),
    ("salam, moi sid frazu uvidel chelovek v chate", "secret_exposed"),
])
def test_russian_greeting_plus_problem_and_latin_letters(library: Library, text: str, intent: str) -> None:
    assert classify(text, "ru", library).intents[0].id == intent


def test_case_file_is_well_formed() -> None:
    intents = set(CUSTOMER_INTENTS)
    for case in CASES:
        assert case["lang"] in LANGS and case["intent"] in intents and isinstance(case["urgent"], bool)
    per_intent = defaultdict(int)
    for case in CASES:
        per_intent[case["intent"]] += 1
    assert all(per_intent[i] >= 10 for i in intents)


@pytest.fixture
def no_prebuilt_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """The installed package's prebuilt index is not a cache: these tests are about the cache."""
    from supportkit.matching import store

    monkeypatch.setattr(store, "shipped_path", lambda: Path("/nonexistent/match.index"))


@pytest.mark.usefixtures("no_prebuilt_index")
def test_index_is_cached_per_library_and_on_disk(library: Library, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    first = index_for(library)
    assert index_for(library) is first
    # A fresh process (empty memory cache) reads the same index back from disk.
    from supportkit.matching import store as cache

    monkeypatch.setattr(cache, "_BY_KEY", {})
    monkeypatch.setattr(cache, "_BY_LIBRARY", {})
    again = index_for(library)
    assert again is not first
    assert again.idf == first.idf and len(again.examples) == len(first.examples)
    assert library_key(library) == library_key(library)


def test_a_first_run_reads_the_prebuilt_index_of_the_same_templates(
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from supportkit.cache import dumps
    from supportkit.matching import store

    built = index_for(library)
    shipped = tmp_path / "match.index"
    shipped.write_bytes(dumps({"key": store.shipped_key(library), "data": built.to_data()}))
    monkeypatch.setattr(store, "shipped_path", lambda: shipped)
    monkeypatch.setattr(store, "_BY_KEY", {})
    monkeypatch.setattr(store, "_BY_LIBRARY", {})
    store._disk_path(library_key(library)).unlink(missing_ok=True)  # an empty cache folder
    monkeypatch.setattr(store, "build_for", lambda _library: pytest.fail("the prebuilt index must be used"))
    first_run = index_for(library)
    assert first_run.idf == built.idf and len(first_run.examples) == len(built.examples)
    assert not store._disk_path(library_key(library)).exists()  # read where it is, not copied


def test_the_prebuilt_index_is_not_used_for_other_templates(
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from supportkit.cache import dumps
    from supportkit.matching import store

    copy = tmp_path / "replies"
    shutil.copytree(BUNDLED_REPLIES, copy)
    edited = copy / "greeting.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# a writer's edit\n", encoding="utf-8")
    other = load_library(copy)
    assert store.shipped_key(other) != store.shipped_key(library)
    shipped = tmp_path / "match.index"
    shipped.write_bytes(dumps({"key": store.shipped_key(library), "data": index_for(library).to_data()}))
    monkeypatch.setattr(store, "shipped_path", lambda: shipped)
    assert store._read_shipped(library) is not None
    assert store._read_shipped(other) is None
    shipped.write_bytes(b"damaged")
    assert store._read_shipped(library) is None


@pytest.mark.usefixtures("no_prebuilt_index")
def test_disk_cache_of_another_key_is_never_used(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    # Cache file names are a CRC of the key: a file that holds another key (a collision,
    # or a copied cache folder) is rebuilt, not trusted.
    from supportkit.matching import store as cache

    monkeypatch.setattr(cache, "_BY_KEY", {})
    monkeypatch.setattr(cache, "_BY_LIBRARY", {})
    key = library_key(library)
    path = cache._disk_path(key)
    index_for(library)
    assert cache._read_disk(path, key) is not None
    other = (*key[:-1], ())
    cache._write_disk(path, other, build_for(None))
    assert cache._read_disk(path, key) is None
    cache._BY_KEY.clear()
    cache._BY_LIBRARY.clear()
    assert len(index_for(library).examples) == len(build_for(library).examples)
    assert cache._read_disk(path, key) is not None


def test_examples_of_a_library_are_used(tmp_path: Path) -> None:
    (tmp_path / "lost_cat.yaml").write_text(
        "id: lost_cat\nkind: reply\nintents: [privacy]\nexamples:\n  en: [\"zorblat quixotic fnord\"]\n"
        "locales:\n  en:\n    subject: S\n    body: B\n", encoding="utf-8")
    custom = load_library(tmp_path, strict=False)
    result = classify("zorblat quixotic fnord please", "en", custom)
    assert result.top == "privacy"
    assert any(e.startswith("≈ ") for e in result.intents[0].evidence)
    assert build_for(custom).examples


def test_fold() -> None:
    assert fold("Contraseña OLVIDADA") == "contrasena olvidada"
    assert fold("錢包密碼") == "钱包密码"
    assert fold("ёлка").strip() == "елка"
    assert fold("йод") == "йод"


def test_classification_top_defaults_to_other() -> None:
    assert Classification([]).top == "other"


@pytest.mark.parametrize(("forms", "lang"), [
    (["congelados", "congelaron", "congelar"], "es"),
    (["заморожены", "заморозили"], "ru"),
    (["oublié", "oublier", "oublie"], "fr"),
])
def test_inflected_forms_share_a_stem(forms: list[str], lang: str) -> None:
    assert len({stem(fold(form)) for form in forms}) == 1, lang


@pytest.mark.parametrize(("lang", "texts", "intent"), [
    ("es", ["congelaron mis usdt", "mis usdt congelados"], "frozen_assets"),
    ("ru", ["заморозили мои usdt", "usdt заморожены"], "frozen_assets"),
    ("fr", ["j'ai oublié le mot de passe", "mot de passe oublie"], "forgot_password"),
])
def test_inflections_and_missing_accents_reach_the_same_intent(library: Library, lang: str, texts: list[str],
                                                              intent: str) -> None:
    assert {top(text, lang, library) for text in texts} == {intent}


def test_probe_matches_words_stems_chinese_and_phrases() -> None:
    probe = Probe(["l'adresse n'apparait pas", "mis usdt congelados"])
    assert probe.has("adresse", compile_cue("adresse"))  # an elided article does not hide the word
    assert probe.has("congel*", compile_cue("congel*"))
    assert not probe.has("congel", compile_cue("congel"))
    assert probe.has("usdt congel*", compile_cue("usdt congel*"))
    assert not probe.has("congel* usdt", compile_cue("congel* usdt"))  # parts keep their order
    han = Probe([" ".join(tokens(fold("我的U被凍結了")))])  # as classify builds it: 我的 u 被冻结了
    assert han.has("冻结", compile_cue("冻结"))
    assert han.has("u 冻结", compile_cue("u 冻结"))


def test_stopwords_are_not_similarity_features() -> None:
    assert features(fold("my the of")) == {}
    assert "w:contrasena" in features(fold("mi contraseña"))


def test_a_cue_common_in_other_intents_examples_counts_less() -> None:
    lexicon = {"intents": {"privacy": {"strong": {"en": ["zorb", "blix", "quux"]}}}}
    examples = [("complaint", "en", "zorb is awful"), ("complaint", "en", "zorb again"),
                ("privacy", "en", "blix my data"), ("privacy", "en", "blix records")]
    index = build_index(lexicon, examples, ["privacy", "complaint", "other"])
    reliability = {c.text: c.reliability for cues in index.cues_by_key.values() for c in cues}
    assert reliability["zorb"] < 0.5 < reliability["quux"] < reliability["blix"] <= 1.0


def test_amounts_fold_to_a_word_that_cues_can_name(library: Library) -> None:
    assert fold("900 USDT gone").split() == ["amount", "gone"]
    result = classify("checked my balance this morning and 1,200 USDT gone", "en", library)
    assert result.urgent and result.urgency_reasons == ["funds_at_risk: amount gone"]


def test_lost_funds_count_for_scam_report_and_say_so(library: Library) -> None:
    result = classify("someone took all my USDT last night", "en", library)
    assert result.top == "scam_report"
    assert result.intents[0].evidence[0].startswith("funds lost: ")


def test_time_pressure_is_a_reason_never_the_urgency(library: Library) -> None:
    assert not classify("my USDT got frozen!!", "en", library).urgent
    assert not classify("my USDT got frozen, I need it today", "en", library).urgent
    assert not classify("thanks!! all good", "en", library).urgent
    drained = classify("someone drained my wallet!! help", "en", library)
    assert drained.urgent
    assert drained.urgency_reasons[0].startswith("funds_at_risk: ")
    assert drained.urgency_reasons[-1] == "time_pressure: !!"


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "got it, it arrived. thank you so much!"),
    ("es", "Listo, ya me llegó. ¡Muchas gracias!"),
    ("ru", "Всё пришло, спасибо большое!"),
    ("fr", "C'est bon c'est arrivé, merci beaucoup !"),
    ("zh", "好的，已经到账了，谢谢！"),
])
def test_thanks_for_a_problem_that_went_away(library: Library, lang: str, text: str) -> None:
    assert classify(text, lang, library).top == "thanks"


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "thanks but it still hasn't arrived"),
    ("zh", "谢谢，但是还没到账"),
    ("fr", "merci mais toujours rien reçu"),
    ("en", "my USDT got frozen, I need it today"),  # "got ... it" is no "got it": resolved cues are contiguous
])
def test_thanks_with_the_problem_still_there_is_the_problem(library: Library, lang: str, text: str) -> None:
    assert classify(text, lang, library).top != "thanks"


def test_a_stolen_phone_is_not_stolen_funds(library: Library) -> None:
    phone = classify("Buenas, el sábado me robaron el celular en el bus y ahí tenía la billetera", "es", library)
    assert phone.top == "wallet_recovery" and not phone.urgent
    both = classify("my phone was stolen and then they stole my USDT", "en", library)
    assert both.urgent and both.urgency_reasons[0].startswith("funds_at_risk: ")


def test_guard_markers_are_not_the_customers_words(library: Library) -> None:
    marked = classify("[recovery phrase removed] I forgot my password", "en", library)
    assert marked.top == "forgot_password"
    assert not any("phrase" in e for e in marked.intents[0].evidence)


def test_disk_cache_gives_the_same_answers(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    from supportkit.matching import store as cache

    texts = [("mi transacción está pendiente", "es"), ("我的USDT被冻结了", "zh"), ("забыл пароль", "ru")]
    before = [classify(t, lang, library).to_dict() for t, lang in texts]
    monkeypatch.setattr(cache, "_BY_KEY", {})
    monkeypatch.setattr(cache, "_BY_LIBRARY", {})
    assert [classify(t, lang, library).to_dict() for t, lang in texts] == before


def test_candidates_never_leave_out_a_cue_that_occurs(library: Library) -> None:
    """``Probe.candidates`` only skips cues that cannot occur: every cue found by trying all
    of them (first word looked up as before: first Han character or first 3 letters) is offered."""
    index = index_for(library)
    every_cue = [cue for cues in (*index.cues_by_key.values(), *index.urgency_by_key.values()) for cue in cues]
    for case in CASES:
        words = tokens(fold(case["text"]))
        probe = Probe([" ".join(words)])
        first_keys = {k for w in probe.words for k in (set(w) if is_han(w) else {w[:3]})}
        first = [c for c in every_cue if (c.folded[:1] if is_han(c.folded) else c.folded.split()[0][:3])
                 in first_keys]
        occurring = {id(c) for c in first if Probe([" ".join(words)]).has(c.folded, c.pattern)}
        offered = {id(c) for c in probe.candidates(index.cues_by_key) + probe.candidates(index.urgency_by_key)}
        assert occurring <= offered, case["text"]


def test_postings_dot_products_add_up_in_query_order(library: Library) -> None:
    index = index_for(library)
    query = dict(list(features(fold("my usdt transfer is stuck pending for hours"), index.idf).items()))
    expected: dict[int, float] = {}
    for term, weight in query.items():
        k = index.postings.terms.get(term)
        if k is None:
            continue
        start, end = index.postings.bounds[k], index.postings.bounds[k + 1]
        for number, document_weight in zip(index.postings.numbers[start:end], index.postings.weights[start:end],
                                           strict=True):
            expected[number] = expected.get(number, 0.0) + weight * document_weight
    assert index.postings.dot(query) == expected
    assert index.postings.dot(query) == expected  # the second time from the unpacked postings


def test_postings_remember_missing_terms_without_changing_dots(library: Library) -> None:
    index = index_for(library)
    query = dict(features(fold("zzqx my usdt transfer qqzv is stuck"), index.idf))
    first = index.postings.dot(query)
    assert index.postings.get("w:zzqx") == ()
    assert index.postings.get("w:zzqx") == ()  # remembered as missing
    assert index.postings.dot(query) == first


@pytest.mark.parametrize("text", ["我的钱包里的USDT不见了，转账一直没到账", "l'adresse de mon portefeuille est bloquée",
                                  "мой кошелёк не работает", "hello my wallet hello wallet"])
def test_features_from_remembered_tokens_equal_a_fresh_count(library: Library, text: str) -> None:
    from supportkit.matching.features import _token_terms

    index = index_for(library)
    folded = fold(text)
    for known in (None, index.idf):
        expected: dict[str, float] = defaultdict(float)
        for token in tokens(folded):
            for term, weight in _token_terms(token, known):
                expected[term] += weight
        assert features(folded, known) == expected
        assert list(features(folded, known)) == list(expected)  # same terms, same order, twice


def test_foreign_examples_never_weigh_more_than_own_language_ones() -> None:
    # _score_examples skips an example whose raw similarity is under KNN_NEEDS before scaling it.
    from supportkit.matching.scoring import FOREIGN_WEIGHT, KNN_DECAY, KNN_NEEDS, SIMILARITY_FLOOR

    assert 0.0 < FOREIGN_WEIGHT <= 1.0
    assert KNN_NEEDS * sum(KNN_DECAY) < SIMILARITY_FLOOR


def _mixed_messages(library: Library) -> list[tuple[str, str]]:
    """Messages made of the bundled examples: as they are, two intents' phrases run together, a
    phrase with its words shuffled and cut, each in its own language, another one and an unknown one."""
    import random

    rng = random.Random(7)
    phrases = [(lang, phrase) for template in library for lang, found in template.examples.items() for phrase in found]
    assert phrases, "the bundled library has example phrases"
    messages: list[tuple[str, str]] = []
    for lang, phrase in rng.sample(phrases, min(len(phrases), 150)):
        other_lang, other = rng.choice(phrases)
        words = phrase.split()
        rng.shuffle(words)
        for text in (phrase, f"{phrase} {other}", " ".join(words[: max(1, len(words) // 2)]), phrase + " 0x12ab 50 USDT!!"):
            messages.append((text, lang))
            messages.append((text, other_lang))
            messages.append((text, "xx"))
    messages += [("", "en"), ("   ", "fr"), ("zzqx qqzv", "en"), ("[recovery phrase removed]", "en")]
    return messages


def test_numpy_scoring_gives_the_same_classifications_to_the_last_bit(library: Library) -> None:
    from supportkit import matching
    from supportkit.matching import classify_many, use_numpy

    messages = _mixed_messages(library)
    was_on = matching._vectorized is not None
    try:
        use_numpy(False)
        expected = [classify(text, lang, library) for text, lang in messages]
        assert use_numpy(True)
        for size in (1, 7, 32, len(messages)):
            found = [c for start in range(0, len(messages), size)
                     for c in classify_many(messages[start : start + size], library)]
            assert found == expected  # every score the same float, every evidence the same
        assert [classify(text, lang, library) for text, lang in messages[:50]] == expected[:50]
    finally:
        use_numpy(was_on)
    # The messages reach many intents with example evidence: the comparison is not idle.
    assert len({c.top for c in expected}) >= 8
    assert sum(any(e.startswith("≈") for s in c.intents for e in s.evidence) for c in expected) > len(expected) // 3


def test_classify_many_one_by_one_in_pure_python(library: Library) -> None:
    from supportkit import matching
    from supportkit.matching import classify_many, use_numpy

    messages = _mixed_messages(library)[:120]
    was_on = matching._vectorized is not None
    try:
        use_numpy(False)
        assert classify_many(messages, library) == [classify(text, lang, library) for text, lang in messages]
        assert classify_many([], library) == []
    finally:
        use_numpy(was_on)


def test_use_numpy_without_numpy_keeps_pure_python(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from supportkit import matching
    from supportkit.matching import use_numpy

    was_on = matching._vectorized is not None
    monkeypatch.setitem(sys.modules, "supportkit.matching.vectorized", None)  # import fails
    try:
        assert use_numpy(True) is False
        assert matching._vectorized is None
        assert classify("my usdt transfer is stuck", "en", library).top != ""
    finally:
        monkeypatch.undo()
        use_numpy(was_on)


def test_numpy_scoring_with_separate_term_tables(library: Library) -> None:
    # An index whose profile postings number their terms apart (the builder shares one table
    # when it can) scores the same: each table is looked up on its own.
    import copy

    from supportkit.matching import _score_examples
    from supportkit.matching.cues import correct_typos
    from supportkit.matching.features import features_of, vectorize
    from supportkit.matching.fold import fold as fold_text
    from supportkit.matching.vectorized import ExampleScorer

    index = copy.copy(index_for(library))
    index.profile_postings = copy.copy(index.profile_postings)
    index.profile_postings.terms = dict(index.profile_postings.terms)
    messages = [m for m in _mixed_messages(library) if tokens(fold_text(m[0]))][:60]
    words = [correct_typos(tokens(fold_text(text)), index.vocabulary) for text, _ in messages]

    def fresh() -> tuple[list[dict[str, float]], list[dict[str, list[str]]]]:
        return [dict.fromkeys(index.intents, 0.0) for _ in messages], [{i: [] for i in index.intents} for _ in messages]

    raws, evidences = fresh()
    for fixed, (_, lang), raw, evidence in zip(words, messages, raws, evidences, strict=True):
        _score_examples(index, fixed, lang, raw, evidence)
    found_raws, found_evidences = fresh()
    queries = [vectorize(features_of(fixed, index.idf), index.idf, index.default_idf) for fixed in words]
    ExampleScorer(index).score_many(queries, [lang for _, lang in messages], found_raws, found_evidences)
    assert (found_raws, found_evidences) == (raws, evidences)
    assert any(value > 0.0 for raw in raws for value in raw.values())


def test_every_traditional_character_is_wide() -> None:
    """``fold`` maps only text with a wide character to Simplified: every character the table maps is one."""
    from supportkit.matching.fold import T2S
    from supportkit.text import has_wide

    assert T2S and all(has_wide(chr(code)) for code in T2S)


@pytest.mark.parametrize(("text", "reason"), [
    ("jai partagé mes mots avec un inconnu sur whatsapp", "secret_exposed: "),
    ("quelqu'un a ma seed, mes usdt sont encore là", "secret_exposed: "),
    ("on m'a pompé mon wallet cette nuit", "funds_at_risk: "),
    ("l'escroc a ajouté son adresse dans les permissions", "permissions_changed: "),
    ("jai versé 300 usdt sur leur site pour débloquer mes gains", "scam_acted_on: "),
])
def test_french_urgency_cues_name_what_happened(text: str, reason: str, library: Library) -> None:
    """How French customers say it (no apostrophe, slang, inflections) is the reason, not only the intent."""
    result = classify(text, "fr", library)
    assert result.urgent and any(r.startswith(reason) for r in result.urgency_reasons), result.urgency_reasons


@pytest.mark.parametrize("text", [
    "le retrait depuis Gate n'est toujours pas arrivé sur mon adresse",  # "pas ... mon adresse" across a gap
    "j'ai réinstallé l'appli et le portefeuille est vide",  # "vidé" and "vide" fold alike
])
def test_french_empty_or_missing_is_not_funds_lost(text: str, library: Library) -> None:
    assert not classify(text, "fr", library).urgent
