#!/usr/bin/env python3
"""Benchmark the FAQ site build (issue 6 targets).

Builds a synthetic library of N articles x 5 locales (default 1,000) from generated,
realistic-length text, then reports: full build time per page, rebuild time after one
article changes, output size, and the search index size per locale (raw and gzip) for a
200-article site. With --lighthouse, also runs Lighthouse (npm `lighthouse`, needs
Debian's chromium; CHROME_PATH=/usr/bin/chromium) on one article per locale.

With --search-quality, builds the bundled help center (no --base-url, as `faq serve` does),
serves it over http and types each query of --queries (default the development half,
tests/data/search_queries_dev.jsonl) into the site's search in Chromium (Playwright): a hit
is an expected page among the top 3 results; printed per locale. --search-only skips the
build benchmark (--among N: the bundled articles among N generated ones, as the full run also
measures). It also reports an article's first load (HTML, CSS, JS, gzip) and, apart, what the
first search fetches on use.

This script needs no data from ../shared. Usage:
    python scripts/bench_faq.py [--articles 1000] [--lighthouse] [--search-quality [--queries FILE]]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from supportkit.config import Config
from supportkit.faq import BuildOptions, build_site
from supportkit.library import load_library, source_digest
from supportkit.library.edit import stamp  # noqa: F401  (documents how sources are recorded)

WORDS = {
    "en": "wallet transfer network fee token address confirm recovery phrase backup device pending swap "
          "exchange deposit balance energy bandwidth contract approval security support".split(),
    "es": "billetera transferencia red comisión token dirección confirmar frase recuperación copia "
          "dispositivo pendiente intercambio depósito saldo energía contrato aprobación seguridad".split(),
    "ru": "кошелёк перевод сеть комиссия токен адрес подтвердить сид-фраза резервная устройство "
          "ожидание обмен пополнение баланс энергия контракт разрешение безопасность поддержка".split(),
    "fr": "portefeuille transfert réseau frais jeton adresse confirmer phrase récupération sauvegarde "
          "appareil attente échange dépôt solde énergie contrat autorisation sécurité assistance".split(),
    "zh": "钱包 转账 网络 手续费 代币 地址 确认 助记词 备份 设备 待确认 兑换 充值 余额 能量 带宽 合约 授权 安全 客服".split(),
}
CATEGORIES = ("getting_started", "security", "transfers", "assets", "account", "support")


def sentence(rng: random.Random, locale: str, n: int) -> str:
    words = [rng.choice(WORDS[locale]) for _ in range(n)]
    if locale == "zh":
        return "".join(words) + "。"
    return " ".join(words).capitalize() + "."


def article_yaml(index: int, rng: random.Random) -> str:
    texts = {}
    for locale in WORDS:
        intro = " ".join(sentence(rng, locale, 9) for _ in range(2))
        steps = "\n".join(f"{i}. {sentence(rng, locale, 10)}" for i in range(1, 7))
        tip = sentence(rng, locale, 14) + " {{ brand.help_center }}"
        texts[locale] = (sentence(rng, locale, 5).rstrip("。."), f"{intro}\n\n{steps}\n\n{tip}")
    digest = source_digest(texts["en"][0], texts["en"][1])
    rows = [f"id: article_{index:04d}", "kind: tutorial", f"category: {CATEGORIES[index % len(CATEGORIES)]}",
            "updated: 2026-11-20", "faq:"]
    rows += [f"  {loc}: {json.dumps(texts[loc][0] + ('？' if loc == 'zh' else '?'), ensure_ascii=False)}" for loc in WORDS]
    rows.append("locales:")
    for loc, (subject, body) in texts.items():
        rows.append(f"  {loc}:")
        if loc != "en":
            rows.append(f"    source: '{digest}'")
        rows.append(f"    subject: {json.dumps(subject, ensure_ascii=False)}")
        rows.append("    body: |")
        rows += [f"      {line}" if line else "" for line in body.splitlines()]
    return "\n".join(rows) + "\n"


def make_library(folder: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    tutorials = folder / "tutorials"
    tutorials.mkdir(parents=True, exist_ok=True)  # exists when added to a copy of the bundled library
    for index in range(count):
        (tutorials / f"article_{index:04d}.yaml").write_text(article_yaml(index, rng), encoding="utf-8")


def timed_build(replies: Path, out: Path) -> tuple[float, dict[str, object]]:
    config = Config(replies_dir=replies)
    started = time.perf_counter()
    library = load_library(replies)  # loading is part of the job, as in `supportkit faq build`
    report = build_site(config, BuildOptions(out=out, base_url="https://help.example.com/"), library=library)
    return time.perf_counter() - started, report.to_dict()


def forget_site(out: Path) -> None:
    """Remove a built site and everything kept for rebuilding it (spare output, article cache)."""
    from supportkit.faq.articles import article_cache_path
    from supportkit.faq.writer import spare_path

    out = out.resolve()
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(spare_path(out), ignore_errors=True)
    article_cache_path(out).unlink(missing_ok=True)


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def lighthouse(site: Path) -> list[tuple[str, float, float]]:
    from supportkit.faq.serve import make_server

    server = make_server(site, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
    rows = []
    for locale in WORDS:
        page = sorted(p.name for p in (site / locale).glob("guide-*.html"))[0]
        done = subprocess.run(
            ["npx", "--yes", "lighthouse@13", f"{base}/{locale}/{page}", "--quiet", "--output=json",
             "--only-categories=accessibility,seo",
             "--chrome-flags=--headless --no-sandbox --disable-gpu --disable-background-networking"],
            capture_output=True, text=True, env=env, check=False, timeout=300)
        if done.returncode != 0:
            rows.append((locale, float("nan"), float("nan")))
            print(done.stderr[-800:], file=sys.stderr)
            continue
        data = json.loads(done.stdout)
        rows.append((locale, data["categories"]["accessibility"]["score"], data["categories"]["seo"]["score"]))
    server.shutdown()
    return rows


DEV_QUERIES = Path(__file__).resolve().parent.parent / "tests" / "data" / "search_queries_dev.jsonl"


def _page_key(href: str) -> str:
    """``guide-switch-phone`` for ``guide-switch-phone.html``, ``../en/guide-switch-phone/`` or ``/en/x.html?q=1``."""
    path = href.split("#", 1)[0].split("?", 1)[0].rstrip("/")
    return path.rsplit("/", 1)[-1].removesuffix(".html")


def page_aliases(articles_dir: Path | None) -> dict[str, set[str]]:
    """Slug -> every page key that shows it: an article with ``replaces:`` took the page of each template it replaces."""
    from supportkit.library.articles import load_articles

    groups: dict[str, set[str]] = {}
    if articles_dir is None:
        return groups
    found = load_articles(articles_dir)
    for slug in found:
        replaces = next(iter(found.articles[slug].values())).replaces
        keys = {slug} | {("guide-" + ref.split("/", 1)[1] if ref.startswith("tutorials/") else ref).replace("_", "-")
                         for ref in replaces}
        for key in keys:
            groups.setdefault(key, set()).update(keys)
    return groups


def search_quality(queries: Path, *, extra: int = 0, verbose: bool = False, timeout_ms: int = 10_000) -> list[tuple[str, int, int, list[str]]]:
    """(locale, hits, queries, missed ids) for the bundled site's search, typed in Chromium over http."""
    from playwright.sync_api import sync_playwright

    from supportkit.faq.serve import make_server

    rows = [json.loads(line) for line in queries.read_text(encoding="utf-8").splitlines() if line.strip()]
    from supportkit.config import BUNDLED_ARTICLES, BUNDLED_REPLIES

    aliases = page_aliases(BUNDLED_ARTICLES)
    results: dict[str, list[int]] = {}
    missed: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-search-") as scratch:
        site = Path(scratch) / "site"
        config = Config()
        if extra:  # the bundled library among ``extra`` generated articles (the build benchmark's)
            shutil.copytree(BUNDLED_REPLIES, Path(scratch) / "replies")
            make_library(Path(scratch) / "replies", extra)
            config = Config(replies_dir=Path(scratch) / "replies", articles_dir=BUNDLED_ARTICLES)
        build_site(config, BuildOptions(out=site))
        server = make_server(site, 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        chromium = shutil.which("chromium") or "/usr/bin/chromium"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                                     args=["--no-sandbox", "--disable-gpu"])
                page = browser.new_page()
                for row in rows:
                    locale = row["lang"]
                    page.goto(f"{base}/{locale}/search.html")
                    page.fill("#q", row["query"])
                    page.press("#q", "Enter")
                    top: list[str] = []
                    try:
                        page.wait_for_load_state("load")
                        # A search still running marks its list aria-busy (results come as you type).
                        page.wait_for_function(
                            "q => { const l = document.getElementById('search-results');"
                            " return l && l.getAttribute('aria-busy') !== 'true'"
                            " && (l.dataset.query === undefined || l.dataset.query === q); }",
                            arg=row["query"], timeout=timeout_ms)
                        top = page.eval_on_selector_all(
                            "#search-results li a", "els => els.slice(0, 3).map(e => e.getAttribute('href'))")
                    except Exception as exc:  # a timeout is a miss, said so
                        print(f"{row['id']}: {type(exc).__name__}", file=sys.stderr)
                    found = {_page_key(href) for href in top}
                    wanted = set().union(*(aliases.get(slug, {slug}) for slug in row["expected"]))
                    hit = bool(found & wanted)
                    results.setdefault(locale, []).append(int(hit))
                    if not hit:
                        missed.setdefault(locale, []).append(row["id"])
                        if verbose:
                            print(f"miss {row['id']} {row['query']!r}: expected {row['expected']}, got {top}",
                                  file=sys.stderr)
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    return [(locale, sum(hits), len(hits), missed.get(locale, [])) for locale, hits in results.items()]


