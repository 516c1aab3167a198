"""Benchmark offline translation: supportkit's engine against argostranslate's own pipeline, and span survival.

Both parts run on tiny real packages built by tests/models.py (a SentencePiece model
trained in memory, CTranslate2 models from numpy weights), so the figures measure the
pipelines (import, load, tokenize, batch, decode, detokenize), not a model's quality.

1. Speed, on the same installed en->es package, each engine in fresh processes:
   library import time, first translation (from before the import to the first result),
   sentences/s translating the generated help-desk sentences one message at a time,
   peak memory (max RSS), and the wall time of a whole cold process that translates
   one message: ``supportkit translate`` against a python process calling
   ``argostranslate.translate.translate``. argostranslate runs in its own interpreter
   (``--argos-python``, default ``/tmp/argosvenv/bin/python`` when it exists, else this
   one if it can import it); without it that column says why. Argos 1.11 downloads a
   MiniSBD sentence-splitting model on first use, which cannot work offline, so its
   sentence splitter is replaced by "one message is one sentence" (this can only make
   it faster). Each engine runs once to warm the file cache, then ``--runs`` times;
   medians are printed.

2. Span survival, over every message of ../shared/data/messages_dev.jsonl with the copy
   model and the random model: every protected span of the (guard-redacted) message
   must occur in the output exactly as often as in the message. Messages go from their
   labelled language to Spanish (Spanish ones to Chinese), through English when the
   pair is not direct. ../shared is not part of a clone: without it this part is
   skipped with a message (exit 0).

    python scripts/bench_translate.py [--data DIR] [--argos-python PATH] [--runs N] [--sentences N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_ARGOS_PYTHON = Path("/tmp/argosvenv/bin/python")
COLD_MESSAGE = "Hi {user_name}, my USDT transfer to https://help.example.com/a_b?x=1 is still pending, please help."

# --- workers (one per subprocess) -------------------------------------------------------

OURS_WORKER = """
import json, resource, sys, time
start = time.perf_counter()
from supportkit.translation import translate
imported = time.perf_counter()
sentences = json.load(open(sys.argv[1], encoding="utf-8"))
first = translate(sentences[0], target="es", source="en", glossary=())
first_done = time.perf_counter()
began = time.perf_counter()
for sentence in sentences:
    translate(sentence, target="es", source="en", glossary=())
elapsed = time.perf_counter() - began
print(json.dumps({"import_s": imported - start, "first_s": first_done - start, "sentences_per_s": len(sentences) / elapsed,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "sample": first.text}))
"""

ARGOS_WORKER = """
import json, resource, sys, time
start = time.perf_counter()
import argostranslate.translate as argos
imported = time.perf_counter()
import argostranslate.sbd as sbd
# Argos 1.11 would download a MiniSBD model here (no network): one message is one sentence instead.
sbd.MiniSBDSentencizer.split_sentences = lambda self, text: [text]
sentences = json.load(open(sys.argv[1], encoding="utf-8"))
first = argos.translate(sentences[0], "en", "es")
first_done = time.perf_counter()
began = time.perf_counter()
for sentence in sentences:
    argos.translate(sentence, "en", "es")
