"""Golden outputs: every command's output on the development set, to prove a refactor changes nothing.

    python scripts/bench_golden.py --write before.json     # before the change
    python scripts/bench_golden.py --compare before.json   # after it: exit 1 on any difference

It runs, in one process through click's runner (so it takes about a minute): ``detect``,
``guard``, ``reply`` (text and ``--json``, English and French UI) on every message of
``../shared/data/messages_dev.jsonl`` (or ``--messages FILE``); ``reply --lines`` on all of them;
``check``, ``status``, ``config``, ``templates list/show/search``, ``preview`` and ``tutorial`` for
every template and locale; ``models install/list`` and ``translate`` with tiny real models built
by ``tests/models.py``; ``drafts`` and ``stamp`` on a copy of the bundled templates; a ``batch``
run (JSON Lines and CSV) and a ``faq build`` whose every file is hashed.

Every run uses the same scratch folder (``--work``, default ``/tmp/supportkit-golden``) and an
isolated home, so paths in the output are the same from run to run. It is named ``bench_`` because
only benchmark scripts may read ``../shared/data``; it says so and stops when that is absent.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEV = ROOT.parent / "shared" / "data" / "messages_dev.jsonl"


_TIMINGS = re.compile(r'("seconds": |in |"elapsed": )[0-9]+(\.[0-9]+)?( ?m?s\b)?')


def _steady(text: str | None) -> str | None:
    """Timings differ from run to run; everything else must not."""
    return None if text is None else _TIMINGS.sub(lambda m: m.group(1) + "<time>" + (m.group(3) or ""), text)


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=Path, default=DEV)
    parser.add_argument("--work", type=Path, default=Path("/tmp/supportkit-golden"))
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", type=Path)
    mode.add_argument("--compare", type=Path)
    args = parser.parse_args()
    if not args.messages.is_file():
        print(f"{args.messages} is absent: the golden run needs the development set "
              "(../shared/data, not shipped with the project).", file=sys.stderr)
        return 2

    work: Path = args.work
    shutil.rmtree(work, ignore_errors=True)
    home = work / "home"
    for sub in ("cache", "data", "config", "argos"):
        (home / sub).mkdir(parents=True)
    for name in list(os.environ):
        if name.startswith("SUPPORTKIT_"):
            del os.environ[name]
    os.environ.update(XDG_CACHE_HOME=str(home / "cache"), XDG_DATA_HOME=str(home / "data"),
                      XDG_CONFIG_HOME=str(home / "config"), ARGOS_PACKAGES_DIR=str(home / "argos"),
                      SUPPORTKIT_LANG="en", NO_COLOR="1")
    os.chdir(home)

    from click.testing import CliRunner

    from supportkit.cli import cli

    runner = CliRunner()
    out: dict[str, object] = {}

    def run(name: str, argv: list[str], stdin: str | None = None, lang: str = "en") -> None:
        os.environ["SUPPORTKIT_LANG"] = lang
        result = runner.invoke(cli, argv, input=stdin, catch_exceptions=True)
        exc = None if result.exception is None or isinstance(result.exception, SystemExit) else repr(result.exception)
        out[name] = {"exit": result.exit_code, "stdout": _steady(result.stdout), "stderr": _steady(result.stderr),
                     "exception": exc}

    messages = [json.loads(line) for line in args.messages.read_text(encoding="utf-8").splitlines() if line.strip()]
    for m in messages:
        text, key = m["text"], m["id"]
        for argv in (["detect"], ["detect", "--json"], ["guard"], ["guard", "--json"],
                     ["reply"], ["reply", "--json"]):
            run(f"{' '.join(argv)} {key}", [*argv, text])
    for m in messages[::7]:
        run(f"reply fr {m['id']}", ["reply", m["text"]], lang="fr")
        run(f"reply zh {m['id']}", ["reply", "--json", m["text"]], lang="zh")
    lines = "\n".join(m["text"].replace("\n", " ") for m in messages) + "\n"
    run("reply --lines", ["reply", "--lines", "--json"], stdin=lines)
    run("guard --lines", ["guard", "--lines"], stdin=lines)
    run("detect stdin", ["detect", "--json"], stdin=messages[0]["text"])

    for lang in ("en", "fr", "ru"):
        for argv in (["check"], ["check", "--json"], ["status"], ["status", "--json"], ["config"],
                     ["config", "--json"], ["templates", "list"], ["templates", "list", "--json"],
                     ["templates", "search", "wallet"], ["templates", "search", "--json", "助记词"],
                     ["--help"], ["reply", "--help"], ["batch", "--help"]):
            run(f"{lang} {' '.join(argv)}", argv, lang=lang)
    listing = json.loads(str(out["en templates list --json"]["stdout"]))  # type: ignore[index]
    refs = [t.get("ref") or t.get("id") for t in (listing if isinstance(listing, list) else listing["templates"])]
    for ref in refs:
        run(f"templates show {ref}", ["templates", "show", ref])
        run(f"templates show --json {ref}", ["templates", "show", "--json", ref])
        run(f"templates show zh-TW {ref}", ["templates", "show", "--lang", "zh-TW", ref])
        run(f"preview {ref}", ["preview", ref])
        for lang in ("zh", "en", "es", "ru", "fr", "zh-TW"):
            run(f"tutorial {ref} {lang}", ["tutorial", ref, "--lang", lang])
    for bad in (["reply", ""], ["detect", "\x00\x01"], ["tutorial", "nope"], ["templates", "show", "../etc"],
                ["reply", "--lang", "xx", "hello"], ["translate", "--to", "zh", "hello"]):
        run("bad " + " ".join(bad), bad)

    # Translation with tiny real models (the ones the tests build).
    from tests import models

    sp = models.train_sentencepiece()
    pkg_dir = work / "packages"
    for src, dst in (("en", "zh"), ("en", "es"), ("ru", "en"), ("fr", "en"), ("en", "ru"), ("en", "fr"), ("zh", "en")):
        archive = models.build_package(pkg_dir, src, dst, "copy", sentencepiece_model=sp)
        run(f"models install {src}-{dst}", ["models", "install", str(archive)])
    run("models list", ["models", "list"])
    run("models list --json", ["models", "list", "--json"])
    for m in messages[::5]:
        run(f"translate zh {m['id']}", ["translate", "--json", "--to", "zh", m["text"]])
        run(f"translate en {m['id']}", ["translate", "--to", "en", m["text"]])

    replies = work / "replies"
    shutil.copytree(ROOT / "replies", replies)
    run("drafts fr dry", ["--replies", str(replies), "drafts", "--locale", "fr", "--dry-run", "--json"])
    run("drafts es", ["--replies", str(replies), "drafts", "--locale", "es"])
    if refs:
        run("stamp", ["--replies", str(replies), "stamp", str(refs[0])])
    out["drafts tree"] = _tree(replies)

    jsonl = work / "tickets.jsonl"
    jsonl.write_text("".join(json.dumps({"id": m["id"], "text": m["text"]}, ensure_ascii=False) + "\n"
                             for m in messages), encoding="utf-8")
    with (work / "tickets.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text", "lang"])
        for m in messages:
            writer.writerow([m["id"], m["text"], ""])
    for name in ("tickets.jsonl", "tickets.csv"):
        target = work / f"{name}.out.jsonl"
        run(f"batch {name}", ["batch", str(work / name), "--out", str(target), "--json"])
        out[f"batch {name} output"] = target.read_text(encoding="utf-8")
    site = work / "site"
    run("faq build", ["faq", "build", "--out", str(site)])
    out["faq tree"] = _tree(site)

    if args.write:
        args.write.write_text(json.dumps(out, ensure_ascii=False, indent=0, sort_keys=True), encoding="utf-8")
        print(f"{len(out)} outputs written to {args.write}")
        return 0
    before = json.loads(args.compare.read_text(encoding="utf-8"))
    differ = sorted(k for k in set(before) | set(out) if before.get(k) != out.get(k))
    for key in differ[:40]:
        print(f"DIFFERS: {key}")
        b, a = before.get(key), out.get(key)
        if isinstance(b, dict) and isinstance(a, dict):
            for sub in sorted(set(b) | set(a)):
                if b.get(sub) != a.get(sub):
                    print(f"  {sub}: before {str(b.get(sub))[:300]!r}\n  {' ' * len(sub)}  after  {str(a.get(sub))[:300]!r}")
    print(f"{len(out)} outputs, {len(differ)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
