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

import itertools
import re
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from supportkit.guard.notices import KINDS, all_markers, redaction_marker, safety_notice
from supportkit.guard.scam import SIGNALS
from supportkit.text import replace_spans

if TYPE_CHECKING:
    from supportkit.guard.view import View
    from supportkit.text import Normalized

__all__ = ["KINDS", "SIGNALS", "STREAM_WINDOW", "SecretFinding", "GuardResult", "GuardedMessage", "all_markers",
           "guard_lines", "guard_message", "guard_text",
           "redaction_marker", "safety_notice", "scan", "scan_conversation", "scan_stream"]

STREAM_WINDOW = 24
"""Lines ``scan_stream`` looks ahead (and back): a 24-word phrase pasted one word per line."""

# Keystore first: a keystore's 64-hex ciphertext is part of it, not a key of its own.
_PRIORITY = {"keystore": 0, "recovery_phrase": 1, "wif": 2, "private_key": 3}
_MARKER_RE = re.compile("|".join(re.escape(m) for m in all_markers()))


@dataclass(frozen=True)
class SecretFinding:
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
    findings: list[SecretFinding] = field(default_factory=list)
    scam_signals: list[str] = field(default_factory=list)
    scam_engaged: bool = False
    """The customer acted on a scam or lost funds (connected, signed, typed, "drained" ...)."""

    @property
    def secret_found(self) -> bool:
        """A secret was pasted: a finding of high or medium confidence."""
        return bool(self.findings) and any(f.confidence != "low" for f in self.findings)  # most have none

    @property
    def precaution(self) -> bool:
        """Something was removed only as a precaution: a bare 64-hex or base58 string with no word
        around it that says key or payment (a key export, or just as likely a transaction hash).
        It is redacted everywhere, but the customer is not told their wallet is exposed."""
        return bool(self.findings) and not self.secret_found

    @property
    def urgent(self) -> bool:
        """A secret exposed, or a scam the customer acted on (a scam only reported is not an emergency)."""
        return self.secret_found or bool(self.scam_signals and self.scam_engaged)

    def to_dict(self) -> dict[str, Any]:
        """Stable JSON shape for ``supportkit guard --json``."""
        return {"secret_found": self.secret_found, "precaution": self.precaution, "urgent": self.urgent,
                "findings": [f.to_dict() for f in self.findings], "scam_signals": list(self.scam_signals),
                "redacted": self.redacted}


def scan(text: str) -> GuardResult:
    """Find and redact every secret in ``text`` (canonical English markers), and its scam signals.

    The scanners read the text as a person would (``view``: markup, entities, labels, invisible
    characters and look-alike letters undone); every finding is mapped back, so offsets are
    into ``text`` exactly as given and the redaction takes the whole secret with what hid it.
    """
    if not isinstance(text, str):
        raise TypeError("scan() takes str")
    return _scan(text, sentences=True)


def _scan(text: str, sentences: bool) -> GuardResult:
    from supportkit.guard.view import reader_views

    views = reader_views(text)
    found: list[SecretFinding] = []
    for view in views:
        found.extend(_scan_view(view))
    # A partial phrase found (no checksum): its other words may stand in another sentence.
    if sentences and any(f.kind == "recovery_phrase" and not f.checksum for f in found):
        found.extend(_sentence_pieces(text))
    findings = _merge(found)
    signals, engaged = _scam(views[0].text)
    return GuardResult(_redact(text, findings), findings, signals, engaged)


MAX_SENTENCE_PIECES_TEXT = 2_000
"""Longest message whose sentences are read as pieces of one phrase (chat-sized messages)."""
_SENTENCE_END_RE = re.compile(r"(?<=[.!?;。！？；])\s+|\n+")


