"""What the templates miss: messages no template answered well, grouped by similarity.

The messages are those labelled ``other`` or needing review (a stable sample of ``SAMPLE`` when
there are more). Each is reduced to its set of character 3-grams (``shingles``: lowercased,
digits folded, the guard's markers kept as they are), which works alike for the five languages,
Chinese included, and needs no model. A message joins the first group whose first message shares
at least ``SIMILARITY`` of their 3-grams (Jaccard), found through an index of 3-grams to groups,
else starts a group. Groups of fewer than ``privacy.MIN_GROUP`` tickets are not shown.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from supportkit.report.privacy import MIN_GROUP

SAMPLE = 3_000
"""Messages grouped at most (the groups of a larger export are those of a stable sample)."""
SIMILARITY = 0.4
MAX_CLUSTERS = 20
SHINGLE = 3
CANDIDATES = 5
_DIGITS = re.compile(r"\d")


def shingles(text: str) -> frozenset[str]:
    """The character 3-grams of ``text``, lowercased, spaces collapsed, digits folded to 0."""
    folded = " ".join(_DIGITS.sub("0", text.lower()).split())
    if len(folded) <= SHINGLE:
        return frozenset({folded}) if folded else frozenset()
    return frozenset(folded[i:i + SHINGLE] for i in range(len(folded) - SHINGLE + 1))


@dataclass
class Cluster:
    leader: frozenset[str]
    members: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(ticket, language, intent or needs_review, text)"""

    def to_dict(self) -> dict[str, object]:
        languages = Counter(language for _, language, _, _ in self.members)
        kinds = Counter(kind for _, _, kind, _ in self.members)
        return {"size": len(self.members), "languages": dict(sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))),
                "intent": "other" if kinds["other"] * 2 >= len(self.members) else "needs_review", "examples": []}

    @property
    def tickets(self) -> int:
        return len({ticket for ticket, _, _, _ in self.members})


def cluster_messages(messages: Iterable[tuple[str, str, str, str]]) -> list[Cluster]:
    """Groups of similar messages, largest first; only those of at least ``MIN_GROUP`` tickets."""
    clusters: list[Cluster] = []
    index: dict[str, list[int]] = {}
    seen: dict[str, int] = {}
    """Text -> its group: the same message again (a greeting, a copied question) is not compared again."""
    for message in messages:
        if message[3] in seen:
            clusters[seen[message[3]]].members.append(message)
            continue
        grams = shingles(message[3])
        if not grams:
            continue
        shared: Counter[int] = Counter()
        for gram in grams:
            for number in index.get(gram, ()):
                shared[number] += 1
        home, best = None, SIMILARITY
        # The groups sharing the most 3-grams are the candidates (a few: the rest share fewer).
        for number, overlap in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:CANDIDATES]:
            similarity = overlap / (len(grams) + len(clusters[number].leader) - overlap)
            if similarity >= best:
                home, best = number, similarity
        if home is None:
            home = len(clusters)
            clusters.append(Cluster(grams))
            for gram in grams:
                index.setdefault(gram, []).append(home)
        clusters[home].members.append(message)
        seen[message[3]] = home
    shown = [c for c in clusters if c.tickets >= MIN_GROUP]
    shown.sort(key=lambda c: (-len(c.members), min(m[3] for m in c.members)))
    return shown[:MAX_CLUSTERS]
