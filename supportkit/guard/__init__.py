"""The guard: secrets out before anything else sees the text; scam signals raise urgency.

``scan(text)`` finds recovery phrases (``phrases``, ``hanzi``), private keys, WIF and
extended keys, and keystore JSON (``keys``), replaces each with a bracketed marker
(``notices``) and names the scam signals (``scam``). It never raises on a str, gives the
same answer every run, is idempotent (scanning the redacted text finds nothing new),
and its findings never hold the secret: only kind, offsets and shape.

Markers written by an earlier scan are skipped, and detection and matching ignore them
(``supportkit.text`` finds them as protected ``redaction`` spans).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from supportkit.guard.notices import KINDS, all_markers, redaction_marker, safety_notice
from supportkit.guard.scam import SIGNALS
from supportkit.text import replace_spans

__all__ = ["KINDS", "SIGNALS", "Finding", "GuardResult", "all_markers", "guard_text", "redaction_marker", "safety_notice",
           "scan"]

# Keystore first: a keystore's 64-hex ciphertext is part of it, not a key of its own.
_PRIORITY = {"keystore": 0, "recovery_phrase": 1, "wif": 2, "private_key": 3}
_MARKER_RE = re.compile("|".join(re.escape(m) for m in all_markers()))


@dataclass(frozen=True)
class Finding:
    """One secret: where it was and what it looked like, never what it was."""

    kind: str
    start: int
    end: int
    confidence: str
    words: int | None = None
    wordlist: str | None = None
    checksum: bool | None = None
    typos: int | None = None
    format: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Stable JSON shape; holds no part of the secret."""
        return {"kind": self.kind, "start": self.start, "end": self.end, "length": self.end - self.start,
                "confidence": self.confidence, "words": self.words, "wordlist": self.wordlist,
                "checksum": self.checksum, "typos": self.typos, "format": self.format}


@dataclass(frozen=True)
class GuardResult:
    """The text with every secret replaced by a marker, what was found, and the scam signals."""

    redacted: str
    findings: list[Finding] = field(default_factory=list)
    scam_signals: list[str] = field(default_factory=list)
    scam_engaged: bool = False
    """The customer acted on a scam or lost funds (connected, signed, typed, "drained" ...)."""

    @property
    def secret_found(self) -> bool:
        return bool(self.findings)

    @property
    def urgent(self) -> bool:
        """A secret exposed, or a scam the customer acted on (a scam only reported is not an emergency)."""
        return bool(self.findings) or bool(self.scam_signals and self.scam_engaged)

    def to_dict(self) -> dict[str, Any]:
        """Stable JSON shape for ``supportkit guard --json``."""
        return {"secret_found": self.secret_found, "urgent": self.urgent,
                "findings": [f.to_dict() for f in self.findings], "scam_signals": list(self.scam_signals),
                "redacted": self.redacted}


def scan(text: str) -> GuardResult:
    """Find and redact every secret in ``text`` (canonical English markers), and its scam signals."""
    from supportkit.guard.keys import find_keys, find_keystores
    from supportkit.guard.phrases import find_phrases
    from supportkit.guard.scam import engaged, scam_signals

    if not isinstance(text, str):
        raise TypeError("scan() takes str")
    markers = [m.span() for m in _MARKER_RE.finditer(text)] if "[" in text else []
    found: list[Finding] = []
    for hit in find_keystores(text):
        found.append(Finding("keystore", hit.start, hit.end, hit.confidence, format=hit.format))
    for hit in find_keys(text):
        found.append(Finding(hit.kind, hit.start, hit.end, hit.confidence, checksum=hit.checksum, format=hit.format))
    secret_spans = markers + [(f.start, f.end) for f in found]
    for phrase in find_phrases(text, secret_spans):
        confidence = "high" if phrase.checksum or (not phrase.typos and phrase.words >= 12) else "medium"
        found.append(Finding("recovery_phrase", phrase.start, phrase.end, confidence, words=phrase.words,
                             wordlist=phrase.wordlist, checksum=phrase.checksum, typos=phrase.typos))
    findings = _merge(found)
    signals = scam_signals(text)
    return GuardResult(_redact(text, findings), findings, signals, bool(signals) and engaged(text))


def _merge(found: list[Finding]) -> list[Finding]:
    """Overlapping findings become one, of the kind that matters most (the outer keystore, then a phrase)."""
    merged: list[Finding] = []
    for finding in sorted(found, key=lambda f: (f.start, -f.end, _PRIORITY[f.kind])):
        if merged and finding.start < merged[-1].end:
            last = merged[-1]
            keep = last if _PRIORITY[last.kind] <= _PRIORITY[finding.kind] else finding
            merged[-1] = Finding(**{**keep.__dict__, "start": last.start, "end": max(last.end, finding.end)})
        else:
            merged.append(finding)
    return merged


def _redact(text: str, findings: list[Finding]) -> str:
    return replace_spans(text, findings, lambda _index, finding: redaction_marker(finding.kind))


def guard_text(text: str) -> GuardResult:
    """``scan`` after the pipeline's normalization (NFC, invisible characters out), never cutting the text."""
    from supportkit.text import normalize

    return scan(normalize(text, limit=max(len(text), 1)).text)
