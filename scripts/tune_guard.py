"""How the guard's phrase constants were chosen: generated phrases against ordinary text.

Never reads the dev messages (scripts/bench_guard.py measures on those). Two corpora
of ordinary text: the language-ID test set's sentences (../shared/data/langid, 13
languages, when present) and our own help-desk sentences (tests/data/guard).

1. Longest run of list words in ordinary text, per word list (why 12 words with at most
   one stranger is safe for every script but unspaced Chinese).
2. Unspaced Chinese: the best window score (``hanzi.window_scores``) of every ordinary
   Chinese/Japanese sentence, against the scores of generated phrases of every length
   in typical surroundings; for a grid of PAIR_WEIGHT, EDGE_BONUS and THRESHOLD, the
   phrases missed (per 10,000) and the sentences flagged.

    python scripts/tune_guard.py [--phrases 2000] [--grid]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from supportkit.guard import hanzi, phrases, scan  # noqa: E402

LANGID = ROOT.parent / "shared" / "data" / "langid"
OWN = ROOT / "tests" / "data" / "guard"
CONTEXTS = ("{}", "我的助记词是{}，请帮我看看", "帮我看看这个：{}", "{}\n谢谢", "助记词{}钱包被盗了", "钱包{}", "{}怎么办")


def ordinary_sentences() -> dict[str, list[str]]:
    corpora: dict[str, list[str]] = {}
    if LANGID.is_dir():
        for path in sorted(LANGID.glob("*/sentences.txt")):
            corpora[f"langid/{path.parent.name}"] = path.read_text(encoding="utf-8").splitlines()
    for path in sorted(OWN.glob("ordinary_*.txt")):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
        corpora[f"own/{path.stem.split('_')[1]}"] = lines
    return corpora


def longest_runs(corpora: dict[str, list[str]]) -> None:
    print("1. longest run of exact list words (joined tokens) in ordinary text; false alarms of scan()")
    for name, lines in corpora.items():
        best: dict[str, int] = {}
        for line in lines:
            tokens = phrases._tokenize(line, [])
            for bit, wordlist in enumerate(phrases.WORDLISTS):
                run = 0
                for mask, joined in zip(tokens.masks, tokens.joined, strict=True):
                    run = run + 1 if mask >> bit & 1 and joined and run else (1 if mask >> bit & 1 else 0)
                    best[wordlist] = max(best.get(wordlist, 0), run)
        alarms = sum(scan(line).secret_found for line in lines)
        top = sorted(best.items(), key=lambda kv: -kv[1])[:3]
        print(f"  {name:<12} {len(lines):>5} lines  longest: {', '.join(f'{k} {v}' for k, v in top) or '-':<48}"
              f" false alarms: {alarms}")


def han_scores(corpora: dict[str, list[str]], count: int, grid: bool) -> None:
    from mnemonic import Mnemonic

    model = hanzi.load()
    han = [line for name, lines in corpora.items() if name.endswith(("/zh", "/ja")) for line in lines]
    rng = random.Random(39)
    generated: list[tuple[str, str]] = []
    for wordlist in ("chinese_simplified", "chinese_traditional"):
        mnemo = Mnemonic(wordlist)
        for strength in (128, 160, 192, 224, 256):
            for _ in range(count):
                entropy = bytes(rng.getrandbits(8) for _ in range(strength // 8))
                phrase = "".join(mnemo.to_mnemonic(entropy).split())
                generated.append((phrase, rng.choice(CONTEXTS).format(phrase)))
    settings = [(hanzi.PAIR_WEIGHT, hanzi.EDGE_BONUS, hanzi.THRESHOLD)]
    if grid:
        settings = [(a, b, t) for a in (2.0, 3.0, 4.0) for b in (0.0, 1.5, 3.0) for t in (2.0, 3.0, 4.0, 5.0, 6.0)]
    print(f"2. unspaced Chinese: {len(han)} ordinary zh/ja sentences, {len(generated)} generated phrases in context")
    print("   (leaked: three consecutive characters of the phrase left in the redacted text)")
    print("   pair  edge  threshold   missed/10k  leaked/10k  ordinary flagged")
    for pair, edge, threshold in settings:
        hanzi.PAIR_WEIGHT, hanzi.EDGE_BONUS, hanzi.THRESHOLD = pair, edge, threshold
        flagged = sum(1 for line in han if any(_blocks_hit(line)))
        missed = leaked = 0
        for phrase, text in generated:
            result = scan(text)
            if not result.secret_found:
                missed += 1
            elif any(phrase[i: i + 3] in result.redacted for i in range(len(phrase) - 2)):
                leaked += 1
        print(f"   {pair:4.1f}  {edge:4.1f}  {threshold:9.1f}   {missed * 10000 / len(generated):10.1f}"
              f"  {leaked * 10000 / len(generated):10.1f}  {flagged:>5} ({flagged / max(1, len(han)):.2%})")
    del model


def _blocks_hit(line: str) -> list[bool]:
    return [bool(phrases.find_phrases(line))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phrases", type=int, default=400, help="generated phrases per list and length")
    parser.add_argument("--grid", action="store_true", help="sweep the constants instead of the chosen ones")
    args = parser.parse_args()
    corpora = ordinary_sentences()
    if not any(name.startswith("langid/") for name in corpora):
        print(f"note: {LANGID} not found; only our own sentences are used")
    longest_runs(corpora)
    han_scores(corpora, args.phrases, args.grid)


if __name__ == "__main__":
    main()
