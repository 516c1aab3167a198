"""What every check works with: a finding, a rule and its registry, and the parsed view of one template.

Rule modules (``code``, ``prose``, ``catalogs``) import this one and register their rules on import;
``supportkit.writers.checks`` runs them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from supportkit.config import Config
from supportkit.errors import Message
from supportkit.library import Template, Translation
from supportkit.library.sources import SourceStore
from supportkit.rendering.analysis import JINJA_RE

SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class Finding:
    """One fault found by a rule, with where it is and how bad it is."""

    path: str
    line: int
    locale: str
    template: str
    check: str
    severity: str
    message: str
    detail: str = ""
    """Extra lines shown under the finding (the source diff of a stale translation)."""
    said: Message | None = field(default=None, compare=False)
    """The message as a msgid and params, when the rule made it so: ``shown`` in the user's language
    (``message`` stays English, for ``--json``, GitHub annotations and the allowlist)."""

    @classmethod
    def of(cls, path: str, line: int, locale: str, template: str, check: str, severity: str, said: Message,
           detail: str = "") -> Finding:
        """A finding whose message is ``said`` (English in ``message``, the user's language when shown)."""
        return cls(path, line, locale, template, check, severity, str(said), detail, said)

    @property
    def shown(self) -> str:
        """The message in the user's language."""
        return self.said.shown() if self.said is not None else self.message

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.locale or '-'}: {self.template or '-'}: {self.check}: {self.shown}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["said"]
        if not self.detail:
            del data["detail"]
        return data


@dataclass(frozen=True)
class Rule:
    """A registered lint rule."""

    id: str
    severity: str
    summary: str
    func: Callable[..., Iterable[Finding]]
    scope: str = "template"


RULES: list[Rule] = []
"""Every template rule, in the order findings are reported (catalog rules live in ``catalogs``)."""

LOADING_CHECKS = {
    "yaml": "the file is not valid YAML (or not UTF-8, or uses anchors/aliases)",
    "schema": "a key, value or locale entry does not follow the template format",
    "source_recorded": "a translation does not record the source digest it was made from",
    "duplicate_id": "two files declare the same template id",
}
"""Findings reported while loading files; they can be switched off like any rule."""


def rule(rule_id: str, severity: str, summary: str) -> Callable[[Callable[..., Iterable[Finding]]], Callable[..., Iterable[Finding]]]:
    """Register a template rule under a stable id."""

    def register(func: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
        RULES.append(Rule(rule_id, severity, summary, func))
        return func

    return register


# --- the parsed view a rule works on -------------------------------------------------

# Private-use characters stand in for code so text rules see prose only, while
# offsets (and so line numbers) stay the same as in the file.
TAG_MARK = "\ue000"
"""Replaces ``{% ... %}`` and ``{# ... #}``: renders as nothing."""
VALUE_MARK = "\ue001"
"""Replaces ``{{ ... }}``, URLs, e-mails, addresses: renders as a word."""

URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"'\u3000-\u303f\uff01-\uff5e]+[^\s<>\"'.,;:!?)\]}\u3000-\u303f\uff01-\uff5e]")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def mask_code(text: str) -> str:
    """``text`` with Jinja code, URLs and e-mails replaced by same-length marks."""

    def repl(match: re.Match[str]) -> str:
        piece = match.group()
        mark = VALUE_MARK if piece.startswith("{{") else TAG_MARK
        if "\n" not in piece:
            return mark * len(piece)
        # Keep newlines so line numbers stay right.
        return "\n".join(mark * len(line) for line in piece.split("\n"))

    masked = JINJA_RE.sub(repl, text)
    for pattern in (URL_RE, EMAIL_RE):
        masked = pattern.sub(lambda m: VALUE_MARK * len(m.group()), masked)
    return masked


@dataclass
class Piece:
    """One field (subject or body) of one locale, parsed once for every rule."""

    locale: str
    field: str
    text: str
    line: int
    masked: str = ""
    ast: Any = None
    syntax_error: Any = None

    def line_at(self, offset: int) -> int:
        """File line of character ``offset`` of the text (block scalars keep their lines)."""
        return self.line + self.text.count("\n", 0, max(0, offset))


@dataclass
class TemplateView:
    """A template with its pieces parsed, shared by every rule."""

    template: Template
    config: Config
    store: SourceStore | None
    pieces: dict[tuple[str, str], Piece] = field(default_factory=dict)
    rendered: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    """Renderings (or the error) per locale, field and values, shared by the rules that render."""
    contexts: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict)
    """Rendering contexts per locale and values: a locale's subject and body share one."""
    renderable: bool | None = None
    """Whether every text parses with allowed filters, so rendering rules may render (worked out once)."""

    @property
    def path(self) -> str:
        return str(self.template.path)

    def finding(self, rule_id: str, line: int, locale: str, message: Message, severity: str | None = None,
                detail: str = "") -> Finding:
        """A finding of ``rule_id`` on this template (severity defaults to the rule's); ``message`` is a msgid
        and its params, shown in the user's language (English in ``Finding.message``)."""
        return Finding.of(self.path, line, locale, self.template.id, rule_id, severity or _severity_of(rule_id),
                          message, detail)

    def piece(self, locale: str, name: str) -> Piece | None:
        return self.pieces.get((locale, name))

    def locale_pieces(self, locale: str) -> list[Piece]:
        return [p for p in (self.piece(locale, "subject"), self.piece(locale, "body")) if p is not None]

    def all_pieces(self) -> Iterator[Piece]:
        yield from self.pieces.values()

    def translations(self) -> Iterator[Translation]:
        """Every locale but the source."""
        for code, translation in self.template.locales.items():
            if code != self.template.source_locale:
                yield translation

    @functools.cached_property
    def raw_lines(self) -> list[str]:
        try:
            return self.template.path.read_text(encoding="utf-8-sig").splitlines()
        except OSError:
            return []

    def key_line(self, section: str, locale: str) -> int:
        """Line of ``locale:`` under the top-level ``section:`` (faq, examples)."""
        start = self.template.lines.get(section)
        if start is None:
            return 1
        pattern = re.compile(rf"^\s+['\"]?{re.escape(locale)}['\"]?\s*:")
        for number in range(start, len(self.raw_lines)):
            line = self.raw_lines[number]
            if line and not line[0].isspace() and not line.startswith("#"):
                break
            if pattern.match(line):
                return number + 1
        return start


def _severity_of(rule_id: str) -> str:
    for registered in RULES:
        if registered.id == rule_id:
            return registered.severity
    return "error"


def view_of(template: Template, config: Config, store: SourceStore | None = None) -> TemplateView:
    """Parse every subject and body of ``template`` once in the runtime sandbox."""
    from jinja2 import TemplateSyntaxError

    from supportkit.rendering import parse_source

    view = TemplateView(template, config, store)
    for code, translation in template.locales.items():
        for name, text, line in (("subject", translation.subject, translation.subject_line),
                                 ("body", translation.body, translation.body_line)):
            if name == "subject" and not text:
                continue
            piece = Piece(code, name, text, line, mask_code(text))
            try:
                piece.ast = parse_source(text)
            except TemplateSyntaxError as exc:
                piece.syntax_error = exc
            view.pieces[(code, name)] = piece
    return view
