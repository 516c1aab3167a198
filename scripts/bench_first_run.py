"""The first run on a fresh machine: `supportkit reply "hi"` with an empty cache folder (issue 17).

    python scripts/bench_first_run.py [--runs 5] [--json OUT]

Targets: <= 1.5 s and <= 200 MB (peak resident memory of the process). Each run is a new
process of the installed ``supportkit`` (this interpreter's ``-m supportkit``) with
``XDG_CACHE_HOME`` set to a new empty folder, run from a scratch folder so the installed tree is
the one measured; bytecode is compiled first so the figures do not depend on
``PYTHONDONTWRITEBYTECODE``. The report says whether the package's prebuilt detection model and
match index (``supportkit/data/``, written by ``pip install``'s build hook) were found: without
them the first run builds both (about 10 s and 170 MB). A second, warm run (same cache folder)
is timed for comparison. This script needs no data from ../shared.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ARGV = [sys.executable, "-m", "supportkit", "reply", "hi"]
TARGET_SECONDS = 1.5
TARGET_MB = 200


def _run(env: dict[str, str], cwd: str) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one ``supportkit reply "hi"``."""
    start = time.perf_counter()
    process = subprocess.Popen(ARGV, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"supportkit reply failed ({process.returncode}): {errors.decode(errors='replace')}")
    return elapsed, usage.ru_maxrss / 1024  # KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="Write the figures here.")
    args = parser.parse_args()

    import supportkit
    from supportkit.detection import model
    from supportkit.matching import store

    package = Path(supportkit.__file__).parent
    compileall.compile_dir(str(package), quiet=1)
    prebuilt = {name: path.is_file() for name, path in
                (("detect.model", model.shipped_path()), ("match.index", store.shipped_path()))}
    print(f"package: {package}")
    print("prebuilt: " + ", ".join(f"{name} {'found' if found else 'MISSING'}" for name, found in prebuilt.items()))

    first: list[tuple[float, float]] = []
    warm: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory(prefix="supportkit-first-run-") as scratch:
        for run in range(args.runs):
            cache = Path(scratch) / f"cache-{run}"
            cache.mkdir()
            env = {**os.environ, "XDG_CACHE_HOME": str(cache), "SUPPORTKIT_LANG": "en"}
            first.append(_run(env, scratch))
            warm.append(_run(env, scratch))
            print(f"run {run + 1}: first {first[-1][0]:.2f} s {first[-1][1]:.0f} MB, "
                  f"then warm {warm[-1][0]:.2f} s {warm[-1][1]:.0f} MB")

    seconds = statistics.median(t for t, _ in first)
    megabytes = max(m for _, m in first)
    ok = seconds <= TARGET_SECONDS and megabytes <= TARGET_MB
    print(f"first run: median {seconds:.2f} s (max {max(t for t, _ in first):.2f}), peak {megabytes:.0f} MB; "
          f"warm run: median {statistics.median(t for t, _ in warm):.2f} s")
    print(f"targets <= {TARGET_SECONDS} s and <= {TARGET_MB} MB: {'met' if ok else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps({"prebuilt": prebuilt, "first_median_s": seconds, "first_peak_mb": megabytes,
                                         "warm_median_s": statistics.median(t for t, _ in warm),
                                         "runs": [{"first": f, "warm": w} for f, w in zip(first, warm, strict=True)]}, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