def first_load(base: str, locale: str, slug: str, query: str) -> tuple[dict[str, int], dict[str, int]]:
    """Bytes (gzip -9) an article's first load fetches, per kind; then what a first search adds."""
    from playwright.sync_api import sync_playwright

    def kind(url: str) -> str:
        name = url.split("?", 1)[0].rsplit("/", 1)[-1]
        return ("html" if name.endswith(".html") else "css" if name.endswith(".css") else
                "js" if name.endswith(".js") else "search data")

    loads: list[dict[str, int]] = [{}, {}]
    phase = [0]
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        context = browser.new_context()

        def count(response: Any) -> None:
            if response.status < 400:
                sizes = loads[phase[0]]
                what = kind(response.url)
                sizes[what] = sizes.get(what, 0) + len(gzip.compress(response.body(), 9))

        context.on("response", count)  # pages and the search's web worker alike
        page = context.new_page()
        page.goto(f"{base}/{locale}/{slug}")
        page.wait_for_load_state("networkidle")
        phase[0] = 1
        page.fill("#q", query)
        page.wait_for_function("q => document.querySelector('#search-panel ul').dataset.query === q", arg=query)
        page.wait_for_load_state("networkidle")
        browser.close()
    return loads[0], loads[1]


def print_first_load(site_builder: Callable[[Path], object], locale: str = "en", query: str = "wallet") -> None:
    from supportkit.faq.serve import make_server

    with tempfile.TemporaryDirectory(prefix="bench-load-") as scratch:
        site = Path(scratch) / "site"
        site_builder(site)
        server = make_server(site, 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        slug = sorted(p.name for p in (site / locale).glob("guide-*.html"))[0]
        try:
            page, search = first_load(f"http://127.0.0.1:{server.server_address[1]}", locale, slug, query)
        finally:
            server.shutdown()
            server.server_close()
    print(f"\n| first load of {locale}/{slug} (gzip -9) | bytes | target |")
    print("| --- | --- | --- |")
    for what in sorted(page):
        print(f"| {what} | {page[what] / 1024:.1f} KB | |")
    print(f"| **article total** | {sum(page.values()) / 1024:.1f} KB | <= 40 KB |")
    for what in sorted(search):
        print(f"| first search {query!r}, fetched on use: {what} | {search[what] / 1024:.1f} KB | |")
    print(f"| **first search total** | {sum(search.values()) / 1024:.1f} KB | (MkDocs Material: about 86 KB) |")


def print_search_quality(queries: Path, verbose: bool = False, extra: int = 0) -> None:
    among = f", among {extra} generated articles" if extra else ""
    print(f"\n## Search quality: expected page in the top 3 ({queries.name}, bundled site{among}, over http)\n")
    print("| locale | top-3 hits | share | target | missed |")
    print("| --- | --- | --- | --- | --- |")
    for locale, hits, count, missed in search_quality(queries, extra=extra, verbose=verbose):
        print(f"| {locale} | {hits}/{count} | {hits / count:.0%} | >= 95% | {' '.join(missed)} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median reported)")
    parser.add_argument("--lighthouse", action="store_true", help="also run Lighthouse (npx lighthouse@13)")
    parser.add_argument("--search-quality", action="store_true",
                        help="also measure search quality in Chromium (needs playwright and chromium)")
    parser.add_argument("--search-only", action="store_true", help="measure search quality only")
    parser.add_argument("--queries", type=Path, default=DEV_QUERIES,
                        help="query set (JSON lines: lang, query, expected slugs), default the development half")
    parser.add_argument("--among", type=int, default=0, metavar="N",
                        help="with --search-only: the bundled articles among N generated ones")
    parser.add_argument("--verbose", action="store_true", help="print each missed query and its top 3 on stderr")
    args = parser.parse_args()
    if args.search_only:
        print_search_quality(args.queries, args.verbose, extra=args.among)
        print_first_load(lambda out: build_site(Config(), BuildOptions(out=out)))
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-faq-") as scratch:
        root = Path(scratch)
        make_library(root / "replies", args.articles)
        # Medians of several runs: a full build into a fresh folder (no previous output, no
        # spare output, no article cache), a rebuild with nothing changed, and a rebuild after
        # one article changed.
        fulls = []
        for _attempt in range(args.runs):
            forget_site(root / "site")
            seconds, report = timed_build(root / "replies", root / "site")
            fulls.append(seconds)
        full = statistics.median(fulls)
        pages = int(report["pages"])  # type: ignore[call-overload]
        again = statistics.median(timed_build(root / "replies", root / "site")[0] for _ in range(args.runs))
        target = root / "replies" / "tutorials" / "article_0500.yaml"
        changes = []
        for attempt in range(args.runs):
            text = target.read_text(encoding="utf-8")
            target.write_text(text.replace("      1. ", f"      1. Changed {attempt}: ", 1), encoding="utf-8")
            seconds, changed_report = timed_build(root / "replies", root / "site")
            changes.append(seconds)
        changed = statistics.median(changes)
        size = folder_size(root / "site")

        make_library(root / "replies200", 200, seed=11)
        timed_build(root / "replies200", root / "site200")
        index_rows = []
        for locale in WORDS:
            raw = (root / "site200" / locale / "search-index.js").read_bytes()
            index_rows.append((locale, len(raw), len(gzip.compress(raw, 9))))

        print(f"## FAQ site build ({args.articles} articles x 5 locales, {pages} pages, {os.cpu_count()} cores)\n")
        print("| measure | value | target |")
        print("| --- | --- | --- |")
        print(f"| full build (median of {args.runs}) | {full:.2f} s ({full / pages * 1000:.2f} ms/page) | "
              "<= 10 s (2 ms/page) |")
        print(f"| rebuild, nothing changed | {again:.2f} s | |")
        print(f"| rebuild after one article changed | {changed:.2f} s ({changed / full:.0%} of full; "
              f"{changed_report['rendered']} pages rendered) | <= 10% |")
        print(f"| output size | {size / 1e6:.1f} MB | |")
        print("\n| locale | search index, 200 articles (raw) | gzip | target |")
        print("| --- | --- | --- | --- |")
        for locale, raw_size, gz in index_rows:
            print(f"| {locale} | {raw_size / 1024:.1f} KB | {gz / 1024:.1f} KB | <= 150 KB gzip |")
        if args.lighthouse:
            print("\n| locale | Lighthouse accessibility | SEO |")
            print("| --- | --- | --- |")
            for locale, a11y, seo in lighthouse(root / "site"):
                print(f"| {locale} | {a11y} | {seo} |")
        if args.search_quality:
            print_search_quality(args.queries, args.verbose)
            print_search_quality(args.queries, args.verbose, extra=args.articles)
            print_first_load(lambda out: build_site(Config(replies_dir=root / "replies"), BuildOptions(out=out),
                                                    library=load_library(root / "replies")))
        forget_site(root / "site")
        forget_site(root / "site200")
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
