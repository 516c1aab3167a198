"""The words and numbers of the HTML report, in its UI language (not the process's).

``Ui.for_locale("fr")`` binds gettext and ngettext to that language's catalog
(``supportkit.i18n.translations``), and formats numbers, shares, dates and durations with
Babel's CLDR data for it. Strings are literal ``_()``/``ngettext()``/``N_()`` calls so the
catalog extraction finds them. Intent labels: the project has no localized names for intents
(reply subjects are written to customers, not to a support lead), so they are listed here;
an intent the list does not know is shown as its id made readable ("wrong_chain" -> "Wrong chain").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from supportkit.i18n import CATALOG_LANGUAGES, N_, format_number, format_share, translations
from supportkit.languages import SOURCE_LANGUAGE, SUPPORTED_LANGUAGES, language_of

D3_LOCALES = {"zh": "zh-CN", "en": "en-US", "es": "es-ES", "ru": "ru-RU", "fr": "fr-FR"}
"""The d3-format / d3-time-format locale vl-convert formats chart axes with, per UI language."""

AXIS_DATE_FORMATS = {
    # d3-time-format patterns for a period's first day on a time axis: (day or week, month).
    "zh": ("%-m月%-d日", "%Y年%-m月"),
    "en": ("%b %-d", "%b %Y"),
    "es": ("%-d %b", "%b %Y"),
    "ru": ("%-d %b", "%b %Y"),
    "fr": ("%-d %b", "%b %Y"),
}

INTENT_LABELS: dict[str, str] = {
    # The intents of supportkit.library.CUSTOMER_INTENTS, plus the pipeline's needs_review.
    "contact_support": N_("How to reach support"),
    "slow_response": N_("Slow response"),
    "tx_pending": N_("Transfer pending"),
    "deposit_missing": N_("Deposit or withdrawal not received"),
    "forgot_password": N_("Forgotten password"),
    "wallet_recovery": N_("Wallet recovery"),
    "switch_phone": N_("Moving to a new phone"),
    "swap_tokens": N_("Token swaps"),
    "frozen_assets": N_("Frozen assets"),
    "scam_report": N_("Scam or stolen funds"),
    "privacy": N_("Privacy"),
    "complaint": N_("Complaint"),
    "gas_fee": N_("Network fees"),
    "token_missing": N_("Token not showing"),
    "secret_exposed": N_("Recovery phrase or key exposed"),
    "unauthorized_transfer": N_("Transfer the customer did not make"),
    "token_approval": N_("Token approval"),
    "investment_scam": N_("Pay-to-withdraw scam"),
    "address_poisoning": N_("Address poisoning"),
    "product_question": N_("Product question"),
    "greeting": N_("Greeting"),
    "thanks": N_("Thanks"),
    "other": N_("Other (no intent found)"),
    "needs_review": N_("Needs review"),
}

CHANNEL_LABELS: dict[str, str] = {"chat": N_("Chat"), "email": N_("E-mail")}

COLUMN_MEANINGS: dict[str, str] = {
    # What a column the report needs holds, by its name in the report's own vocabulary.
    "created_at": N_("the time the ticket was created"),
    "first_response_at": N_("the first agent response"),
    "solved_at": N_("the time the ticket was solved"),
    "csat": N_("the satisfaction rating"),
    "reopened": N_("reopened tickets"),
    "channel": N_("the channel"),
}

OTHER_KEY = "\x00other"
"""The key of "everything else" when a chart shows only the top N (no intent id can be it)."""


def humanize(identifier: str) -> str:
    """``wrong_chain`` -> ``Wrong chain``: an id the report has no label for, made readable."""
    words = identifier.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else identifier


def _iso_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class Ui:
    """One UI language: its gettext, ngettext and Babel formats."""

    language: str
    gettext: Callable[[str], str]
    ngettext: Callable[[str, str, int], str]

    @classmethod
    def for_locale(cls, locale: str) -> Ui:
        """The UI for ``locale`` (``fr``, ``fr-FR``, ``zh_CN``...); English for a language without a catalog."""
        language = language_of(locale or SOURCE_LANGUAGE)
        if language not in SUPPORTED_LANGUAGES:
            language = SOURCE_LANGUAGE
        catalog = translations(language) if language in CATALOG_LANGUAGES else None
        if catalog is None:
            return cls(language, lambda message: message,
                       lambda singular, plural, count: singular if count == 1 else plural)
        return cls(language, lambda message: str(catalog.gettext(message)),
                   lambda singular, plural, count: str(catalog.ngettext(singular, plural, count)))

    @property
    def d3_locale(self) -> str:
        return D3_LOCALES[self.language]

    # Numbers ---------------------------------------------------------------------------------

    def number(self, value: float | int | None, digits: int = 0) -> str:
        """``12 345`` / ``12,345`` / ``12.345``; an en dash for a missing value."""
        return "–" if value is None else format_number(value, digits, self.language)

    def share(self, fraction: float | None, digits: int = 1) -> str:
        """A fraction 0..1 as a percentage: ``12.5%``, ``12,5 %``."""
        return "–" if fraction is None else format_share(fraction, digits, self.language)

    def ratio(self, value: float) -> str:
        """``×2.4``: how many times the expected count."""
        return "×" + self.number(value, 1)

    def duration(self, minutes: float | None) -> str:
        """A duration in minutes written the locale's way: ``45 sec``, ``8.5 min``, ``1 hr 20 min``, ``2 days 3 hr``."""
        if minutes is None:
            return "–"
        from babel.units import format_unit

        def unit(value: float, name: str) -> str:
            return str(format_unit(value, f"duration-{name}", length="short", locale=self.language))

        seconds = round(max(minutes, 0.0) * 60)
        if seconds < 60:
            return unit(seconds, "second")
        if seconds < 600:
            tenths = round(seconds / 6) / 10
            return unit(int(tenths) if tenths == int(tenths) else tenths, "minute")
        whole = round(seconds / 60)
        if whole < 60:
            return unit(whole, "minute")
        if whole < 24 * 60:
            parts = [unit(whole // 60, "hour")] + ([unit(whole % 60, "minute")] if whole % 60 else [])
        else:
            hours = round(whole / 60)
            parts = [unit(hours // 24, "day")] + ([unit(hours % 24, "hour")] if hours % 24 else [])
        return self._units(parts)

    def _units(self, parts: list[str]) -> str:
        if len(parts) == 1:
            return parts[0]
        from babel.lists import format_list

        try:
            return str(format_list(parts, style="unit-narrow", locale=self.language))
        except (KeyError, ValueError):
            return " ".join(parts)

    def and_list(self, items: Sequence[str]) -> str:
        """``a, b and c`` in the UI language."""
        from babel.lists import format_list

        return str(format_list(list(items), locale=self.language)) if items else ""

    # Dates -----------------------------------------------------------------------------------

    def date(self, iso: str | None) -> str:
        """``Nov 2, 2026`` / ``2 nov. 2026`` / ``2026年11月2日``; the text as given when it is not a date."""
        if not iso:
            return "–"
        day = _iso_date(iso)
        if day is None:
            return str(iso)
        from babel.dates import format_date

        return str(format_date(day, "medium", locale=self.language))

    def period(self, iso: str, by: str) -> str:
        """A period by its first day: a month by its name, a day or a week by its date."""
        day = _iso_date(iso)
        if day is None or by != "month":
            return self.date(iso)
        from babel.dates import format_skeleton

        return str(format_skeleton("yMMMM", day, locale=self.language))

    def interval(self, start: str | None, end: str | None) -> str:
        """``Nov 2, 2026 – Jan 25, 2027`` the locale's way (one date when both are the same)."""
        first, last = _iso_date(start or ""), _iso_date(end or "")
        if first is None or last is None:
            return self.date(start or end)
        if first == last:
            return self.date(start)
        from babel.dates import format_interval

        return str(format_interval(first, last, "yMMMd", locale=self.language))

    def axis_date_format(self, by: str) -> str:
        day, month = AXIS_DATE_FORMATS[self.language]
        return month if by == "month" else day

    # Names -----------------------------------------------------------------------------------

    def language_name(self, code: str | None) -> str:
        """``zh`` -> ``Chinese`` / ``chinois`` / ``中文``; the code itself for a code Babel does not know."""
        _ = self.gettext
        if code is None:
            return _("All languages")
        from babel import Locale

        name = Locale.parse(self.language).languages.get(str(code).replace("-", "_"))
        if not name:
            name = Locale.parse(self.language).languages.get(language_of(str(code)))
        return str(name) if name else str(code)

    def intent(self, intent: str | None) -> str:
        _ = self.gettext
        if intent is None:
            return _("All intents")
        if intent == OTHER_KEY:
            return _("All other intents")
        label = INTENT_LABELS.get(intent)
        return _(label) if label else humanize(str(intent))

    def channel(self, key: str) -> str:
        label = CHANNEL_LABELS.get(key)
        return self.gettext(label) if label else str(key)

    def urgency(self, key: str) -> str:
        _ = self.gettext
        return {"urgent": _("Urgent"), "normal": _("Not urgent")}.get(key, str(key))

    def key_label(self, dimension: str, key: Any) -> str:
        """A row's name in a table broken down by ``dimension`` (language, intent, channel, urgency)."""
        _ = self.gettext
        if dimension == "all":
            return _("All tickets")
        if dimension == "language":
            return self.language_name(key)
        if dimension == "intent":
            return self.intent(key)
        if dimension == "channel":
            return self.channel(str(key))
        if dimension == "urgency":
            return self.urgency(str(key))
        return str(key)

    # Notes -----------------------------------------------------------------------------------

    def note(self, note: Mapping[str, Any]) -> str:
        """A note as a sentence: why a section is left out."""
        _ = self.gettext
        section, reason = str(note.get("section", "")), str(note.get("reason", ""))
        columns = [str(c) for c in note.get("columns") or []]
        if reason == "missing_columns" and columns:
            named = [f"{_(COLUMN_MEANINGS[c])} ({c})" if c in COLUMN_MEANINGS else c for c in columns]
            because = _("the export has no column for {columns}.").format(columns=self.and_list(named))
        elif reason == "missing_columns":
            because = _("the export does not have the columns it needs.")
        elif reason == "too_few_tickets":
            because = _("there are too few tickets to show it without pointing at single customers.")
        elif reason == "no_data":
            because = _("the export has no data for it.")
        else:
            because = _("it could not be computed ({reason}).").format(reason=reason)
        sentences = {
            "response_times": _("Response times are left out: {reason}"),
            "load_by_hour": _("The load by hour of day is left out: {reason}"),
            "satisfaction": _("Satisfaction is left out: {reason}"),
            "channel": _("Volume by channel is left out: {reason}"),
            "trends": _("Trends are left out: {reason}"),
            "gaps": _("What the templates miss is left out: {reason}"),
            "volume": _("Volume is left out: {reason}"),
        }
        if section in sentences:
            return sentences[section].format(reason=because)
        return _("The section {section} is left out: {reason}").format(section=section, reason=because)
