"""Dependency ingestion target (issue 4), median of N runs on this machine.

- an Azure Migrate dependency export of 1,000,000 rows parsed and imported into a workspace
  (`carelift deps import`, end to end, the inventory already imported) <= 30 s

The export comes from the estate generator (4,000 servers, 10 days of 6-hour slots, cut at
1,000,000 rows), so its cardinality is a hospital's: a few tens of thousands of distinct edges
observed over and over. Parsing alone is timed in-process too.

Run from the repository root with the project installed:
    python benchmarks/bench_deps.py [--runs 3] [--record benchmarks/results/deps.json]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROWS = 1_000_000
TARGET_S = 30.0


def make_export(directory: Path) -> tuple[Path, Path, int]:
    """The estate's inventory files and a dependency export cut at ROWS rows; returns their paths and edges."""
    from migrate.estate.files import DEPENDENCY_HEADER, dependency_rows, write_estate
    from migrate.estate.generator import generate

    estate = generate(servers=4000, seed=42, days=10)
    directory.mkdir(parents=True)
    write_estate(estate, directory)
    export = directory / "dependencies-1m.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(DEPENDENCY_HEADER)
        written = 0
        for row in itertools.islice(dependency_rows(estate), ROWS):
            writer.writerow(row)
            written += 1
    if written < ROWS:
        sys.exit(f"the generated estate has only {written} observations; raise its size or days")
    return directory, export, len(estate.connections)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--record", type=Path, help="write the results as JSON to this file")
    options = parser.parse_args()
    exe = shutil.which("carelift") or sys.exit("carelift is not on PATH: pip install -e . first")

    from migrate.estate.files import AZURE_MIGRATE, RVTOOLS
    from migrate.inventory.dependencies import parse_dependency_file

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        estate_dir, export, connections = make_export(root / "estate")
        size_mb = export.stat().st_size / 1e6
        print(f"export: {ROWS:,} rows, {size_mb:.0f} MB, from {connections:,} generated connections")

        parse_samples, edges = [], 0
        for _ in range(options.runs):
            start = time.perf_counter()
            parsed = parse_dependency_file(export)
            parse_samples.append(time.perf_counter() - start)
            edges = len(parsed.dependencies)
            del parsed

        base = root / "base"
        subprocess.run([exe, "--workspace", str(base), "inventory", "import", str(estate_dir / RVTOOLS),
                        str(estate_dir / AZURE_MIGRATE)], check=True, stdout=subprocess.DEVNULL)
        import_samples = []
        for run in range(options.runs):
            workspace = root / f"ws{run}"
            shutil.copytree(base, workspace)
            start = time.perf_counter()
            subprocess.run([exe, "--workspace", str(workspace), "deps", "import", str(export)], check=True,
                           stdout=subprocess.DEVNULL)
            import_samples.append(time.perf_counter() - start)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    parse_median, import_median = statistics.median(parse_samples), statistics.median(import_samples)
    met = import_median <= TARGET_S
    print(f"     parse only: median {parse_median:.2f} s over {options.runs} runs ({edges:,} edges)")
    print(f"{'ok  ' if met else 'MISS'} carelift deps import (1,000,000 rows): median {import_median:.2f} s over "
          f"{options.runs} runs (target {TARGET_S} s), peak RSS {peak_mb:.0f} MB")
    if options.record:
        options.record.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
            "export": {"rows": ROWS, "megabytes": round(size_mb, 1), "edges": edges},
            "results": {
                "parse 1,000,000-row dependency export": {
                    "median_s": round(parse_median, 3), "runs": [round(s, 3) for s in parse_samples]},
                "carelift deps import (1,000,000 rows)": {
                    "median_s": round(import_median, 3), "target_s": TARGET_S,
                    "runs": [round(s, 3) for s in import_samples], "peak_rss_mb": round(peak_mb), "met": met},
            },
        }
        options.record.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
