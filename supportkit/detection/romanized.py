"""Russian written in Latin letters ("zabyl parol ot koshelka"): the spellings folded to one skeleton.

Customers without a Russian keyboard transliterate by ear, and not all the same way:
я is "ya", "ja" or "ia", х is "h", "kh" or "x", ш is "sh" or "w", щ "sch", "shch" or
"sh", ц "ts", "tc" or "c", ч "ch" or "4", ж "zh", й "y", "j" or "i", ы "y" or "i", the
soft sign "'" or nothing. Instead of listing every spelling of every word, both sides
are folded to a *skeleton* in which the variants of one letter coincide:

    skeleton("vosstanovit'") == skeleton("vosstanovit") == "vosstanovit"
    skeleton("zdravstvuyte") == skeleton("zdravstvujte") == "zdravstvuite"
    skeleton("pomoshch") == skeleton("pomosch") == skeleton("pomow") == "pomow"

The model's pseudo-language ``ru-Latn`` (see ``model``) is built from wordfreq's Russian
list: each frequent Russian word is written in Latin letters (``latin_forms``), folded,
and kept with its frequency as a lexicon; a character trigram chain is counted over the
same skeletons. At detection time a Latin word is folded once and scored against both.
The folding is lossy on purpose (и/й/ы all become "i", ш/щ both "w"): it only ever runs
on the romanized-Russian side, where merging spellings is what we want.
"""

from __future__ import annotations

ROMANIZED = "ru-Latn"
"""The pseudo-language code the Latin scorer uses for Russian in Latin letters."""

# Applied in this order (longest spellings first), each to the whole word.
_FOLDS: tuple[tuple[str, str], ...] = (
    ("'", ""), ("’", ""), ("`", ""),  # the soft sign first: "t'sya" and "tsya" (-ться) fold alike
    ("shch", "w"), ("sch", "w"), ("shh", "w"), ("sh", "w"),
    ("zh", "Z"), ("ch", "C"), ("kh", "H"), ("ts", "c"), ("tc", "c"),
    ("h", "H"), ("x", "H"), ("j", "i"), ("y", "i"),
    # Digits some customers type for letters with no single Latin twin (ч ш з).
    ("4", "C"), ("6", "w"), ("3", "z"),
)


def skeleton(word: str) -> str:
    """The folded form of a lower-case Latin word (variants of one Cyrillic letter coincide)."""
    for spelling, folded in _FOLDS:
        if spelling in word:
            word = word.replace(spelling, folded)
    # ый, ий, ия -> "yi", "ij", "iy", "iya" ...: a run of i-like letters is one sound slot.
    while "ii" in word:
        word = word.replace("ii", "i")
    return word


_LETTERS: dict[str, tuple[str, ...]] = {
    "а": ("a",), "б": ("b",), "в": ("v",), "г": ("g",), "д": ("d",), "е": ("e",), "ё": ("e", "yo"),
    "ж": ("zh",), "з": ("z",), "и": ("i",), "й": ("y",), "к": ("k",), "л": ("l",), "м": ("m",),
    "н": ("n",), "о": ("o",), "п": ("p",), "р": ("r",), "с": ("s",), "т": ("t",), "у": ("u",),
    "ф": ("f",), "х": ("h",), "ц": ("ts",), "ч": ("ch",), "ш": ("sh",), "щ": ("sch",), "ъ": ("",),
    "ы": ("y",), "ь": ("",), "э": ("e",), "ю": ("yu", "u"), "я": ("ya",),
}
"""One spelling per letter where the skeleton merges the usual variants; two where it cannot."""
_VOWELS = frozenset("аеёиоуыэюя")
MAX_FORMS = 4
"""Latin forms kept per Russian word (the product of the two-way letters, first ones first)."""


def latin_forms(word: str) -> list[str]:
    """Skeletons of the usual Latin spellings of a lower-case Cyrillic word ([] if it has other letters)."""
    forms = [""]
    previous = ""
    for ch in word:
        options = _LETTERS.get(ch)
        if options is None:
            return []
        if ch == "е" and (not previous or previous in _VOWELS or previous in "ъь"):
            options = ("e", "ye")  # "yesli" / "esli", "moye" / "moe"
        forms = [f + o for f in forms for o in options][:MAX_FORMS]
        previous = ch
    return sorted({skeleton(f) for f in forms if f})


def padded_grams(word: str) -> list[str]:
    """The 1-3 character grams of `` word `` (as langdetect counts them), spaces alone excluded."""
    padded = " " + word + " "
    grams = []
    for n in (1, 2, 3):
        for i in range(len(padded) - n + 1):
            gram = padded[i : i + n]
            if gram.strip():
                grams.append(gram)
    return grams
