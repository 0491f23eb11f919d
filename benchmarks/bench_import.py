"""Inventory import target (issue 4), median of N runs on this machine.

- An RVTools xlsx with 50,000 VMs (vInfo with 93 columns, vDisk, vPartition, vNetwork, vHost)
  imported in <= 20 s with <= 1.5 GB peak RSS: parse, then `Workspace.import_files` when the store
  exists (otherwise parse only, and the result says so).

The fixture is written once with xlsxwriter (deterministic for the seed) and reused from
--fixture-dir. Each run is a fresh Python process, so the peak RSS is that run's own.

Run from the repository root with the project installed:
    python benchmarks/bench_import.py [--runs 3] [--vms 50000] [--record benchmarks/results/import.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

TARGET_SECONDS = 20.0
TARGET_RSS_MB = 1536.0

EXTRA_VINFO = ["Consolidation Needed", "PowerOn", "Suspended To Memory", "Suspend time", "Creation date",
               "Change Version", "Overall Cpu Readiness", "Fixed Passthru HotPlug", "min Required EVC Mode Key",
               "Latency Sensitivity", "Op Notification Timeout", "EnableUUID", "CBT", "Network #2", "Network #3",
               "Network #4", "Network #5", "Network #6", "Network #7", "Network #8", "Num Monitors",
               "Video Ram KiB", "Folder ID", "DAS protection", "FT State", "FT Role", "FT Latency", "FT Bandwidth",
               "FT Sec. Latency", "HA Restart Priority", "HA Isolation Response", "HA VM Monitoring",
               "Cluster rule(s)", "Cluster rule name(s)", "Boot Required", "Boot delay", "Boot retry delay",
               "Boot retry enabled", "Boot BIOS setup", "Reboot PowerOff", "EFI Secure boot", "HW upgrade status",
               "HW upgrade policy", "HW target", "Log directory", "Snapshot directory", "Suspend directory",
               "Customization Info", "Guest Detailed Data", "VI SDK Server type", "VI SDK API Version",
               "Heartbeat status", "Tools version", "Tools status", "Tools upgradeable", "Owner"]
OS_NAMES = ["Microsoft Windows Server 2019 (64-bit)", "Microsoft Windows Server 2016 or later (64-bit)",
            "Microsoft Windows Server 2012 R2 (64-bit)", "Microsoft Windows Server 2008 R2 (64-bit)",
            "Red Hat Enterprise Linux 8 (64-bit)", "Red Hat Enterprise Linux 7 (64-bit)", "CentOS 7 (64-bit)",
            "Ubuntu Linux (64-bit)", "SUSE Linux Enterprise 15 (64-bit)", "Microsoft Windows Server 2022 (64-bit)"]


def write_fixture(path: Path, vms: int, seed: int = 4, inline_strings: bool = False) -> None:
    """Write the RVTools-shaped workbook. Like RVTools' own files it uses a shared-string table;
    `inline_strings` (xlsxwriter's constant-memory mode) writes every string in place instead,
    which makes the sheets' XML about twice as large to parse: a worst case."""
    import xlsxwriter

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.migrate.inventory.importers.conftest import (VDISK_4X, VHOST_4X, VINFO_4X, VNETWORK_4X,
                                                            VPARTITION_4X)

    rng = random.Random(seed)
    vinfo_header = VINFO_4X + EXTRA_VINFO[:93 - len(VINFO_4X)]
    book = xlsxwriter.Workbook(str(path), {"constant_memory": inline_strings, "use_zip64": True})
    sheets = {name: book.add_worksheet(name) for name in ("vInfo", "vDisk", "vPartition", "vNetwork", "vHost")}
    rows = {name: 1 for name in sheets}
    for name, header in (("vInfo", vinfo_header), ("vDisk", VDISK_4X), ("vPartition", VPARTITION_4X),
                         ("vNetwork", VNETWORK_4X), ("vHost", VHOST_4X)):
        sheets[name].write_row(0, 0, header)

    def put(sheet: str, header: list[str], values: dict) -> None:
        sheets[sheet].write_row(rows[sheet], 0, [values.get(column, "") for column in header])
        rows[sheet] += 1

    hosts = [f"esx{n:03d}.rbh.local" for n in range(vms // 100 + 1)]
    for n in range(vms):
        name = f"vm{n:06d}"
        host = rng.choice(hosts)
        uuid = f"50{n:06x}-{rng.getrandbits(16):04x}-{rng.getrandbits(16):04x}-{rng.getrandbits(16):04x}-" \
               f"{rng.getrandbits(48):012x}"
        os_name = rng.choice(OS_NAMES)
        disks = [rng.choice((40960, 61440, 102400, 204800, 512000)) for _ in range(rng.randint(1, 3))]
        ip = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
        tail = {"Datacenter": "DC1", "Cluster": f"CL{hosts.index(host) % 12}", "Host": host, "Folder": "/prod",
                "OS according to the configuration file": os_name, "OS according to the VMware Tools": os_name,
                "VM ID": f"vm-{n}", "VM UUID": uuid, "VI SDK Server": "vc01.rbh.local", "VI SDK UUID": "vc-uuid"}
        record = {**tail, "VM": name, "Powerstate": rng.choice(("poweredOn",) * 9 + ("poweredOff",)),
                  "Template": n % 500 == 0, "SRM Placeholder": False, "Config status": "green",
                  "DNS Name": f"{name}.rbh.local", "Connection state": "connected", "Guest state": "running",
                  "Heartbeat": "green", "CPUs": rng.choice((1, 2, 4, 8, 16)),
                  "Memory": rng.choice((2048, 4096, 8192, 16384, 65536)), "Active Memory": 1024, "NICs": 1,
                  "Disks": len(disks), "Total disk capacity MiB": sum(disks), "Primary IP Address": ip,
                  "Network #1": "VLAN100", "Resource pool": "Resources", "Provisioned MiB": sum(disks) + 4096,
                  "In Use MiB": sum(disks) // 2, "Unshared MiB": sum(disks) // 2, "Firmware": "efi",
                  "HW version": "vmx-19", "Path": f"[ds01] {name}/{name}.vmx", "Annotation": "",
                  "SMBIOS UUID": uuid, **{column: "x" for column in EXTRA_VINFO}}
        put("vInfo", vinfo_header, record)
        for index, size in enumerate(disks, start=1):
            put("vDisk", VDISK_4X, {**tail, "VM": name, "Powerstate": "poweredOn", "Template": False,
                                    "Disk": f"Hard disk {index}", "Capacity MiB": size, "Raw": False,
                                    "Disk Mode": "persistent", "Sharing mode": "sharingNone", "Thin": True})
            put("vPartition", VPARTITION_4X, {**tail, "VM": name, "Disk": f"/dev/sd{chr(96 + index)}1",
                                              "Capacity MiB": size - 100, "Consumed MiB": size // 3,
                                              "Free MiB": size - size // 3, "Free %": 66})
        put("vNetwork", VNETWORK_4X, {**tail, "VM": name, "Powerstate": "poweredOn", "Template": False,
                                      "NIC label": "Network adapter 1", "Adapter": "Vmxnet3",
                                      "Network": "VLAN100", "Connected": True, "IPv4 Address": ip})
    for host in hosts:
        put("vHost", VHOST_4X, {"Host": host, "Datacenter": "DC1", "Cluster": "CL1", "# CPU": 2, "# Cores": 48})
    book.set_properties({"created": None})
    book.close()


CHILD = r"""
import hashlib, json, resource, sys, tempfile, time
from pathlib import Path
start = time.perf_counter()
from migrate.inventory.importers import parse
path = Path(sys.argv[1])
parsed = parse(path)
parse_s = time.perf_counter() - start
try:
    from migrate.inventory.store import SourceFile, Workspace
except ImportError:
    Workspace = None
stored = None
if Workspace is not None:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with tempfile.TemporaryDirectory() as directory:
        with Workspace.open(Path(directory)) as workspace:
            workspace.import_files([(SourceFile(str(path), digest, parsed.format), parsed)],
                                   now="2025-01-01T00:00:00Z")
            stored = len(workspace.servers())
total = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
peak_mb = usage.ru_maxrss / 1024
print(json.dumps({"seconds": total, "parse_seconds": parse_s, "cpu_seconds": usage.ru_utime + usage.ru_stime,
                  "peak_rss_mb": peak_mb,
                  "servers": len(parsed.servers), "stored": stored, "store": Workspace is not None}))
"""


def run_once(fixture: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", CHILD, str(fixture)], check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--vms", type=int, default=50_000)
    parser.add_argument("--fixture-dir", type=Path, default=Path(tempfile.gettempdir()) / "carelift-bench")
    parser.add_argument("--inline-strings", action="store_true",
                        help="write strings inline instead of in a shared table (a worst case for the reader)")
    parser.add_argument("--record", type=Path, help="write the results as JSON to this file")
    options = parser.parse_args()

    options.fixture_dir.mkdir(parents=True, exist_ok=True)
    fixture = options.fixture_dir / f"rvtools-{options.vms}{'-inline' if options.inline_strings else ''}.xlsx"
    if not fixture.exists():
        print(f"writing {fixture} ...", flush=True)
        write_fixture(fixture, options.vms, inline_strings=options.inline_strings)
    load_before = os.getloadavg()[0]
    samples = [run_once(fixture) for _ in range(options.runs)]
    seconds = statistics.median(s["seconds"] for s in samples)
    parse_seconds = statistics.median(s["parse_seconds"] for s in samples)
    rss = statistics.median(s["peak_rss_mb"] for s in samples)
    what = "parse + store import" if samples[0]["store"] else "parse only (no store yet)"
    ok = seconds <= TARGET_SECONDS and rss <= TARGET_RSS_MB
    name = f"RVTools xlsx, {options.vms} VMs{', inline strings' if options.inline_strings else ''}: {what}"
    print(f"{'ok  ' if ok else 'MISS'} {name}: median {seconds:.2f} s (target {TARGET_SECONDS} s), peak RSS "
          f"{rss:.0f} MB (target {TARGET_RSS_MB:.0f} MB) over {options.runs} runs; "
          f"{samples[0]['servers']} servers parsed (parse alone: median {parse_seconds:.2f} s)")
    if options.record:
        options.record.parent.mkdir(parents=True, exist_ok=True)
        result = {"median_s": round(seconds, 3), "target_s": TARGET_SECONDS, "median_parse_s": round(parse_seconds, 3),
                  "median_peak_rss_mb": round(rss), "target_peak_rss_mb": TARGET_RSS_MB,
                  "fixture_bytes": fixture.stat().st_size, "measured": what,
                  "load_average_before": round(load_before, 2),
                  "runs": [{k: round(v, 3) if isinstance(v, float) else v for k, v in s.items()} for s in samples],
                  "met": ok}
        # Results of the other variant (--inline-strings) already in the file are kept.
        earlier = json.loads(options.record.read_text(encoding="utf-8")) if options.record.exists() else {}
        results = dict(sorted({**earlier.get("results", {}), name: result}.items()))
        record = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                              "platform": platform.platform()}, "results": results}
        options.record.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