def _sentence_pieces(text: str) -> list[SecretFinding]:
    """A phrase split by a sentence inside one message ("Mi frase: w1 … w6. Perdón, faltan estas:
    w7 … w12"), once part of it was found: its sentences are read as the pieces of a conversation."""
    from supportkit.guard.phrases import could_hold_phrase

    if len(text) > MAX_SENTENCE_PIECES_TEXT or not could_hold_phrase(text):
        return []
    starts = [0] + [m.end() for m in _SENTENCE_END_RE.finditer(text)]
    if len(starts) < 2:
        return []
    sentences = [text[a:b] for a, b in itertools.pairwise([*starts, len(text)])]
    # Only a whole phrase (a valid BIP39 checksum over the pieces): lists of items on their own
    # lines ("- passport", "- house deed") are sentences of list words too. Chinese sentences
    # are all Han characters, pieces or not: they are left to the Chinese scan.
    return [replace(f, start=f.start + starts[i], end=f.end + starts[i])
            for i, f in _split_phrases(sentences, ("latin",)) if f.checksum]


def _scan_view(view: View) -> list[SecretFinding]:
    """The findings in one reading of the text, with offsets into the original."""
    from supportkit.guard.keys import find_keys, find_keystores
    from supportkit.guard.phrases import find_phrases
    from supportkit.guard.view import word_view

    text = view.text
    found: list[SecretFinding] = []
    for hit in find_keystores(text):
        found.append(SecretFinding("keystore", hit.start, hit.end, hit.confidence, format=hit.format))
    for hit in find_keys(text):
        found.append(SecretFinding(hit.kind, hit.start, hit.end, hit.confidence, checksum=hit.checksum, format=hit.format))
    words = word_view(view)
    markers = [m.span() for m in _MARKER_RE.finditer(words.text)] if "[" in words.text else []
    phrase_findings = []
    for phrase in find_phrases(words.text, markers):
        confidence = "high" if phrase.checksum or (not phrase.typos and phrase.words >= 12) else "medium"
        phrase_findings.append(SecretFinding("recovery_phrase", phrase.start, phrase.end, confidence, words=phrase.words,
                                       wordlist=phrase.wordlist, checksum=phrase.checksum, typos=phrase.typos))
    mapped = [_mapped(f, view) for f in found] + [_mapped(f, words) for f in phrase_findings]
    return mapped


def _mapped(finding: SecretFinding, view: View) -> SecretFinding:
    from supportkit.guard.view import with_adjacent_tags

    start, end = view.original(finding.start, finding.end)
    if view.parent is not None:
        root = view
        while root.parent is not None:
            root = root.parent
        start, end = with_adjacent_tags(root.text, start, end)
    if (start, end) == (finding.start, finding.end):
        return finding
    return replace(finding, start=start, end=end)


def _scam(text: str) -> tuple[list[str], bool]:
    from supportkit.guard.scam import engaged, scam_signals

    signals = scam_signals(text)
    return signals, bool(signals) and engaged(text)


def scan_conversation(messages: Sequence[str]) -> list[GuardResult]:
    """``scan`` of each message of a conversation, read together with the others.

    A phrase sent over several chat messages ("first six words" ... "the other six") is a
    phrase of the conversation: every part of it is redacted in its own message. The
    *phrase-like* parts of consecutive messages (mostly list words, list words after a short
    label, Han characters; or one run of hex or base58) are read joined, without what is
    around them ("the last ones: ...", "continued ..."), so the words of ordinary messages
    next to a phrase are not taken into it. Each message is also scanned alone.
    """
    if len(messages) <= 1:
        return [scan(message) for message in messages]
    alone = [scan(message) for message in messages]
    extra: list[list[SecretFinding]] = [[] for _ in messages]
    for index, finding in _split_phrases(messages):
        extra[index].append(finding)
    alone = _with_neighbours_words(messages, alone)
    results: list[GuardResult] = []
    for message, result, parts in zip(messages, alone, extra, strict=True):
        parts = [f for f in parts if f.end > f.start]
        if parts:
            findings = _merge([*result.findings, *parts])
            result = replace(result, redacted=_redact(message, findings), findings=findings)
        results.append(result)
    return results


