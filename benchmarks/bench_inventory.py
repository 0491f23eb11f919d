"""Inventory listing target (issue 4), median of N runs on this machine.

- `carelift inventory list --format json` of 50,000 servers <= 3 s (the whole process, as a
  user runs it; output to /dev/null)

The servers (realistic shape: 2 IPs, 3 disks, an application, tags) are inserted through the
store API into a temporary workspace first; that import's time is reported too, for
information (the importer benchmark owns the import targets).

Run from the repository root with the project installed:
    python benchmarks/bench_inventory.py [--runs 5] [--servers 50000] [--record benchmarks/results/inventory.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from migrate.inventory.model import Disk, ParsedFile, Server
from migrate.inventory.store import SourceFile, Workspace

TARGET_S = 3.0
OS = [("Microsoft Windows Server 2019 (64-bit)", "windows"), ("Microsoft Windows Server 2012 R2 (64-bit)", "windows"),
      ("Red Hat Enterprise Linux 8 (64-bit)", "linux"), ("CentOS 7 (64-bit)", "linux")]
APPS = ["Epic", "PACS", "Cerner Millennium", "Cloverleaf", "Citrix", "File shares", "Backup", "Monitoring"]


def estate(count: int, seed: int = 4) -> list[Server]:
    rng = random.Random(seed)
    servers = []
    for n in range(count):
        os_name, family = rng.choice(OS)
        servers.append(Server(
            name=f"srv{n:06d}", fqdn=f"srv{n:06d}.riverbend.local",
            ips=(f"10.{n // 65536}.{n // 256 % 256}.{n % 256}", f"172.16.{n // 256 % 256}.{n % 256}"),
            os_name=os_name, os_family=family, cores=rng.choice([2, 4, 8, 16]),
            memory_mb=rng.choice([4096, 8192, 16384, 65536]),
            disks=tuple(Disk(f"Hard disk {d + 1}", float(rng.choice([40, 100, 500, 2048])), 20.0) for d in range(3)),
            power_state="on" if rng.random() > 0.1 else "off", hypervisor="vmware", datacenter="dc1",
            cluster=f"clu-{n % 40:02d}", host=f"esx{n % 400:03d}", folder="/prod", firmware="efi",
            vm_uuid=f"4211{n:028x}", sources=("rvtools",), applications=(rng.choice(APPS),),
            environment=rng.choice(["prd", "tst", "dev"]), tier=rng.randint(0, 3), owner="Clinical IT",
            tags=(("cost-center", str(4400 + n % 20)),)))
    return servers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--servers", type=int, default=50_000)
    parser.add_argument("--record", type=Path, help="write the results as JSON to this file")
    options = parser.parse_args()
    exe = shutil.which("carelift") or sys.exit("carelift is not on PATH: pip install -e . first")

    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "ws"
        servers = estate(options.servers)
        start = time.perf_counter()
        with Workspace.open(workspace) as ws:
            ws.import_files([(SourceFile("bench.xlsx", "0" * 64, "rvtools"),
                              ParsedFile(path="bench.xlsx", format="rvtools", servers=tuple(servers)))],
                            now="2026-01-01T00:00:00Z")
        import_s = time.perf_counter() - start
        print(f"info store import of {options.servers} servers: {import_s:.2f} s")

        samples = []
        for _ in range(options.runs):
            start = time.perf_counter()
            with open(os.devnull, "w") as sink:
                subprocess.run([exe, "--workspace", str(workspace), "inventory", "list", "--format", "json"],
                               check=True, stdout=sink)
            samples.append(time.perf_counter() - start)
        out = subprocess.run([exe, "--workspace", str(workspace), "inventory", "list", "--format", "json"],
                             check=True, capture_output=True, text=True).stdout
        assert len(json.loads(out)) == options.servers

    median = statistics.median(samples)
    ok = median <= TARGET_S
    name = f"carelift inventory list --format json ({options.servers} servers)"
    print(f"{'ok  ' if ok else 'MISS'} {name}: median {median:.3f} s over {options.runs} runs (target {TARGET_S} s)")
    if options.record:
        options.record.parent.mkdir(parents=True, exist_ok=True)
        record = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                              "platform": platform.platform()},
                  "results": {name: {"median_s": round(median, 3), "target_s": TARGET_S,
                                     "runs": [round(s, 3) for s in samples], "met": ok},
                              f"store import of {options.servers} servers (information)": {
                                  "seconds": round(import_s, 2)}}}
        options.record.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
