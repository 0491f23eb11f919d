"""Compliance audit targets (issue 3), median of N runs on this machine.

- evaluating the whole catalog over 10,000 ARM documents <= 2 s
- `carelift audit --stack prod --format json` end to end <= 20 s
- reference to beat, recorded beside them: Checkov's time and peak memory on the prod ARM
  export (`checkov -f FILE --framework arm`), run from its own virtualenv
  (path in CARELIFT_CHECKOV or `checkov` on PATH; skipped when absent).
- one 2,000-resource deployment template (the synthetic estate written as a template):
  `carelift audit --arm` at least 50x faster than `checkov -f ... --framework arm` with at most
  a fifth of its peak memory (issue 9), each measured end to end in a fresh process.

    python benchmarks/bench_audit.py [--runs 5] [--record benchmarks/results/audit.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SUB = "00000000-0000-0000-0000-0000000000b1"


def synthetic_estate(count: int) -> list[dict]:
    """A deterministic mix of the resource kinds the catalog checks, with their links."""
    documents: list[dict] = []
    i = 0
    while len(documents) < count:
        rg = f"/subscriptions/{SUB}/resourceGroups/rg-{i % 50:02d}/providers"
        vault = f"{rg}/Microsoft.KeyVault/vaults/kv-{i:05d}"
        vnet = f"{rg}/Microsoft.Network/virtualNetworks/vnet-{i:05d}"
        nsg = f"{rg}/Microsoft.Network/networkSecurityGroups/nsg-{i:05d}"
        account = f"{rg}/Microsoft.Storage/storageAccounts/st{i:05d}"
        documents += [
            {"type": "Microsoft.KeyVault/vaults", "name": f"kv-{i:05d}", "id": vault, "location": "eastus2",
             "tags": {"data-classification": "phi"},
             "properties": {"enablePurgeProtection": i % 7 != 0, "enableSoftDelete": True,
                            "softDeleteRetentionInDays": 90, "publicNetworkAccess": "Disabled",
                            "networkAcls": {"defaultAction": "Deny"}, "enableRbacAuthorization": True}},
            {"type": "Microsoft.Insights/diagnosticSettings", "name": "to-law",
             "id": f"{vault}/providers/Microsoft.Insights/diagnosticSettings/to-law",
             "properties": {"workspaceId": f"{rg}/Microsoft.OperationalInsights/workspaces/law",
                            "logs": [{"category": "AuditEvent", "enabled": True}]}},
            {"type": "Microsoft.Network/privateEndpoints", "name": f"pe-kv-{i:05d}", "id": f"{rg}/Microsoft.Network/privateEndpoints/pe-kv-{i:05d}",
             "location": "eastus2", "properties": {"privateLinkServiceConnections": [
                 {"name": "c", "properties": {"privateLinkServiceId": vault, "groupIds": ["vault"]}}]}},
            {"type": "Microsoft.Network/virtualNetworks", "name": f"vnet-{i:05d}", "id": vnet, "location": "eastus2",
             "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [
                 {"name": "snet-app", "id": f"{vnet}/subnets/snet-app",
                  "properties": {"addressPrefix": "10.0.0.0/24", "networkSecurityGroup": {"id": nsg},
                                 "defaultOutboundAccess": False}}]}},
            {"type": "Microsoft.Network/networkSecurityGroups", "name": f"nsg-{i:05d}", "id": nsg, "location": "eastus2",
             "properties": {"securityRules": [
                 {"name": "rdp", "properties": {"direction": "Inbound", "access": "Allow" if i % 11 == 0 else "Deny",
                                                "protocol": "Tcp", "sourceAddressPrefix": "*",
                                                "destinationPortRange": "3389", "priority": 100}}]}},
            {"type": "Microsoft.Storage/storageAccounts", "name": f"st{i:05d}", "id": account, "location": "eastus2",
             "kind": "StorageV2", "sku": {"name": "Standard_GRS"},
             "properties": {"supportsHttpsTrafficOnly": True, "minimumTlsVersion": "TLS1_2",
                            "allowBlobPublicAccess": False, "allowSharedKeyAccess": i % 5 != 0,
                            "publicNetworkAccess": "Disabled", "networkAcls": {"defaultAction": "Deny"}}},
        ]
        i += 1
    return documents[:count]


def as_template(documents: list[dict]) -> dict:
    """The documents as one deployment template: child names "parent/child", extensions with `scope`."""
    resources = []
    for document in documents:
        resource_id, arm_type = document["id"], document["type"]
        resource = {"type": arm_type, "apiVersion": "2023-01-01", "name": document["name"],
                    **{k: document[k] for k in ("location", "kind", "sku", "tags") if k in document},
                    "properties": document.get("properties", {})}
        if arm_type == "Microsoft.Insights/diagnosticSettings":
            resource["scope"] = resource_id.split("/providers/Microsoft.Insights/")[0]
        resources.append(resource)
    return {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "contentVersion": "1.0.0.0", "resources": resources}


def median_time(fn, runs: int) -> tuple[float, list[float]]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), samples


def child_peak_rss_mb(command: list[str]) -> tuple[float, float, float]:
    """(wall seconds, peak RSS in MB, CPU seconds user+system) of one run of `command` in a fresh child
    process. CPU time is what to compare on a shared machine: wall time there includes waiting for a core."""
    probe = ("import resource, subprocess, sys, time, json; s = time.perf_counter(); "
             "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
             "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
             "print(json.dumps([time.perf_counter() - s, u.ru_maxrss / 1024, u.ru_utime + u.ru_stime]))")
    out = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True)
    seconds, peak, cpu = json.loads(out.stdout)
    return seconds, peak, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--record", type=Path)
    options = parser.parse_args()

    from infra.compliance.catalog import all_controls
    from infra.compliance.engine import evaluate

    results, missed = {}, False
    documents, controls = synthetic_estate(10_000), all_controls()
    median, samples = median_time(lambda: evaluate(documents, controls), options.runs)
    findings = len(evaluate(documents, controls).findings)
    results["evaluate 10,000 ARM documents"] = {"median_s": round(median, 3), "target_s": 2.0,
                                                "runs": [round(s, 3) for s in samples],
                                                "controls": len(controls), "findings": findings}
    missed |= median > 2.0

    carelift = shutil.which("carelift") or sys.exit("carelift is not on PATH")
    command = [carelift, "audit", "--stack", "prod", "--format", "json"]
    median, samples = median_time(lambda: subprocess.run(command, stdout=subprocess.DEVNULL), options.runs)
    results["carelift audit --stack prod --format json"] = {"median_s": round(median, 3), "target_s": 20.0,
                                                            "runs": [round(s, 3) for s in samples]}
    missed |= median > 20.0

    checkov = os.environ.get("CARELIFT_CHECKOV") or shutil.which("checkov")
    if checkov:
        with tempfile.TemporaryDirectory() as tmp:
            big = Path(tmp) / "estate-2000.json"
            big.write_text(json.dumps(as_template(synthetic_estate(2_000))), encoding="utf-8")
            ours = [child_peak_rss_mb([carelift, "audit", "--arm", str(big), "--format", "json"])
                    for _ in range(options.runs)]
            theirs = [child_peak_rss_mb([checkov, "-f", str(big), "--framework", "arm", "--quiet"])
                      for _ in range(max(1, options.runs // 2))]
        ours_s, theirs_s = statistics.median(r[0] for r in ours), statistics.median(r[0] for r in theirs)
        ours_mb, theirs_mb = statistics.median(r[1] for r in ours), statistics.median(r[1] for r in theirs)
        ours_cpu, theirs_cpu = statistics.median(r[2] for r in ours), statistics.median(r[2] for r in theirs)
        results["2,000-resource template: carelift vs checkov"] = {
            "carelift_s": round(ours_s, 3), "checkov_s": round(theirs_s, 3),
            "speedup": round(theirs_s / ours_s, 1), "target_speedup": 50,
            "carelift_cpu_s": round(ours_cpu, 3), "checkov_cpu_s": round(theirs_cpu, 3),
            "cpu_speedup": round(theirs_cpu / ours_cpu, 1),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "carelift_peak_rss_mb": round(ours_mb, 1), "checkov_peak_rss_mb": round(theirs_mb, 1),
            "memory_ratio": round(ours_mb / theirs_mb, 3), "target_memory_ratio": 0.2,
            "carelift_runs_s": [round(r[0], 3) for r in ours], "checkov_runs_s": [round(r[0], 3) for r in theirs]}
        missed |= theirs_s / ours_s < 50 or ours_mb / theirs_mb > 0.2
        with tempfile.TemporaryDirectory() as tmp:
            export = Path(tmp) / "prod.json"
            subprocess.run([carelift, "infra", "export-arm", "--stack", "prod", "-o", str(export)], check=True)
            ours = [child_peak_rss_mb([carelift, "audit", "--arm", str(export), "--format", "json"])
                    for _ in range(options.runs)]
            theirs = [child_peak_rss_mb([checkov, "-f", str(export), "--framework", "arm", "--quiet"])
                      for _ in range(options.runs)]
        for name, runs in (("carelift audit --arm prod export", ours), ("checkov -f prod export --framework arm", theirs)):
            results[name] = {"median_s": round(statistics.median(r[0] for r in runs), 3),
                             "median_peak_rss_mb": round(statistics.median(r[1] for r in runs), 1),
                             "runs_s": [round(r[0], 3) for r in runs]}
    else:
        results["checkov reference"] = "skipped: set CARELIFT_CHECKOV or put checkov on PATH"

    for name, value in results.items():
        print(f"{name}: {value}")
    if options.record:
        options.record.parent.mkdir(parents=True, exist_ok=True)
        options.record.write_text(json.dumps({"cpus": os.cpu_count(), "results": results}, indent=2) + "\n",
                                  encoding="utf-8")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
