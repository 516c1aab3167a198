"""sitemap.xml, with the hreflang alternates of every article."""

from __future__ import annotations

from supportkit.faq.articles import (
    Article,
)


def sitemap(per_locale: dict[str, list[Article]], locales: tuple[str, ...], base_url: str, default: str) -> str:
    from html import escape

    rows = ['<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    translated = {loc: {a.ref: a for a in arts if not a.is_fallback} for loc, arts in per_locale.items()}

    def url(loc_rel: str, alternates: list[tuple[str, str]], lastmod: str | None) -> None:
        rows.append("<url>")
        rows.append(f"<loc>{escape(base_url + loc_rel)}</loc>")
        if lastmod:
            rows.append(f"<lastmod>{lastmod}</lastmod>")
        for code, rel in alternates:
            rows.append(f'<xhtml:link rel="alternate" hreflang="{code}" href="{escape(base_url + rel)}"/>')
        rows.append("</url>")

    homes = [(code, f"{code}/index.html") for code in locales]
    default_home = dict(homes).get(default, homes[0][1])
    for code in locales:
        url(f"{code}/index.html", [*homes, ("x-default", default_home)], None)
    refs = sorted({ref for loc in locales for ref in translated[loc]})
    for ref in refs:
        holders = [(code, translated[code][ref]) for code in locales if ref in translated[code]]
        alternates = [(code, f"{code}/{a.slug}") for code, a in holders]
        x_default = next((rel for code, rel in alternates if code == default), alternates[0][1])
        for _code, article in holders:
            updated = article.updated.isoformat() if article.updated else None
            url(f"{article.locale}/{article.slug}", [*alternates, ("x-default", x_default)], updated)
    rows.append("</urlset>")
    return "\n".join(rows) + "\n"
