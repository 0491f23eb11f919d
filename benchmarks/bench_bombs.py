"""Workbook bombs are refused fast (issue 10), median of N runs on this machine.

- A 2 MB zip of 600 MB of rows is refused in well under a second (target: 1 s), and so are a
  zip header that understates a sheet's size, a 75 KB-class file whose one 1 MB shared string
  fills 100,000 cells (100 GB of copies), and a 1 KB file with cells at A1 and XFD1048576.

The bombs are the ones `tests/migrate/inventory/importers/test_xlsx_limits.py` builds. Each run
is `migrate.inventory.importers.parse` in this process; CPU seconds are recorded beside wall
time because the machine may be shared.

Run from the repository root with the project installed:
    python benchmarks/bench_bombs.py [--runs 5] [--record benchmarks/results/bombs.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 1.0


def bombs(folder: Path) -> dict[str, Path]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.migrate.inventory.importers import test_xlsx_limits as t

    unit = t.SAME_ROW * 10_000
    stream, size = t.repeated(t.HEAD + t.HEADER_ROW, unit, 600 * t.MB // len(unit) + 1, t.TAIL)
    liar, _ = t.repeated(t.HEAD + t.HEADER_ROW, unit, 600 * t.MB // len(unit) + 1, t.TAIL)
    shared = b'<sst xmlns="x"><si><t>name</t></si><si><t>' + b"A" * t.MB + b"</t></si></sst>"
    strings, strings_size = t.repeated(t.HEAD + b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
                                       b'<row><c t="s"><v>1</v></c></row>' * 1000, 100, t.TAIL)
    return {
        "600 MB of rows in a 2 MB zip": t.workbook(folder / "rows.xlsx", (stream, size)),
        "the same, its header declaring 200 MB": t.workbook(folder / "liar.xlsx", (liar, 200 * t.MB)),
        "one 1 MB string in 100,000 cells": t.workbook(folder / "strings.xlsx", (strings, strings_size),
                                                       shared=shared),
        "cells at A1 and XFD1048576": t.workbook(folder / "grid.xlsx", t.HEAD + t.HEADER_ROW
                                                 + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>' + t.TAIL),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--record", type=Path, help="write the results as JSON to this file")
    options = parser.parse_args()
    from migrate.inventory.importers import parse
    from migrate.inventory.model import InputError

    results, missed = [], False
    with tempfile.TemporaryDirectory() as folder:
        for label, path in bombs(Path(folder)).items():
            walls, cpus = [], []
            for _ in range(options.runs):
                wall, cpu = time.perf_counter(), time.process_time()
                try:
                    parse(path, "csv")
                    refused = ""
                except InputError as error:
                    refused = error.problems[0].message
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
            median, median_cpu = statistics.median(walls), statistics.median(cpus)
            ok = bool(refused) and median <= TARGET_SECONDS
            missed |= not ok
            print(f"{'ok' if ok else 'MISS'} {label} ({path.stat().st_size:,} bytes): refused in median "
                  f"{median:.3f} s wall, {median_cpu:.3f} s CPU (target {TARGET_SECONDS} s) — {refused[:90]}")
            results.append({"case": label, "bytes": path.stat().st_size, "wall": walls, "cpu": cpus,
                            "refused": refused})
    if options.record:
        options.record.write_text(json.dumps({"target_seconds": TARGET_SECONDS, "results": results}, indent=2) + "\n")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
