"""Reports and demo targets (issue 12), median of N runs on this machine.

- `carelift demo` (import, plan, three reports, render and audit of the prod stack) <= 45 s
- a 5,000-server generated estate (`carelift estate generate --servers 5000`, imported and planned
  with `--relax` through the CLI): `carelift plan report --format html` under 10 MB; the Excel
  workbook opens with every sheet (read back with python-calamine); times are recorded.

Run from the repository root with the project installed:
    python benchmarks/bench_reports.py [--runs 3] [--record benchmarks/results/reports.json]
"""

from __future__ import annotations

import argparse
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

DEMO_TARGET_S = 45.0
HTML_TARGET_BYTES = 10 * 1024 * 1024
SHEETS = ["Summary", "Waves", "Servers", "Applications", "Move groups", "Crossing links", "Readiness issues",
          "Risks", "Assumptions"]


CPU_SECONDS: list[float] = []
"""CPU time (user + system) of each carelift run, beside its wall time: the machine is shared."""


def carelift(*args: str, workspace: Path | None = None) -> float:
    exe = shutil.which("carelift") or sys.exit("carelift is not on PATH: pip install -e . first")
    prefix = ["--workspace", str(workspace)] if workspace else []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([exe, *prefix, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU_SECONDS.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return elapsed


def bench_demo(runs: int, scratch: Path) -> dict:
    samples, cpu = [], []
    for _ in range(runs):
        samples.append(carelift("demo", "--out", str(scratch / "demo"), "--force"))
        cpu.append(CPU_SECONDS[-1])
    median = statistics.median(samples)
    return {"median_s": round(median, 3), "target_s": DEMO_TARGET_S, "runs": [round(s, 3) for s in samples],
            "cpu_s": [round(c, 3) for c in cpu], "load_average": list(os.getloadavg()), "met": median <= DEMO_TARGET_S}


def bench_large(runs: int, scratch: Path, servers: int) -> dict:
    from python_calamine import CalamineWorkbook

    estate, workspace, plan = scratch / "estate", scratch / "ws", scratch / "plan.json"
    carelift("estate", "generate", "--servers", str(servers), "--out", str(estate))
    carelift("inventory", "import", str(estate / "rvtools-export.xlsx"), str(estate / "azure-migrate-import.csv"),
             workspace=workspace)
    carelift("inventory", "import", str(estate / "application-mapping.csv"), workspace=workspace)
    carelift("deps", "import", str(estate / "azure-migrate-dependencies.csv"), workspace=workspace)
    carelift("plan", "--relax", "--out", str(plan), workspace=workspace)
    document = json.loads(plan.read_text(encoding="utf-8"))
    results = {"servers": document["metrics"]["servers"], "waves": document["metrics"]["waves"],
               "crossing_links": document["metrics"]["crossing_links"]}
    for fmt in ("html", "xlsx", "md"):
        out = scratch / f"report.{fmt}"
        samples = [carelift("plan", "report", "--plan", str(plan), "--format", fmt, "-o", str(out))
                   for _ in range(runs)]
        results[fmt] = {"median_s": round(statistics.median(samples), 3), "bytes": out.stat().st_size,
                        "runs": [round(s, 3) for s in samples]}
    results["html"]["target_bytes"] = HTML_TARGET_BYTES
    results["html"]["met"] = results["html"]["bytes"] < HTML_TARGET_BYTES
    book = CalamineWorkbook.from_path(str(scratch / "report.xlsx"))
    results["xlsx"]["sheets"] = book.sheet_names
    results["xlsx"]["server_rows"] = len(book.get_sheet_by_name("Servers").to_python()) - 1
    results["xlsx"]["met"] = (set(SHEETS) <= set(book.sheet_names)
                              and results["xlsx"]["server_rows"] == results["servers"])
    results["md"]["lines"] = len((scratch / "report.md").read_text(encoding="utf-8").splitlines())
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--servers", type=int, default=5000)
    parser.add_argument("--record", type=Path, help="write the results as JSON to this file")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="carelift-bench-reports-") as scratch:
        demo = bench_demo(options.runs, Path(scratch))
        large = bench_large(options.runs, Path(scratch), options.servers)
    print(f"{'ok  ' if demo['met'] else 'MISS'} carelift demo: median {demo['median_s']:.2f} s over {options.runs} "
          f"runs (target {DEMO_TARGET_S:.0f} s; CPU {statistics.median(demo['cpu_s']):.2f} s, load average "
          f"{demo['load_average'][0]:.1f})")
    html, xlsx, md = large["html"], large["xlsx"], large["md"]
    print(f"{'ok  ' if html['met'] else 'MISS'} {large['servers']:,}-server plan ({large['waves']} waves, "
          f"{large['crossing_links']:,} crossing links): HTML {html['bytes'] / 1e6:.2f} MB (target < 10 MB), "
          f"median {html['median_s']:.2f} s")
    print(f"{'ok  ' if xlsx['met'] else 'MISS'} the same plan's workbook: {len(xlsx['sheets'])} sheets, "
          f"{xlsx['server_rows']:,} server rows, {xlsx['bytes'] / 1e6:.2f} MB, median {xlsx['median_s']:.2f} s; "
          f"Markdown {md['lines']} lines, {md['median_s']:.2f} s")
    if options.record:
        options.record.parent.mkdir(parents=True, exist_ok=True)
        record = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                              "platform": platform.platform()},
                  "results": {"carelift demo": demo, f"{options.servers}-server plan reports": large}}
        options.record.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 0 if demo["met"] and html["met"] and xlsx["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
