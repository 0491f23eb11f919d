"""Inventory quality findings and estate statistics."""

from __future__ import annotations

from datetime import date

from migrate.inventory.lifecycle import load_lifecycle
from migrate.inventory.model import Disk, Server
from migrate.inventory.quality import CHECKS, assess
from migrate.inventory.stats import estate_stats

COMPLETE = Server(name="epic01", os_name="Windows Server", os_version="2022", os_family="windows", owner="EHR",
                  applications=("Epic",), tier=0, data_classification="phi", ips=("10.0.0.1", "127.0.0.1"),
                  power_state="on", cores=8, memory_mb=32768, disks=(Disk("c", 100, 60),), environment="prd",
                  cluster="clu-a")
BARE = Server(name="old01", os_name="Windows Server 2008 R2", os_family="windows", ips=("10.0.0.2", "127.0.0.1"),
              power_state="on")
ODD = Server(name="odd01", os_name="Plan 9", ips=("10.0.0.2",), power_state="off")
AS_OF = date(2026, 11, 27)


def report(servers, connected=("epic01",)):
    return assess(servers, connected, load_lifecycle(), AS_OF)


def test_a_complete_server_has_no_findings():
    result = report([COMPLETE])
    assert result.issues == 0
    assert set(result.counts()) == set(CHECKS) and not any(result.counts().values())


def test_each_gap_is_one_finding_per_server():
    result = report([COMPLETE, BARE, ODD])
    counts = result.counts()
    assert counts["missing-owner"] == counts["missing-application"] == 2
    assert counts["missing-tier"] == counts["missing-classification"] == 2
    assert counts["unknown-os"] == 1  # Plan 9
    assert counts["no-dependencies"] == 1  # old01; odd01 is powered off, epic01 has edges
    assert counts["duplicate-ip"] == 1  # 10.0.0.2; loopback ignored
    assert counts["os-end-of-life"] == 1
    assert result.issues == sum(counts.values())
    [duplicate] = [f for f in result.findings if f.check == "duplicate-ip"]
    assert (duplicate.subject, duplicate.detail) == ("10.0.0.2", "on odd01, old01")
    assert result.end_of_support == (("Windows Server 2008 / 2008 R2", "end-of-life", 1),)


def test_findings_are_in_check_order_then_by_subject():
    checks = list(CHECKS)
    findings = report([ODD, BARE, COMPLETE]).findings
    assert list(findings) == sorted(findings, key=lambda f: (checks.index(f.check), f.subject.lower()))


def test_stats_count_by_family_environment_tier_cluster_and_total_resources():
    stats = estate_stats([COMPLETE, BARE, ODD])
    assert stats.servers == 3 and stats.powered_off == 1
    assert stats.by_os_family == (("windows", 2), ("unknown", 1))
    assert stats.by_environment == (("prd", 1), ("unset", 2))
    assert stats.by_tier == (("0", 1), ("unset", 2))
    assert stats.by_cluster == (("clu-a", 1), ("unset", 2))
    assert (stats.cores, stats.memory_mb, stats.storage_gb, stats.storage_used_gb) == (8, 32768, 100, 60)
    assert stats.to_json()["totals"] == {"cores": 8, "memory_mb": 32768, "storage_gb": 100, "storage_used_gb": 60}