_LETTER_RE = re.compile(r"[^\W\d_]")
NEIGHBOURS = 2
"""Messages on each side whose words count for a key found without any (``_with_neighbours_words``)."""


def _with_neighbours_words(messages: Sequence[str], results: list[GuardResult]) -> list[GuardResult]:
    """A key found with no word around it is a key when a neighbouring message names one
    ("<64 hex>" then "that was my private key")."""
    from supportkit.guard.keys import names_a_key

    out = list(results)
    for index, result in enumerate(results):
        if not result.precaution:
            continue
        around = [*messages[max(0, index - NEIGHBOURS):index], *messages[index + 1:index + 1 + NEIGHBOURS]]
        if any(names_a_key(message) for message in around):
            findings = [replace(f, confidence="medium") if f.confidence == "low" else f for f in result.findings]
            out[index] = replace(result, findings=findings)
    return out


def _split_phrases(messages: Sequence[str], kinds: Sequence[str] = ("latin", "han", "hex", "base58")
                   ) -> list[tuple[int, SecretFinding]]:
    """Findings for the pieces of a phrase or key sent over consecutive messages.

    Each message may hold one piece (``phrases.phrase_like_part``: mostly list words, or Han
    characters; ``keys.key_like_part``: one run of hex or base58). Runs of consecutive
    messages with pieces of one kind are read as one text, the pieces joined; every piece
    that the secret found there covers is redacted in its message.
    """
    from supportkit.guard.keys import joined_key, key_like_part
    from supportkit.guard.phrases import checksummed_spans, phrase_like_part

    found: list[tuple[int, SecretFinding]] = []
    for kind in kinds:
        if kind == "han":
            found.extend(_split_han_phrases(messages))
            continue
        parts: list[tuple[int, int] | None]
        if kind == "latin":
            parts = [w[:2] if (w := phrase_like_part(m)) is not None and not w[2] else None for m in messages]
        else:
            parts = [p[:2] if (p := key_like_part(m)) is not None and p[2] == kind else None for m in messages]
        for chain in _chains(parts):
            joiner = " " if kind == "latin" else ""
            spans = [part for k in chain if (part := parts[k]) is not None]
            pieces = [messages[k][start:end] for k, (start, end) in zip(chain, spans, strict=True)]
            text = joiner.join(pieces)
            secret: SecretFinding | None = None
            covered: list[tuple[int, int]] = []
            if kind in ("hex", "base58"):
                if (key := joined_key(text, kind)) is not None:
                    secret = SecretFinding(key.kind, 0, len(text), key.confidence, checksum=key.checksum, format=key.format)
                    covered = [(0, len(text))]
            else:
                phrases = [f for f in _scan(text, sentences=False).findings if f.kind == "recovery_phrase"]
                secret = phrases[0] if phrases else None
                covered = [(f.start, f.end) for f in phrases]
                # A whole phrase (valid checksum) marks only the pieces it is made of, not a
                # list word that ends the message before it ("hi, are you there?").
                if secret is not None and secret.checksum and secret.wordlist and kind == "latin":
                    offsets = [0, *itertools.accumulate(len(p) + 1 for p in pieces)]
                    starts, ends = set(offsets[:-1]), {o - 1 for o in offsets[1:]}
                    # Pieces that are the whole message ("faith,") are surer than list words
                    # after other words ("could you look into this today").
                    impure = [o for o, k, span in zip(offsets, chain, spans, strict=False)
                              if _LETTER_RE.search(messages[k][:span[0]]) or _LETTER_RE.search(messages[k][span[1]:])]
                    cores = checksummed_spans(text, secret.wordlist)
                    # The phrase begins and ends where pieces do; a run that passes the checksum
                    # by chance (one in 16 for 12 words) seldom does that and holds no impure piece.
                    aligned = [c for c in cores if c[0] in starts and c[1] in ends]
                    aligned.sort(key=lambda c: (sum(c[0] <= o < c[1] for o in impure), -(c[1] - c[0])))
                    one = [c for c in cores if c[1] in ends]
                    covered = aligned[:1] or one[:1] or cores[:1] or covered
            if secret is None:
                continue
            position = 0
            for k, (start, end), piece in zip(chain, spans, pieces, strict=True):
                if any(a < position + len(piece) and b > position for a, b in covered):
                    found.append((k, replace(secret, start=start, end=end)))
                position += len(piece) + len(joiner)
    return found


