"""Foundation targets (issue 2), median of N runs on this machine.

- `carelift --help` <= 0.5 s (the CLI path must not import pulumi_azure_native)
- `carelift infra render --stack prod --format json` <= 15 s

Run from the repository root with the project installed:
    python benchmarks/bench_foundation.py [--runs 5] [--record benchmarks/results/foundation.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGETS = {
    "carelift --help": (["--help"], 0.5),
    "carelift infra render --stack prod --format json": (["infra", "render", "--stack", "prod", "--format", "json"], 15.0),
}


def time_command(args: list[str], runs: int) -> list[float]:
    exe = shutil.which("carelift") or sys.exit("carelift is not on PATH: pip install -e . first")
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([exe, *args], check=True, stdout=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--record", type=Path, help="write the results as JSON to this file")
    options = parser.parse_args()

    results, failed = {}, False
    for name, (args, target) in TARGETS.items():
        samples = time_command(args, options.runs)
        median = statistics.median(samples)
        ok = median <= target
        failed |= not ok
        results[name] = {"median_s": round(median, 3), "target_s": target, "runs": [round(s, 3) for s in samples],
                         "met": ok}
        print(f"{'ok  ' if ok else 'MISS'} {name}: median {median:.3f} s over {options.runs} runs (target {target} s)")
    if options.record:
        options.record.parent.mkdir(parents=True, exist_ok=True)
        record = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                              "platform": platform.platform()}, "results": results}
        options.record.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