elapsed = time.perf_counter() - began
print(json.dumps({"import_s": imported - start, "first_s": first_done - start, "sentences_per_s": len(sentences) / elapsed,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "sample": first}))
"""

ARGOS_COLD = """
import sys
import argostranslate.sbd as sbd
import argostranslate.translate as argos
sbd.MiniSBDSentencizer.split_sentences = lambda self, text: [text]
print(argos.translate(sys.argv[1], "en", "es"))
"""


def _env(packages: Path, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUPPORTKIT_", "ARGOS_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # both engines get their compiled bytecode, as users do
    env.update({"ARGOS_PACKAGES_DIR": str(packages), "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
                "XDG_CACHE_HOME": str(home / "cache"), "XDG_CONFIG_HOME": str(home / "config"),
                "PYTHONPATH": str(ROOT), "SUPPORTKIT_LANG": "en"})
    return env


def _run_json(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _wall(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}")
    return elapsed, done.stdout.strip()


def _argos_python(choice: str | None) -> tuple[str | None, str]:
    """The interpreter that can import argostranslate, or None and why not."""
    candidates = [choice] if choice else [str(DEFAULT_ARGOS_PYTHON), sys.executable]
    for python in candidates:
        if not python or not Path(python).exists():
            continue
        probe = subprocess.run([python, "-c", "import importlib.metadata as m; print(m.version('argostranslate'))"],
                               capture_output=True, text=True, check=False, timeout=300)
        if probe.returncode == 0:
            return python, probe.stdout.strip()
    return None, ("argostranslate is not installed here (install it into a throwaway venv, e.g. "
                  "python3 -m venv /tmp/argosvenv && /tmp/argosvenv/bin/pip install torch argostranslate)")


def bench_speed(work: Path, runs: int, count: int, argos_python: str | None) -> None:
    from supportkit.translation.packages import install_archive
    from tests import models

    packages = work / "packages"
    sentencepiece_model = models.train_sentencepiece()
    install_archive(models.build_package(work / "built", "en", "es", "copy", sentencepiece_model=sentencepiece_model),
                    packages)
    phrases = [p for p in models.support_phrases(count * 5) if p.isascii()][:count]
    sentences_file = work / "sentences.json"
    sentences_file.write_text(json.dumps(phrases), encoding="utf-8")
    env = _env(packages, work / "home")

    python, version = _argos_python(argos_python)
    engines: dict[str, list[str] | None] = {
        "supportkit": [sys.executable, "-c", OURS_WORKER, str(sentences_file)],
        f"argostranslate {version}" if python else "argostranslate": (
            [python, "-c", ARGOS_WORKER, str(sentences_file)] if python else None),
    }
    cold: dict[str, list[str] | None] = {
        "supportkit": [str(Path(sys.executable).with_name("supportkit")), "translate", COLD_MESSAGE, "--from", "en",
                       "--to", "es"],
        "argos": [python, "-c", ARGOS_COLD, COLD_MESSAGE] if python else None,
    }
    print(f"## Speed: the same en->es package ({len(phrases)} sentences, {os.cpu_count()} CPUs, median of {runs})\n")
    print("| engine | import s | first translation s | sentences/s | peak MB | cold process s | output of the copy model |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    cold_times: dict[str, float] = {}
    for (name, cmd), cold_cmd in zip(engines.items(), cold.values(), strict=True):
        if cmd is None or cold_cmd is None:
            print(f"| {name} | - | - | - | - | - | not run: {version} |")
            continue
        try:
            _run_json(cmd, env)  # warm-up: file cache and bytecode
            results = [_run_json(cmd, env) for _ in range(runs)]
            _wall(cold_cmd, env)
            walls = [_wall(cold_cmd, env) for _ in range(runs)]
        except RuntimeError as exc:
            print(f"| {name} | - | - | - | - | - | failed: {exc} |")
            continue
        med = {key: statistics.median(r[key] for r in results) for key in ("import_s", "first_s", "sentences_per_s",
                                                                            "peak_mb")}
        cold_times[name] = statistics.median(w for w, _ in walls)
        sample = walls[0][1]
        verdict = "== input" if sample == COLD_MESSAGE else f"changed: {sample!r}"
        print(f"| {name} | {med['import_s']:.3f} | {med['first_s']:.3f} | {med['sentences_per_s']:.1f} | "
              f"{med['peak_mb']:.0f} | {cold_times[name]:.2f} | {verdict} |")
    if len(cold_times) == 2:
        ours, theirs = cold_times["supportkit"], next(v for k, v in cold_times.items() if k != "supportkit")
        print(f"\nCold process to the first translation: supportkit {ours:.2f} s, argostranslate {theirs:.2f} s "
              f"({theirs / ours:.1f}x faster).")
    print()


# --- span survival ---------------------------------------------------------------------------


def bench_spans(work: Path, data: Path) -> None:
    from supportkit.config import Config
    from supportkit.guard import scan
    from supportkit.text import find_protected_spans, normalize
    from supportkit.translation import translate
    from supportkit.translation.engine import Engine
    from supportkit.translation.packages import install_archive
    from tests import models

    path = data / "messages_dev.jsonl"
    if not path.is_file():
        print(f"## Span survival: skipped, {path} not found (../shared is not part of a clone).")
        return
    messages = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    glossary = Config().glossary
    sentencepiece_model = models.train_sentencepiece()
    languages = sorted({m["lang"] for m in messages} - {"en"})
    print(f"## Span survival: {len(messages)} messages of {path.name}, {len(languages) + 1} languages\n")
    print("| model | messages | spans | kept exactly once | segments translated / fallback / untranslated / "
          "unchanged | secrets redacted | seconds |")
    print("| --- | ---: | ---: | ---: | --- | ---: | ---: |")
    for kind in ("copy", "random"):
        packages = work / f"spans-{kind}"
        for source in languages:
            install_archive(models.build_package(work / "built" / kind, source, "en", kind,
                                                 sentencepiece_model=sentencepiece_model), packages)
        for target in ("es", "zh"):
            install_archive(models.build_package(work / "built" / kind, "en", target, kind,
                                                 sentencepiece_model=sentencepiece_model), packages)
        engine = Engine(packages)
        spans = kept = secrets = 0
        statuses: Counter[str] = Counter()
        failures: list[str] = []
        start = time.perf_counter()
        for message in messages:
            target = "zh" if message["lang"] == "es" else "es"
            redacted = scan(normalize(message["text"]).text).redacted
            expected = Counter(s.text for s in find_protected_spans(redacted, glossary))
            result = translate(message["text"], target=target, source=message["lang"], glossary=glossary,
                               engine=engine)
            secrets += result.secret_found
            statuses.update(s.status for s in result.segments)
            for text, count in expected.items():
                spans += count
                if result.text.count(text) == redacted.count(text):
                    kept += count
                else:
                    failures.append(f"{message['id']}: {text!r}")
        seconds = time.perf_counter() - start
        print(f"| {kind} | {len(messages)} | {spans} | {kept} ({100 * kept / max(spans, 1):.1f}%) | "
              f"{statuses['translated']} / {statuses['fallback']} / {statuses['untranslated']} / "
              f"{statuses['unchanged']} | {secrets} | {seconds:.1f} |")
        for failure in failures[:10]:
            print(f"  lost or duplicated: {failure}")
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding messages_dev.jsonl")
    parser.add_argument("--argos-python", help="interpreter with argostranslate installed")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sentences", type=int, default=200)
    parser.add_argument("--only", choices=["speed", "spans"], help="run one part")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    work = Path(tempfile.mkdtemp(prefix="bench-translate-"))
    os.environ["ARGOS_PACKAGES_DIR"] = str(work / "unused")  # nothing of the user's is read or written
    try:
        if args.only in (None, "speed"):
            bench_speed(work, args.runs, args.sentences, args.argos_python)
        if args.only in (None, "spans"):
            bench_spans(work, args.data)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"(this process: peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
