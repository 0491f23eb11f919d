"""Whole-plan targets (issue 5), median of N runs on this machine:
- 10,000 servers / 50,000 links planned ≤ 5 s
- 100,000 servers / 500,000 links planned ≤ 60 s and ≤ 2 GB peak RSS

"Planned" is `build_plan` (assess → shared services → move groups → waves → calendar) plus
`plan_to_json`, the text the CLI stores and writes. Estates come from the estate generator, turned
into the inventory model as `bench_assess.inventory` does; it draws ~19 links per server, so the
heaviest `--links-per-server` (5, the targets' ratio) of each estate are kept — ties broken by
names — unless `--links-per-server 0` keeps them all. Plans use `--relax` (a generated estate may
hold a move group larger than a wave).

Each run is a fresh process that loads the pickled inventory, so its peak RSS is the planner's
(plus the inventory it reads), not the generator's.

    python benchmarks/bench_plan.py [--runs 3] [--sizes 10000,100000] [--links-per-server 5] [--record FILE]
"""

from __future__ import annotations

import argparse
import json
import pickle
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {10_000: (5.0, None), 100_000: (60.0, 2048)}
"""servers -> (seconds, peak RSS MB or None)."""


def estate(size: int, links_per_server: int):
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_assess import inventory

    servers, applications, dependencies = inventory(size)
    if links_per_server:
        keep = links_per_server * size
        dependencies = sorted(dependencies, key=lambda d: (-d.weight, d.source, d.destination, d.port))[:keep]
        dependencies.sort(key=lambda d: (d.source, d.destination, d.port))
    return servers, applications, dependencies


def child(path: Path) -> None:
    """One run: plan the pickled inventory; print times and peak RSS as JSON."""
    from migrate.planning.plan import build_plan, plan_to_json
    from migrate.planning.settings import PlanSettings

    with path.open("rb") as handle:
        servers, applications, dependencies = pickle.load(handle)
    loaded_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    plan = build_plan(servers, applications, dependencies, PlanSettings(), relax=True)
    planned = time.perf_counter()
    text = plan_to_json(plan)
    done = time.perf_counter()
    print(json.dumps({"build_plan_s": planned - started, "json_s": done - planned, "total_s": done - started,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "inventory_rss_mb": loaded_mb, "json_mb": len(text.encode()) / 1e6,
                      "waves": len(plan.dates), "move_groups": len(plan.groups),
                      "crossing_links": len(plan.assignment.crossing_links),
                      "hybrid_exposure": plan.assignment.hybrid_exposure}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--links-per-server", type=int, default=5)
    parser.add_argument("--record", type=Path)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0

    results, missed = [], False
    for size in (int(s) for s in args.sizes.split(",")):
        servers, applications, dependencies = estate(size, args.links_per_server)
        with tempfile.NamedTemporaryFile(suffix=".pickle", delete=False) as handle:
            pickle.dump((servers, applications, dependencies), handle, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            runs = [json.loads(subprocess.run([sys.executable, __file__, "--child", handle.name], check=True,
                                              capture_output=True, text=True).stdout)
                    for _ in range(args.runs)]
        finally:
            Path(handle.name).unlink()
        median = statistics.median(r["total_s"] for r in runs)
        peak = max(r["peak_rss_mb"] for r in runs)
        seconds, megabytes = TARGETS.get(size, (None, None))
        ok = (seconds is None or median <= seconds) and (megabytes is None or peak <= megabytes)
        missed |= not ok
        last = runs[-1]
        build = statistics.median(r["build_plan_s"] for r in runs)
        encode = statistics.median(r["json_s"] for r in runs)
        print(f"{'ok' if ok else 'MISS'} plan {len(servers):,} servers, {len(dependencies):,} links: median "
              f"{median:.2f} s over {args.runs} runs (build_plan {build:.2f} s, JSON {encode:.2f} s; "
              f"target ≤ {seconds} s), peak RSS "
              f"{peak:.0f} MB (inventory {last['inventory_rss_mb']:.0f} MB"
              + (f"; target ≤ {megabytes} MB" if megabytes else "") + f"); {last['waves']} waves, "
              f"{last['move_groups']:,} move groups, {last['crossing_links']:,} crossing links, "
              f"H = {last['hybrid_exposure']:,}, JSON {last['json_mb']:.1f} MB")
        results.append({"servers": len(servers), "links": len(dependencies), "runs": runs, "median_s": median,
                        "peak_rss_mb": round(peak), "target_s": seconds, "target_rss_mb": megabytes, "ok": ok})
    if args.record:
        args.record.write_text(json.dumps({"benchmark": "plan", "python": sys.version.split()[0],
                                           "machine": platform.machine(), "links_per_server": args.links_per_server,
                                           "results": results}, indent=2) + "\n")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
