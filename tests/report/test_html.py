"""The HTML page of ``supportkit report``: words and numbers per UI language, escaping, notes, charts.

Strings the catalogs do not translate yet are compared through ``translator(locale)``, so the
tests hold before and after the lead adds their translations; Babel's formats are compared
exactly. Most tests render without charts (fast); the chart tests render once per module.
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from supportkit.i18n import translator
from supportkit.report.charts import ChartError, safe_svg
from supportkit.report.html import render_html
from supportkit.report.html_text import OTHER_KEY, Ui, humanize

ROOT = Path(__file__).resolve().parent.parent.parent
LOCALES = ("zh", "en", "es", "ru", "fr")
HOSTILE = '<script>alert("x")</script>'


def make_report() -> dict[str, Any]:
    """A small report with every section (schema 1)."""
    periods = ["2026-11-02", "2026-11-09", "2026-11-16"]
    return {
        "schema": 1,
        "generated_for": {"export": "tickets.jsonl", "tickets": 12345, "messages": 40321, "rejected": 2,
                          "labelled_now": 7, "since": "2026-11-02", "until": "2026-11-22", "by": "week",
                          "timezone": "Europe/Madrid"},
        "notes": [],
        "volume": {"total": 12345, "urgent_share": 0.123, "secret_share": 0.0456, "periods": periods,
                   "by": {"language": [{"key": "zh", "counts": [1000, 2000, 3000], "total": 6000},
                                       {"key": "ru", "counts": [100, 200, 300], "total": 600}],
                          "intent": [{"key": "deposit_missing", "counts": [5, 6, 7], "total": 18},
                                     {"key": "wrong_chain", "counts": [1, 2, 3], "total": 6}],
                          "channel": [{"key": "chat", "counts": [4, 5, 6], "total": 15}],
                          "urgency": [{"key": "urgent", "counts": [1, 2, 3], "total": 6},
                                      {"key": "normal", "counts": [3, 4, 5], "total": 12}]}},
        "response_times": {"method": "Median and p90 of minutes from creation to the first agent reply.",
                           "first_response": [{"dimension": "all", "key": None, "tickets": 900, "median": 80.0, "p90": 300.0},
                                              {"dimension": "language", "key": "zh", "tickets": 600, "median": 8.5, "p90": 45.0}],
                           "resolution": [{"dimension": "all", "key": None, "tickets": 850, "median": 3000.0, "p90": 6000.0},
                                          {"dimension": "intent", "key": "tx_pending", "tickets": 90, "median": 0.75, "p90": 2.0}]},
        "load_by_hour": [{"hour": hour, "tickets": hour * 3} for hour in range(24)],
        "satisfaction": [{"dimension": "all", "key": None, "rated": 500, "csat": 0.85, "reopen_rate": 0.05},
                         {"dimension": "intent", "key": "scam_report", "rated": 40, "csat": 0.6, "reopen_rate": None}],
        "trends": [{"intent": "investment_scam", "language": "fr", "period": "2026-11-16", "count": 40,
                    "expected": 10.5, "ratio": 3.81, "score": 5.2, "examples": ["Payer pour retirer ?", "Encore des frais"]}],
        "gaps": {"clusters": [{"size": 12, "languages": {"en": 10, "zh": 2}, "intent": "other",
                               "examples": ["How do I stake TRX?"]}],
                 "missing_templates": [{"intent": "tx_pending", "locale": "ru", "messages": 30}]},
    }


def text_of(html: str) -> str:
    """The page's text: tags dropped, entities of the escaped data decoded, spaces collapsed."""
    import html as html_module

    return re.sub(r"[ \t\r\n]+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return {locale: render_html(make_report(), locale, charts=False) for locale in LOCALES}


# Babel's formats, exactly, per UI language: numbers, shares, durations, dates, language names.
FRAGMENTS = {
    "zh": ["12,345", "12.3%", "1小时20分钟", "2天2小时", "8.5分钟", "45秒", "2026年11月2日\u2009–\u200922日", "俄语", "×3.8"],
    "en": ["12,345", "12.3%", "1 hr 20 min", "2 days 2 hr", "8.5 min", "45 sec", "Nov 2\u2009–\u200922, 2026", "Russian", "×3.8"],
    "es": ["12.345", "12,3\xa0%", "1 h 20 min", "2 d 2 h", "8,5 min", "45 s", "2–22 nov 2026", "ruso", "×3,8"],
    "ru": ["12\xa0345", "12,3\xa0%", "1 ч 20 мин", "2 дн. 2 ч", "8,5 мин", "45 с", "2—22 нояб. 2026\u202fг.", "русский", "×3,8"],
    "fr": ["12\u202f345", "12,3\xa0%", "1\u202fh 20\xa0min", "2\u202fj 2\u202fh", "8,5\xa0min", "45\u202fs", "2–22 nov. 2026",
           "russe", "×3,8"],
}


@pytest.mark.parametrize("locale", LOCALES)
def test_numbers_dates_and_durations_follow_the_ui_language(pages: dict[str, str], locale: str) -> None:
    text = text_of(pages[locale])
    missing = [fragment for fragment in FRAGMENTS[locale] if fragment not in text]
    assert missing == [], (locale, missing)
    assert f'<html lang="{locale}" dir="ltr">' in pages[locale]


@pytest.mark.parametrize("locale", LOCALES)
def test_sentences_are_in_the_ui_language(pages: dict[str, str], locale: str) -> None:
    _ = translator(locale)
    ui = Ui.for_locale(locale)
    text = text_of(pages[locale])
    expected = [
        f"<h1>{_('Support report')}</h1>",
        f"<p>{_('Period: {period}').format(period=ui.interval('2026-11-02', '2026-11-22'))}</p>",
        f"<dt>{_('Median first response')}</dt><dd>{ui.duration(80)}</dd>",
        f'<th scope="col">{_("Language")}</th>',
    ]
    for fragment in expected:
        assert fragment in pages[locale], (locale, fragment)
    summary = ui.ngettext("{count} ticket in the period of {period} where about {expected} were expected ({ratio}).",
                          "{count} tickets in the period of {period} where about {expected} were expected ({ratio}).",
                          40).format(count="40", period=ui.date("2026-11-16"), expected=ui.number(10.5, 1),
                                     ratio=ui.ratio(3.81))
    assert summary in text
    assert _("{intent} in {language}").format(intent=ui.intent("investment_scam"), language=ui.language_name("fr")) in text


def test_english_page_exact_fragments(pages: dict[str, str]) -> None:
    html = pages["en"]
    text = text_of(html)
    for fragment in [
        "<p>Export: tickets.jsonl</p>", "<p>Period: Nov 2\u2009–\u200922, 2026</p>", "<p>Time zone: Europe/Madrid</p>",
        "<dt>Urgent</dt><dd>12.3%</dd>", "<dt>With a recovery phrase or key pasted</dt><dd>4.6%</dd>",
        "<dt>Median resolution</dt><dd>2 days 2 hr</dd>", "<dt>Satisfied customers (CSAT)</dt><dd>85.0%</dd>",
        '<tr><th scope="row">Nov 16, 2026</th><td>3,000</td><td>300</td><td>3,300</td></tr>',
        '<tr><th scope="row">All tickets</th><td>900</td><td>1 hr 20 min</td><td>5 hr</td></tr>',
        '<tr class="group"><th scope="rowgroup" colspan="4">By intent</th></tr>',
        '<tr><th scope="row">Transfer pending</th><td>90</td><td>45 sec</td><td>2 min</td></tr>',
        '<tr><th scope="row">Scam or stolen funds</th><td>40</td><td>60.0%</td><td>–</td></tr>',
        "<h3>Pay-to-withdraw scam in French</h3>",
        '<li lang="fr">Payer pour retirer ?</li>',
        '<p class="method" >', ]:
        if fragment == '<p class="method" >':
            assert '<p class="method">Median and p90 of minutes' in html
            continue
        assert fragment in html, fragment
    assert "40 tickets in the period of Nov 16, 2026 where about 10.5 were expected (×3.8)." in text
    assert "12 similar messages · Other (no intent found) · English 10 and Chinese 2" in text
    assert "Wrong chain" in text  # an intent without a label: its id made readable


def test_method_sentence_is_marked_english_on_other_pages(pages: dict[str, str]) -> None:
    assert '<p class="method" lang="en">Median and p90' in pages["fr"]


def test_process_language_does_not_decide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPORTKIT_LANG", "ru")
    html = render_html(make_report(), "fr", charts=False)
    assert '<html lang="fr"' in html
    assert f'<th scope="col">{translator("fr")("Language")}</th>' in html
    assert "12\u202f345" in html


def test_every_section_null_renders_its_notes() -> None:
    report = {"schema": 1, "generated_for": {"export": "empty.csv", "tickets": 0, "messages": 0, "rejected": 0,
                                             "labelled_now": 0, "since": None, "until": None, "by": "week",
                                             "timezone": "Europe/Madrid"},
              "notes": [{"section": "response_times", "reason": "missing_columns", "columns": ["first_response_at"]},
                        {"section": "load_by_hour", "reason": "missing_columns", "columns": ["created_at", "x_col"]},
                        {"section": "satisfaction", "reason": "missing_columns", "columns": ["csat"]},
                        {"section": "channel", "reason": "missing_columns", "columns": ["channel"]},
                        {"section": "trends", "reason": "too_few_tickets", "columns": []},
                        {"section": "gaps", "reason": "no_data", "columns": []}],
              "volume": None, "response_times": None, "load_by_hour": None, "satisfaction": None,
              "trends": [], "gaps": None}
    html = render_html(report, "en")
    text = text_of(html)
    for sentence in [
        "Response times are left out: the export has no column for the first agent response (first_response_at).",
        "The load by hour of day is left out: the export has no column for the time the ticket was created "
        "(created_at) and x_col.",
        "Satisfaction is left out: the export has no column for the satisfaction rating (csat).",
        "Volume by channel is left out: the export has no column for the channel (channel).",
        "Trends are left out: there are too few tickets to show it without pointing at single customers.",
        "What the templates miss is left out: the export has no data for it.",
    ]:
        assert sentence in text, sentence
    assert "<svg" not in html and "<figure" not in html
    assert html.count("<h2") == 7
    assert "<dt>Tickets</dt><dd>0</dd>" in html


def test_a_null_section_without_a_note_says_so() -> None:
    report = make_report()
    report["load_by_hour"] = None
    html = render_html(report, "en", charts=False)
    section = html.split('id="load_by_hour"')[1].split("</section>")[0]
    assert '<p class="notes">Nothing to show for this export.</p>' in section


def test_unknown_note_reason_and_section_are_still_sentences() -> None:
    ui = Ui.for_locale("en")
    assert ui.note({"section": "queues", "reason": "odd{0}"}) == "The section queues is left out: it could not be computed (odd{0})."


def test_every_value_from_the_report_is_escaped() -> None:
    report = make_report()
    report["generated_for"]["export"] = HOSTILE + '.jsonl"'
    report["generated_for"]["timezone"] = '"><img src=x onerror=alert(1)>'
    report["volume"]["by"]["intent"][1]["key"] = HOSTILE
    report["volume"]["by"]["channel"][0]["key"] = '"onmouseover="alert(1)'
    report["trends"][0]["examples"] = [HOSTILE, 'a "quoted" <b>word</b>']
    report["trends"][0]["language"] = '"><script>x</script>'
    report["gaps"]["clusters"][0]["examples"] = ["</li></ul><script>alert(2)</script>"]
    report["notes"] = [{"section": HOSTILE, "reason": HOSTILE, "columns": [HOSTILE]}]
    report["response_times"]["method"] = HOSTILE
    html = render_html(report, "en", charts=False)
    assert "<script" not in html.lower()
    assert "<img" not in html and "<b>" not in html and 'onmouseover="' not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "Export: &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;.jsonl&#34;" in html
    assert 'aria-label="Tickets by hour of day (&#34;&gt;&lt;img src=x onerror=alert(1)&gt;)"' in html
    assert "a &#34;quoted&#34; &lt;b&gt;word&lt;/b&gt;" in html


@pytest.fixture(scope="module")
def charted() -> dict[str, str]:
    report = make_report()
    report["volume"]["by"]["intent"][1]["key"] = HOSTILE
    report["gaps"]["missing_templates"][0]["intent"] = 'a"b<c>&d'
    return {locale: render_html(report, locale) for locale in ("en", "fr", "zh")}


def test_charts_are_inline_svg_named_by_their_caption(charted: dict[str, str]) -> None:
    html = charted["en"]
    figures = re.findall(r'<figcaption id="([^"]+)">', html)
    svgs = re.findall(r"<svg\b[^>]*>", html)
    assert len(figures) == 11 and len(svgs) == 2 * len(figures)
    for tag in svgs:
        assert 'role="img"' in tag and 'focusable="false"' in tag
        assert re.search(r'aria-labelledby="([^"]+)"', tag).group(1) in figures  # type: ignore[union-attr]
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "ids repeat across inlined charts"
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        'xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    assert "https://" not in html and "<link" not in html and "src=" not in html


def test_labels_from_the_data_are_escaped_inside_the_svg(charted: dict[str, str]) -> None:
    html = charted["en"]
    assert "<script" not in html
    svg_text = re.findall(r"<text[^>]*>([^<]*)</text>", html)
    assert "&lt;script&gt;alert(\"x\")&lt;/script&gt;" in svg_text
    assert "A\"b&lt;c&gt;&amp;d" in svg_text  # humanized intent id, escaped by vl-convert


def test_chart_axes_follow_the_ui_language(charted: dict[str, str]) -> None:
    def labels(html: str) -> list[str]:
        return re.findall(r"<text[^>]*>([^<]*)</text>", html)

    assert {"Nov 2", "Nov 9", "Nov 16", "3,000"} <= set(labels(charted["en"]))
    assert {"2 nov.", "9 nov.", "16 nov.", "3\xa0000"} <= set(labels(charted["fr"]))
    assert {"11月2日", "11月9日", "11月16日", "3,000"} <= set(labels(charted["zh"]))


def test_chart_dates_do_not_move_with_the_machine_time_zone(tmp_path: Path) -> None:
    code = ("from supportkit.report.html import render_html; import sys, json; "
            "sys.stdout.write(render_html(json.loads(sys.stdin.read()), 'en'))")
    report = make_report()
    for section in ("response_times", "load_by_hour", "satisfaction", "trends", "gaps"):
        report[section] = None
    env = {**os.environ, "TZ": "America/Los_Angeles", "PYTHONPATH": str(ROOT)}
    import json

    done = subprocess.run([sys.executable, "-c", code], input=json.dumps(report), capture_output=True, text=True,
                          env=env, check=True, timeout=300)
    assert {"Nov 2", "Nov 9", "Nov 16"} <= set(re.findall(r"<text[^>]*>([^<]*)</text>", done.stdout))


@pytest.mark.parametrize("svg", [
    '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><g onload="alert(1)"/></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><text>unclosed</svg>',
])
def test_safe_svg_refuses_what_must_not_be_inlined(svg: str) -> None:
    with pytest.raises(ChartError):
        safe_svg(svg, "chart-1", "figure-1-caption")


def test_safe_svg_prefixes_ids_and_names_the_image() -> None:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" class="marks" width="10" height="10">'
           '<clipPath id="clip1"><rect/></clipPath><g clip-path="url(#clip1)"/></svg>')
    out = safe_svg(svg, "chart-3-w", "figure-3-caption")
    assert out == ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" class="chart-svg" role="img" '
                   'aria-labelledby="figure-3-caption" focusable="false"><clipPath id="chart-3-w-clip1"><rect/>'
                   '</clipPath><g clip-path="url(#chart-3-w-clip1)"/></svg>')


