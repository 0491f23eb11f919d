"""Assessment targets (issue 5), median of N runs on this machine.

The assessment is the planner's first stage; the plan's budgets (10,000 servers ≤ 5 s and
100,000 servers ≤ 60 s end to end) leave it a fifth:
- `assess_estate` over 10,000 servers and their dependency edges ≤ 1 s
- `assess_estate` over 100,000 servers and their dependency edges ≤ 12 s

Estates come from the estate generator (servers, OS strings and flows of a hospital) turned
straight into the inventory model, as the importers would leave them, without a workspace.

    python benchmarks/bench_assess.py [--runs 5] [--sizes 10000,100000] [--record benchmarks/results/assess.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

TARGETS = {10_000: 1.0, 100_000: 12.0}


def inventory(size: int, seed: int = 7):
    """Servers, applications and aggregated dependency edges of a generated estate."""
    from migrate.estate.blueprint import OS
    from migrate.estate.generator import generate
    from migrate.inventory.importers.os import normalise_os
    from migrate.inventory.model import Application, Dependency, Disk, Server

    estate = generate(size, seed)
    servers, members = [], {}
    for s in estate.servers:
        if s.template:
            continue
        system = OS[s.os]
        info = normalise_os(system.tools or system.config)
        servers.append(Server(
            name=s.name, ips=(s.ip,) if s.ip else (), os_name=info.name, os_version=info.version,
            os_family=info.family, cores=s.cpus, memory_mb=s.memory_gb * 1024,
            disks=tuple(Disk(d.label, float(d.size_gb), float(d.used_gb), d.shared) for d in s.disks),
            power_state="on" if s.powered_on else "off", hypervisor=s.platform, firmware=s.firmware,
            vm_uuid=s.vm_uuid, applications=(s.application,) if s.application and s.mapped else (),
            environment=s.environment, tier=s.tier, data_classification=s.classification,
            cpu_utilization=float(s.cpu_utilization) if s.platform != "vmware" else None,
            memory_utilization=float(s.memory_utilization) if s.platform != "vmware" else None))
        if s.application and s.mapped:
            members.setdefault(s.application, []).append(s.name)
    applications = [Application(name, servers=tuple(sorted(names))) for name, names in sorted(members.items())]
    weights = Counter((c.source or c.source_ip, c.destination or c.destination_ip, c.port, c.server_process)
                      for c in estate.connections)
    dependencies = [Dependency(source, destination, port, process=process or None, weight=weight)
                    for (source, destination, port, process), weight in sorted(weights.items())]
    return servers, applications, dependencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--record", type=Path)
    args = parser.parse_args()

    from migrate.planning.assess import assess_estate
    from migrate.planning.settings import PlanSettings

    settings = PlanSettings()
    results, missed = [], False
    for size in (int(s) for s in args.sizes.split(",")):
        servers, applications, dependencies = inventory(size)
        samples = []
        for _ in range(args.runs):
            started = time.perf_counter()
            assessed = assess_estate(servers, applications, dependencies, settings)
            samples.append(time.perf_counter() - started)
        median = statistics.median(samples)
        target = TARGETS.get(size)
        ok = target is None or median <= target
        missed |= not ok
        strategies = Counter(a.strategy.strategy for a in assessed.values())
        print(f"{'ok' if ok else 'MISS'} assess_estate {len(servers):,} servers, {len(dependencies):,} edges: "
              f"median {median:.2f} s over {args.runs} runs (target ≤ {target} s); "
              f"{dict(sorted(strategies.items()))}")
        results.append({"servers": len(servers), "edges": len(dependencies), "samples_s": samples,
                        "median_s": median, "target_s": target, "ok": ok,
                        "strategies": dict(sorted(strategies.items()))})
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak_mb:.0f} MB")
    if args.record:
        args.record.write_text(json.dumps({"benchmark": "assess", "python": sys.version.split()[0],
                                           "machine": platform.machine(), "results": results,
                                           "peak_rss_mb": round(peak_mb)}, indent=2) + "\n")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