def _split_han_phrases(messages: Sequence[str]) -> list[tuple[int, SecretFinding]]:
    """``_split_phrases`` for Chinese: the Han characters that end consecutive messages, after their
    labels ("后面是", "el resto:", "我的助记词是："), read as one block (``hanzi.find_across``)."""
    from supportkit.guard import hanzi

    parts = [hanzi.phrase_part(m) for m in messages]
    found: list[tuple[int, SecretFinding]] = []
    for chain in _chains([part[:2] if part is not None else None for part in parts]):
        spans = [part for k in chain if (part := parts[k]) is not None]
        pieces = [messages[k][start:end] for k, (start, end, _cued) in zip(chain, spans, strict=True)]
        hits = hanzi.find_across(pieces, [cued for _start, _end, cued in spans])
        if not hits:
            continue
        hit = next((h for h in hits if h.checksum), hits[0])
        confidence = "high" if hit.checksum or (not hit.typos and hit.words >= 12) else "medium"
        secret = SecretFinding("recovery_phrase", 0, 0, confidence, words=hit.words, wordlist=hit.wordlist,
                               checksum=hit.checksum, typos=hit.typos)
        # Each message loses what of the phrase it holds, and only that: the pieces are the messages'
        # own text, so offsets in the joined text are offsets in them.
        position = 0
        for k, (start, _end, _cued), piece in zip(chain, spans, pieces, strict=True):
            for h in hits:
                low, high = max(h.start, position), min(h.end, position + len(piece))
                if low < high:
                    found.append((k, replace(secret, start=start + low - position, end=start + high - position)))
            position += len(piece) + 1
    return found


def _chains(parts: list[tuple[int, int] | None]) -> list[list[int]]:
    """Runs of two or more consecutive indexes whose part is not None."""
    chains: list[list[int]] = []
    current: list[int] = []
    for index, part in enumerate([*parts, None]):
        if part is not None:
            current.append(index)
            continue
        if len(current) >= 2:
            chains.append(current)
        current = []
    return chains


def scan_stream(lines: Iterable[str], window: int = STREAM_WINDOW) -> Iterator[GuardResult]:
    """``scan`` of each line of a stream, in order, each read with up to ``window`` lines around it.

    A phrase pasted one word per line, where each line is its own message, is found: every
    line is guarded together with the ``window`` lines before and after it. Still a stream:
    memory is bounded, and a line's result comes out once ``window`` more lines have been read
    (or the input ended).
    """
    history: deque[str] = deque(maxlen=window)
    pending: list[str] = []
    for line in lines:
        pending.append(line)
        if len(pending) >= 2 * window:
            results = scan_conversation([*history, *pending])
            yield from results[len(history):len(history) + window]
            history.extend(pending[:window])
            pending = pending[window:]
    if pending:
        yield from scan_conversation([*history, *pending])[len(history):]


