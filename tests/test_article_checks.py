"""`supportkit check` on help-center articles: each rule finds its fault at its line, and nothing else fires."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from supportkit.cli import cli
from supportkit.config import BUNDLED_ARTICLES, Config
from supportkit.writers.checks import all_rule_ids, format_findings, run_checks
from supportkit.writers.checks.articles import ARTICLE_RULES, CHAT_VOICE, chat_voice_re

MIN = Path(__file__).parent / "data" / "replies_min"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="5" height="5"/></svg>\n'
CLEAN = """---
title: {title}
description: Moving a wallet to a new phone.
category: account
related: [other]
---

Your funds are on the blockchain.

![Four boxes joined by arrows](images/steps.svg)

## Before you start

Support is available {{{{ brand.support_hours }}}}.
"""


@pytest.fixture
def project(tmp_path: Path) -> tuple[Config, Path]:
    replies = tmp_path / "replies"
    shutil.copytree(MIN, replies)
    pending = replies / "tx_pending.yaml"
    pending.write_text(pending.read_text(encoding="utf-8").replace("locales:", "faq:\n  en: Is my transfer stuck?\nlocales:", 1),
                       encoding="utf-8")
    articles = tmp_path / "articles"
    for slug, title in (("new-phone", "Moving to a new phone"), ("other", "Another topic")):
        (articles / slug / "images").mkdir(parents=True)
        (articles / slug / "images" / "steps.svg").write_text(SVG, encoding="utf-8")
        related = "other" if slug == "new-phone" else "new-phone"
        (articles / slug / "en.md").write_text(CLEAN.format(title=title).replace("[other]", f"[{related}]"),
                                               encoding="utf-8")
    return Config(replies_dir=replies, articles_dir=articles), articles


def lines(config: Config, articles: Path) -> list[str]:
    report = run_checks(config, [articles])
    return [line.replace(str(articles) + "/", "") for line in format_findings(report.findings).splitlines()]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_clean_articles_give_no_finding(project: tuple[Config, Path]) -> None:
    config, articles = project
    assert lines(config, articles) == []
    assert run_checks(config, [articles]).articles == 2


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("category: account", "category: cooking",
     "new-phone/en.md:4: en: new-phone: article_front_matter: unknown category 'cooking' (one of getting_started, "
     "security, transfers, fees, trading, assets, tokens, account, support, general)"),
    ("title: Moving to a new phone", "title: Another topic",
     "other/en.md:2: en: other: article_duplicate_title: title 'Another topic' is also the title of article new-phone"),
    ("title: Moving to a new phone", "title: Is my transfer stuck?",
     "new-phone/en.md:2: en: new-phone: article_duplicate_title: title 'Is my transfer stuck?' is also the FAQ "
     "question of tx_pending (add replaces: tx_pending, or choose another title)"),
    ("Your funds are on the blockchain.", "I'll check it.",
     "new-phone/en.md:8: en: new-phone: article_chat_voice: \"I'll\" is how a chat agent talks: an article speaks "
     "to every reader (\"Support can...\", \"contact support\")"),
    ("images/steps.svg", "images/missing.svg",
     "new-phone/en.md:10: en: new-phone: article_image_missing: image 'images/missing.svg' not found: put it in "
     "new-phone/images/ (or images/en/ for this locale's copy); names are images/<name>.svg|png|jpg|webp"),
    ("![Four boxes joined by arrows]", "![]",
     "new-phone/en.md:10: en: new-phone: article_image_alt: image 'images/steps.svg' has no alt text: say in this "
     "locale what the picture shows"),
    ("![Four boxes joined by arrows]", "![steps.svg]",
     "new-phone/en.md:10: en: new-phone: article_image_alt: image 'images/steps.svg': the alt text is the file name; "
     "say what the picture shows"),
    ("related: [other]", "related: [other, gone]",
     "new-phone/en.md:5: en: new-phone: article_related: related: no article 'gone' (articles are folders of articles/)"),
    ("related: [other]", "replaces: tutorials/nothing",
     "new-phone/en.md:5: en: new-phone: article_replaces: replaces: no template 'tutorials/nothing' (a ref: "
     "tutorials/switch_phone, tx_pending)"),
    ("{{ brand.support_hours }}", "{{ brand.phone }}",
     "new-phone/en.md:14: en: new-phone: article_facts: template uses an undeclared name: 'dict object' has no "
     "attribute 'phone'"),
])
def test_each_rule_finds_its_fault_at_its_line(project: tuple[Config, Path], old: str, new: str, expected: str) -> None:
    config, articles = project
    edit(articles / "new-phone" / "en.md", old, new)
    assert lines(config, articles) == [expected]


def test_every_article_rule_is_listed_and_can_be_switched_off(project: tuple[Config, Path]) -> None:
    config, articles = project
    assert {r.id for r in ARTICLE_RULES} <= set(all_rule_ids())
    edit(articles / "new-phone" / "en.md", "![Four boxes joined by arrows]", "![]")
    quiet = Config(replies_dir=config.replies_dir, articles_dir=articles, disabled_checks=("article_image_alt",))
    assert lines(quiet, articles) == []


def test_a_localized_image_is_found_before_the_shared_one_and_checked_per_locale(project: tuple[Config, Path]) -> None:
    config, articles = project
    fr = articles / "new-phone" / "fr.md"
    fr.write_text((articles / "new-phone" / "en.md").read_text(encoding="utf-8")
                  .replace("Moving to a new phone", "Changer de téléphone")
                  .replace("images/steps.svg", "images/etapes.svg"), encoding="utf-8")
    found = lines(config, articles)
    assert [line.split(": ")[3] for line in found] == ["article_image_missing", "article_image_alt"]
    assert found[0].startswith("new-phone/fr.md:10: fr: new-phone: article_image_missing:")
    assert found[1].startswith("new-phone/fr.md:10: fr: new-phone: article_image_alt: image 'images/etapes.svg': "
                               "the alt text is the en article's;")
    edit(fr, "Four boxes joined by arrows", "Quatre cases reliées par des flèches")
    assert [line.split(": ")[3] for line in lines(config, articles)] == ["article_image_missing"]
    (articles / "new-phone" / "images" / "fr").mkdir()
    (articles / "new-phone" / "images" / "fr" / "etapes.svg").write_text(SVG, encoding="utf-8")
    assert lines(config, articles) == []


@pytest.mark.parametrize(("locale", "text"), [
    ("en", "I'll look into it."), ("en", "Please reply with the transaction hash."), ("en", "Send us a screenshot."),
    ("en", "I’m sorry for the wait."),
    ("zh", "我这边帮您查一下。"), ("zh", "请回复交易哈希。"), ("zh", "把截图发给我们。"),
    ("es", "Respóndame con el hash."), ("es", "Envíenos una captura."), ("es", "Le responderé en este chat."),
    ("ru", "Я проверю ваш перевод."), ("ru", "Пришлите нам хеш транзакции."), ("ru", "Ответьте на это сообщение."),
    ("fr", "Je reviens vers vous dès que possible."), ("fr", "Envoyez-nous le hash."), ("fr", "Répondez avec le hash."),
])
def test_chat_voice_is_found_in_every_locale(locale: str, text: str) -> None:
    pattern = chat_voice_re(locale)
    assert pattern is not None and pattern.search(text), (locale, text)


@pytest.mark.parametrize(("locale", "text"), [
    ("en", "How do I move my wallet to a new phone?"), ("en", "Will I lose my funds if I uninstall the app?"),
    ("en", "Support will never send you a link to sign."), ("en", "The exchange may ask you to reply by e-mail."),
    ("zh", "我会不会丢失资产？"), ("zh", "如何把钱包迁移到新手机？"), ("zh", "客服不会主动联系您。"),
    ("es", "¿Cómo paso mi billetera a un teléfono nuevo?"), ("es", "El soporte nunca le enviará un enlace."),
    ("ru", "Как мне перенести кошелёк?"), ("ru", "Поддержка никогда не пришлёт вам ссылку."),
    ("ru", "Я отправил USDT, но они не пришли?"),
    ("fr", "Est-ce que je vais perdre mes fonds ?"), ("fr", "Le support ne vous enverra jamais de lien."),
])
def test_the_readers_own_voice_is_not_chat_voice(locale: str, text: str) -> None:
    pattern = chat_voice_re(locale)
    assert pattern is not None
    found = pattern.search(text)
    assert found is None, (locale, text, found)


def test_chat_voice_lists_cover_the_five_locales_and_stay_short() -> None:
    assert sorted(CHAT_VOICE) == ["en", "es", "fr", "ru", "zh"]
    assert all(len(phrases) <= 12 for phrases in CHAT_VOICE.values())


def test_bundled_articles_pass_and_check_looks_at_them_by_default(runner: CliRunner) -> None:
    report = run_checks(Config(), [BUNDLED_ARTICLES])
    assert [str(f) for f in report.findings] == [] and report.articles == 15  # 3 articles x 5 locales
    result = runner.invoke(cli, ["check", str(BUNDLED_ARTICLES / "switch-phone" / "en.md")])
    assert result.exit_code == 0, result.output