def test_intent_names() -> None:
    ui = Ui.for_locale("en")
    assert ui.intent("deposit_missing") == "Deposit or withdrawal not received"
    assert ui.intent("wrong_chain") == humanize("wrong_chain") == "Wrong chain"
    assert ui.intent(OTHER_KEY) == "All other intents"
    assert ui.intent(None) == "All intents"


def test_top_intents_and_the_rest(pages: dict[str, str]) -> None:
    report = make_report()
    report["volume"]["by"]["intent"] = [{"key": f"intent_{i:02d}", "counts": [i, i, i], "total": 3 * i}
                                        for i in range(1, 13)]
    html = render_html(report, "en", charts=False)
    head = html.split("Tickets per period by intent")[-1].split("</thead>")[0]
    columns = re.findall(r'<th scope="col">([^<]*)</th>', head)
    assert columns == ["Week starting", *(f"Intent {i:02d}" for i in range(12, 4, -1)), "All other intents", "Total"]
    assert '<tr><th scope="row">Nov 2, 2026</th><td>12</td><td>11</td><td>10</td><td>9</td><td>8</td><td>7</td>' \
           '<td>6</td><td>5</td><td>10</td><td>78</td></tr>' in html


def test_the_report_dict_is_not_changed(pages: dict[str, str]) -> None:
    report = make_report()
    before = copy.deepcopy(report)
    render_html(report, "ru", charts=False)
    assert report == before


@pytest.mark.parametrize(("minutes", "text"), [
    (0, "0 sec"), (0.5, "30 sec"), (1, "1 min"), (9.96, "10 min"), (59.4, "59 min"), (60, "1 hr"),
    (61, "1 hr 1 min"), (1439.6, "1 day"), (1500, "1 day 1 hr"), (None, "–"),
])
def test_durations(minutes: float | None, text: str) -> None:
    assert Ui.for_locale("en").duration(minutes) == text