def guard_lines(lines: Iterable[str]) -> Iterator[tuple[str, GuardResult]]:
    """``(line, result)`` for each line of a stream, each line one message: normalized, and guarded
    with its neighbours (``scan_stream``), so a phrase pasted one word per line is found."""
    from supportkit.errors import N_, InputError
    from supportkit.text import MAX_INPUT_CHARS, normalize

    read: deque[str] = deque()
    failure: list[Exception] = []

    def normalized() -> Iterator[str]:
        # A line that cannot be read ends the stream after the lines before it are out: nothing
        # already read is lost to the look-ahead.
        try:
            for number, line in enumerate(lines, 1):
                if len(line) > MAX_INPUT_CHARS:
                    raise InputError(N_("line {number} is too long ({size:,} characters; the limit is {limit:,})"),
                                     None, N_("Split it, or use the batch command."),
                                     number=number, size=len(line), limit=MAX_INPUT_CHARS)
                text = normalize(line, limit=max(len(line), 1)).text
                read.append(text)
                yield text
        except Exception as exc:  # noqa: BLE001 - raised again below, once the lines read are out
            failure.append(exc)

    for result in scan_stream(normalized()):
        yield read.popleft(), result
    if failure:
        raise failure[0]


def _merge(found: list[SecretFinding]) -> list[SecretFinding]:
    """Overlapping findings become one, of the kind that matters most (the outer keystore, then a phrase)."""
    merged: list[SecretFinding] = []
    for finding in sorted(found, key=lambda f: (f.start, -f.end, _PRIORITY[f.kind])):
        if merged and finding.start < merged[-1].end:
            last = merged[-1]
            keep = last if _PRIORITY[last.kind] <= _PRIORITY[finding.kind] else finding
            merged[-1] = replace(keep, start=last.start, end=max(last.end, finding.end))
        else:
            merged.append(finding)
    return merged


def _redact(text: str, findings: list[SecretFinding]) -> str:
    return replace_spans(text, findings, lambda _index, finding: redaction_marker(finding.kind))


def guard_text(text: str) -> GuardResult:
    """``scan`` after the pipeline's normalization (NFC, invisible characters out), never cutting the text."""
    return guard_message(text).guarded


@dataclass(frozen=True)
class GuardedMessage:
    """A customer message as every later step may see it: normalized, guarded, then cut."""

    normalized: Normalized
    """The whole message, normalized (``truncated`` says whether ``text`` was cut)."""
    guarded: GuardResult
    """The guard's result on the whole message (with its conversation, when one was given)."""
    text: str
    """The redacted message, cut to ``MAX_MESSAGE_CHARS``: the only form later steps see."""


def guard_message(text: str, previous: Sequence[str] = (), guarded: GuardResult | None = None,
                  following: Sequence[str] = ()) -> GuardedMessage:
    """The pipeline's first step for customer text: refuse it over the hard limit, normalize it,
    guard all of it (read with the ``previous`` and ``following`` messages of its conversation), then cut
    it to the processing limit, so no part of a secret is ever cut off unguarded and echoed.

    ``guarded``: a result already computed for this text with its neighbours (``scan_stream``).
    Raises InputError over ``MAX_INPUT_CHARS``; the error never quotes the text.
    """
    from supportkit.errors import N_, InputError
    from supportkit.text import MAX_INPUT_CHARS, MAX_MESSAGE_CHARS, normalize

    if len(text) > MAX_INPUT_CHARS:
        raise InputError(N_("the message is too long ({size:,} characters; the limit is {limit:,})"),
                         None, N_("Send the part the customer needs answered."), size=len(text), limit=MAX_INPUT_CHARS)
    whole = normalize(text, limit=max(len(text), 1))
    if guarded is None:
        if previous or following:
            before = [normalize(m, limit=max(len(m), 1)).text for m in previous[-STREAM_WINDOW:]]
            after = [normalize(m, limit=max(len(m), 1)).text for m in following[:STREAM_WINDOW]]
            guarded = scan_conversation([*before, whole.text, *after])[len(before)]
        else:
            guarded = scan(whole.text)
    safe = guarded.redacted
    truncated = len(safe) > MAX_MESSAGE_CHARS
    normalized = whole if whole.truncated == truncated else replace(whole, truncated=truncated)
    return GuardedMessage(normalized, guarded, safe[:MAX_MESSAGE_CHARS] if truncated else safe)
