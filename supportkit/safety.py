"""What a reply may say: links only to hosts the brand vouches for, and never a request for a secret.

One definition, used by configuration (``[brand]`` links are checked when read), by
``supportkit reply`` (an unsafe rendered reply is refused, not printed) and by the
``rendered_reply`` check. The reply path imports this module, so its patterns are compiled
on first use, never at import.

A reply may link to:

- the brand's domain: its ``website`` host without a leading ``www.``, and every subdomain
  (``https://www.tokenpocket.pro`` -> ``tokenpocket.pro``, so ``help.tokenpocket.pro`` too);
- the block explorers the bundled templates name (``BLOCK_EXPLORERS``);
- an ``allowed_domains`` entry of ``[brand]`` (and the older top-level ``allowed_domains``);
- one of the brand's own links exactly (``brand.telegram``, ``brand.twitter``): a link to
  another channel on the same platform (``t.me/anything``) is not allowed, since anyone can
  open one there.

Bare domains count as links (``t.me/xyz``, ``evil.example``), and so do e-mail addresses
(by their domain, or as the brand's own ``support_email``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from supportkit.languages import language_of

BLOCK_EXPLORERS = ("tronscan.org", "etherscan.io", "bscscan.com", "solscan.io")
"""Explorers a reply may link to: the ones the bundled templates name (``replies/``:
tronscan.org, etherscan.io, bscscan.com; frozen_assets and tx_pending name Tronscan, Etherscan
and BscScan) plus Solana's (solscan.io), the chain the wallet also serves."""

BRAND_LINKS = ("website", "help_center", "twitter", "telegram")
"""Brand settings that are https links."""

BRAND_CONTACTS = ("support_email", *BRAND_LINKS)
"""Brand settings a team sets together: one without the others keeps another company's contacts."""

PLATFORM_HOSTS = {"twitter": ("x.com", "twitter.com"), "telegram": ("t.me", "telegram.me")}
"""Where a brand's social links may live besides its own domain (the platform itself)."""


def host_of(link: str) -> str:
    """The lower-case host of a URL, or of a bare ``domain/path``; "" when there is none."""
    from urllib.parse import urlsplit

    try:
        host = urlsplit(link if "://" in link else "https://" + link).hostname or ""
    except ValueError:
        return ""
    return host.lower().rstrip(".")


def on_domain(host: str, domains: Iterable[str]) -> bool:
    """Whether ``host`` is one of ``domains`` or a subdomain of one."""
    return any(host == d or host.endswith("." + d) for d in domains if d)


def brand_domain(website: str) -> str:
    """The brand's own domain: its website's host without a leading ``www.``."""
    host = host_of(website)
    return host.removeprefix("www.") if host.count(".") > 1 else host


def _normalized(link: str) -> str:
    """A link compared as a link: no scheme, lower-case host, no trailing slash."""
    bare = re.sub(r"^[a-z][a-z0-9+.-]*://", "", link.strip(), flags=re.IGNORECASE).rstrip("/")
    host, sep, rest = bare.partition("/")
    return host.lower() + sep + rest


@dataclass(frozen=True)
class LinkPolicy:
    """The hosts (with their subdomains) and the exact links a reply may contain."""

    domains: tuple[str, ...]
    links: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()

    def allows(self, link: str) -> bool:
        """Whether a URL, bare domain or e-mail address in a reply is allowed."""
        if "@" in link and "/" not in link:
            return link.lower() in self.emails or on_domain(link.rpartition("@")[2].lower(), self.domains)
        if on_domain(host_of(link), self.domains):
            return True
        wanted = _normalized(link)
        return any(wanted == own or wanted.startswith((own + "/", own + "?", own + "#")) for own in self.links)

    def describe(self) -> str:
        """The allowed domains, for messages."""
        return ", ".join(self.domains)


def link_policy(website: str, links: Iterable[str], emails: Iterable[str], allowed: Iterable[str]) -> LinkPolicy:
    """The policy of a brand: its domain, ``BLOCK_EXPLORERS``, ``allowed`` domains, its own links exactly."""
    domains = dict.fromkeys(d for d in (brand_domain(website), *BLOCK_EXPLORERS,
                                        *(a.lower().strip().lstrip(".") for a in allowed)) if d)
    return LinkPolicy(tuple(domains), tuple(_normalized(link) for link in links if link and host_of(link)),
                      tuple(e.lower() for e in emails if e))


# --- finding links in text ----------------------------------------------------------------

_TRAILING = ".,;:!?)]}'\"»”’…"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"


@functools.lru_cache(maxsize=1)
def _link_re() -> re.Pattern[str]:
    # Order matters: an e-mail before the domain inside it, a URL with a scheme before a bare one.
    # ASCII look-behinds only, so a domain glued to Chinese text ("访问evil.example") is found.
    return re.compile(
        rf"(?P<email>(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@(?:{_LABEL}\.)+[A-Za-z]{{2,63}})(?![A-Za-z0-9-])"
        r"|(?P<url>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s<>\"'\u3000-\u303f\uff01-\uff5e]+)"
        rf"|(?P<bare>(?<![A-Za-z0-9@._/-])(?:{_LABEL}\.)+(?:[A-Za-z]{{2,63}}|xn--[A-Za-z0-9-]+)(?![A-Za-z0-9-])"
        r"(?:[/?#][^\s<>\"'\u3000-\u303f\uff01-\uff5e]*)?)")


