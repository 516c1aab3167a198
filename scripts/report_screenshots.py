#!/usr/bin/env python3
"""Screenshots of the HTML report (``supportkit.report.html.render_html``) in every UI language.

Builds a realistic sample report in code (five languages, twelve weeks, a scam wave in the
smallest language, response times, CSAT, gaps), renders it in zh, en, es, ru and fr, and takes
a full-page screenshot of each in Chromium at desktop width (1366 px) and phone width (360 px),
light and dark. The PNGs go into the folder given (default: a new temporary folder); never
commit them. Look at them before changing the page.

Needs the ``report`` extra (altair, vl-convert-python), Playwright and Debian's Chromium.
Usage: python scripts/report_screenshots.py [OUT_DIR] [--locales zh,en] [--dark]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from supportkit.languages import SUPPORTED_LANGUAGES  # noqa: E402
from supportkit.report.html import render_html  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WIDTHS = {"desktop": 1366, "phone": 360}
LANGUAGE_WEIGHTS = {"zh": 0.46, "en": 0.22, "ru": 0.14, "es": 0.11, "fr": 0.07}
INTENT_WEIGHTS = {
    "deposit_missing": 0.17, "tx_pending": 0.14, "contact_support": 0.10, "slow_response": 0.08,
    "swap_tokens": 0.07, "gas_fee": 0.07, "token_missing": 0.06, "wallet_recovery": 0.06,
    "forgot_password": 0.05, "scam_report": 0.05, "frozen_assets": 0.04, "investment_scam": 0.03,
    "switch_phone": 0.03, "other": 0.05,
}
WAVE = ("investment_scam", "fr", 11)
"""The scam wave of the sample: this intent, in this language, triples in this week (0-based)."""


def _weeks(count: int, first: dt.date) -> list[str]:
    return [(first + dt.timedelta(weeks=i)).isoformat() for i in range(count)]


def sample_report(seed: int = 19) -> dict[str, Any]:
    """A report dict as ``supportkit report`` makes it (schema 1), with realistic numbers."""
    rng = random.Random(seed)
    periods = _weeks(12, dt.date(2026, 9, 7))
    weekly = [int(1900 * (1 + 0.015 * i) * rng.uniform(0.93, 1.07)) for i in range(len(periods))]

    def split(weights: dict[str, float]) -> dict[str, list[int]]:
        return {key: [max(0, int(total * share * rng.uniform(0.85, 1.15))) for total in weekly]
                for key, share in weights.items()}

    languages = split(LANGUAGE_WEIGHTS)
    intents = split(INTENT_WEIGHTS)
    intent, language, week = WAVE
    surge = languages[language][week] // 4
    languages[language][week] += surge
    intents[intent][week] += surge
    channels = split({"chat": 0.81, "email": 0.19})
    urgency = split({"urgent": 0.09, "normal": 0.91})
    tickets = sum(weekly) + surge

    def entries(counts: dict[str, list[int]]) -> list[dict[str, Any]]:
        return sorted(({"key": key, "counts": values, "total": sum(values)} for key, values in counts.items()),
                      key=lambda entry: -entry["total"])

    def times(base: float, spread: float) -> list[dict[str, Any]]:
        rows = [{"dimension": "all", "key": None, "tickets": tickets, "median": base, "p90": base * spread}]
        for code, share in LANGUAGE_WEIGHTS.items():
            factor = {"zh": 0.8, "en": 1.0, "ru": 1.4, "es": 1.2, "fr": 1.9}[code]
            rows.append({"dimension": "language", "key": code, "tickets": int(tickets * share),
                         "median": round(base * factor, 1), "p90": round(base * factor * spread, 1)})
        for key, share in list(INTENT_WEIGHTS.items())[:8]:
            factor = rng.uniform(0.6, 2.2)
            rows.append({"dimension": "intent", "key": key, "tickets": int(tickets * share),
                         "median": round(base * factor, 1), "p90": round(base * factor * spread, 1)})
        return rows

    satisfaction = [{"dimension": "all", "key": None, "rated": int(tickets * 0.21), "csat": 0.82, "reopen_rate": 0.064}]
    for code, share in LANGUAGE_WEIGHTS.items():
        satisfaction.append({"dimension": "language", "key": code, "rated": int(tickets * share * 0.21),
                             "csat": round(rng.uniform(0.7, 0.92), 3), "reopen_rate": round(rng.uniform(0.03, 0.1), 3)})
    for key, share in list(INTENT_WEIGHTS.items())[:8]:
        satisfaction.append({"dimension": "intent", "key": key, "rated": int(tickets * share * 0.21),
                             "csat": round(rng.uniform(0.55, 0.95), 3), "reopen_rate": round(rng.uniform(0.02, 0.15), 3)})
    hours = [int(40 + 260 * max(0.0, 1 - abs(hour - 14) / 9) + rng.uniform(0, 30)) for hour in range(24)]
    return {
        "schema": 1,
        "generated_for": {"export": "zendesk-tickets-2026-q4.jsonl", "tickets": tickets, "messages": int(tickets * 3.4),
                          "rejected": 3, "labelled_now": 1480, "since": None, "until": None, "by": "week",
                          "timezone": "Europe/Madrid"},
        "notes": [],
        "volume": {"total": tickets, "urgent_share": 0.093, "secret_share": 0.012, "periods": periods,
                   "by": {"language": entries(languages), "intent": entries(intents), "channel": entries(channels),
                          "urgency": entries(urgency)}},
        "response_times": {"method": "Minutes from the ticket's creation to the first public agent reply (first "
                                     "response) and to its first solved status (resolution), on tickets that have "
                                     "both times; p90 is the 90th percentile, linear interpolation.",
                           "first_response": times(38.0, 4.2), "resolution": times(610.0, 5.5)},
        "load_by_hour": [{"hour": hour, "tickets": count} for hour, count in enumerate(hours)],
        "satisfaction": satisfaction,
        "trends": [
            {"intent": intent, "language": language, "period": periods[week], "count": 61, "expected": 19.4,
             "ratio": 3.14, "score": 6.8, "examples": [
                 "On m'a dit de payer 300 USDT de « frais de déblocage » avant de pouvoir retirer, c'est normal ?",
                 "La plateforme exige une taxe pour libérer mon retrait, [e-mail removed] m'a écrit",
                 "J'ai déjà payé deux fois pour retirer et ils demandent encore"]},
            {"intent": "address_poisoning", "language": None, "period": periods[week], "count": 88, "expected": 47.0,
             "ratio": 1.87, "score": 4.1, "examples": [
                 "转账到了一个跟我朋友地址很像的地址", "I copied the address from my history and it was not the right one"]},
        ],
        "gaps": {
            "clusters": [
                {"size": 143, "languages": {"zh": 98, "en": 30, "ru": 15}, "intent": "other", "examples": [
                    "怎么开通质押挖矿？", "How do I stake TRX for energy?", "Как застейкать TRX ради энергии?"]},
                {"size": 57, "languages": {"es": 57}, "intent": "needs_review", "examples": [
                    "¿Puedo recuperar una billetera con 24 palabras [recovery phrase removed]?",
                    "Mi billetera pide una frase de 12 palabras pero tengo 24"]},
                {"size": 21, "languages": {"fr": 21}, "intent": "other", "examples": [
                    "Est-ce que l'appli marche sur une tablette Huawei sans Google ?"]},
            ],
            "missing_templates": [
                {"intent": "frozen_assets", "locale": "fr", "messages": 96},
                {"intent": "swap_tokens", "locale": "ru", "messages": 71},
                {"intent": "gas_fee", "locale": "es", "messages": 44},
            ],
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, help="folder for the PNGs (default: a new temporary folder)")
    parser.add_argument("--locales", default=",".join(SUPPORTED_LANGUAGES))
    parser.add_argument("--dark", action="store_true", help="also take dark-mode screenshots")
    args = parser.parse_args(argv)
    out: Path = args.out or Path(tempfile.mkdtemp(prefix="report-screenshots-"))
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    report = sample_report()
    schemes = ("light", "dark") if args.dark else ("light",)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        for locale in args.locales.split(","):
            page_file = out / f"report-{locale}.html"
            page_file.write_text(render_html(report, locale), encoding="utf-8")
            for name, width in WIDTHS.items():
                for scheme in schemes:
                    context = browser.new_context(viewport={"width": width, "height": 900},
                                                  color_scheme="dark" if scheme == "dark" else "light")
                    page = context.new_page()
                    errors: list[str] = []

                    def console(message: Any, errors: list[str] = errors) -> None:
                        if message.type in ("error", "warning"):
                            errors.append(message.text)

                    def crashed(error: Any, errors: list[str] = errors) -> None:
                        errors.append(str(error))

                    page.on("console", console)
                    page.on("pageerror", crashed)
                    page.goto(page_file.as_uri())
                    suffix = "" if scheme == "light" else "-dark"
                    target = out / f"report-{locale}-{name}{suffix}.png"
                    page.screenshot(path=str(target), full_page=True)
                    context.close()
                    print(target, *(f"console: {error}" for error in errors), sep="\n  ")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