def find_links(text: str) -> Iterator[tuple[int, str]]:
    """Every URL, bare domain and e-mail address in ``text``, with its offset."""
    if "." not in text:
        return
    for match in _link_re().finditer(text):
        link = match.group().rstrip(_TRAILING)
        if link:
            yield match.start(), link


def outside_links(text: str, policy: LinkPolicy) -> list[tuple[int, str]]:
    """The links in ``text`` that ``policy`` does not allow, with their offsets."""
    return [(offset, link) for offset, link in find_links(text) if not policy.allows(link)]


# --- asking for a secret ----------------------------------------------------------------

# A request verb, then within a few words a secret; negations in the same sentence
# ("we will never ask for your recovery phrase") make it a warning to customers instead.
SECRET_TERMS = r"(?:recovery|seed|secret|mnemonic|backup)\s+(?:phrase|words)|private\s+keys?|助记词|私钥|恢复短语|" \
               r"frases?\s+(?:de\s+recuperación|semilla|secreta)|claves?\s+privadas?|" \
               r"сид-?\s?фраз\w*|фраз\w*\s+восстановления|секретн\w*\s+фраз\w*|мнемони\w*|приватн\w*\s+ключ\w*|" \
               r"закрыт\w*\s+ключ\w*|phrases?\s+(?:de\s+récupération|secrète|mnémonique)|clés?\s+privées?"
REQUEST_VERBS = {
    "en": r"\b(?:send|share|give|tell|provide|forward|dm|email|reply\s+with|paste\s+(?:it\s+)?here|let\s+us\s+have)\b",
    "zh": r"发送|发给|发我|提供|告诉|告知|分享|私信|回复|截图",
    "es": r"\b(?:env[ií]a\w*|comp[aá]rt\w*|proporcion\w*|facilit\w*|d[ií]nos|d[ií]ganos|indíc\w*|mánd\w*|pás\w*)\b",
    "ru": r"\b(?:отправ\w*|пришл\w*|присыла\w*|сообщ\w*|назов\w*|подел\w*|предостав\w*|скин\w*|вышл\w*|напиш\w*|продиктуй\w*)\b",
    "fr": r"\b(?:envoy\w*|envoi\w*|communiqu\w*|partag\w*|donn\w*|indiqu\w*|transmet\w*|fourni\w*|écrive\w*)\b",
}
NEGATIONS = {
    "en": r"\b(?:never|not|don't|do not|no one|nobody|won't|will not|cannot|can't|anyone)\b",
    "zh": r"不要|切勿|请勿|绝不|不会|永远不|别|勿|任何人|不能",
    "es": r"\b(?:nunca|jam[aá]s|no|nadie|ning[uú]n\w*)\b",
    "ru": r"\b(?:никогда|не|ни|нельзя|никому|никто)\b",
    "fr": r"\b(?:jamais|ne|n'|pas|personne|aucun\w*)\b|\bn[’']",
}
_SECRET_FIRST = "rsmbp助私恢fcсфмпз"
"""Every alternative of ``SECRET_TERMS`` starts with one of these (case-insensitively): a look-ahead
on them lets the scan skip most positions without trying each alternative (3x faster, same matches)."""


@functools.lru_cache(maxsize=1)
def secret_term_re() -> re.Pattern[str]:
    """Finds a secret's name (recovery phrase, private key, 助记词...) in any of the five languages."""
    return re.compile(f"(?=[{_SECRET_FIRST}])(?:{SECRET_TERMS})", re.IGNORECASE)


@functools.lru_cache(maxsize=1)
def _sentence_re() -> re.Pattern[str]:
    return re.compile(r"[^.!?。！？\n]+[.!?。！？]*")


@functools.lru_cache(maxsize=8)
def _language_res(language: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    return (re.compile(REQUEST_VERBS.get(language, REQUEST_VERBS["en"]), re.IGNORECASE),
            re.compile(NEGATIONS.get(language, NEGATIONS["en"]), re.IGNORECASE))


def secret_requests(text: str, locale: str) -> Iterator[tuple[int, str]]:
    """Sentences of ``text`` that ask for a recovery phrase or private key (not ones warning never to share it)."""
    secret = secret_term_re()
    # A secret term in a sentence is one in the whole text: most texts need no sentence walk.
    if not secret.search(text):
        return
    verbs, negation = _language_res(language_of(locale))
    for sentence in _sentence_re().finditer(text):
        words = sentence.group()
        if secret.search(words) and verbs.search(words) and not negation.search(words):
            yield sentence.start(), words.strip()


@functools.lru_cache(maxsize=256)
def first_problem(text: str, locale: str, policy: LinkPolicy) -> tuple[str, str] | None:
    """The first thing a reply must not say: ``("link", address)`` or ``("secret", sentence)``; None when safe.

    Remembered: a batch renders the same few replies again and again.
    """
    for _offset, link in outside_links(text, policy):
        return "link", link
    for _offset, sentence in secret_requests(text, locale):
        return "secret", sentence
    return None
