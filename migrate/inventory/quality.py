"""Inventory quality for `carelift inventory quality`: what a planner would otherwise guess.

One finding per server and check (a duplicate IP is one finding per address). Checks:
missing owner, application, tier or data classification; an OS the importers could not
recognise (family "unknown"); no dependency data (powered-on servers only: a powered-off VM
cannot show traffic); an IP address carried by several servers (loopback, link-local and
unspecified addresses ignored); an OS past its vendor's end of support — "extended" while
paid or Azure-provided extended updates still run, "end-of-life" after.
"""

from __future__ import annotations

import ipaddress
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Sequence

from migrate.inventory.lifecycle import END_OF_LIFE, EXTENDED, LifecycleTable
from migrate.inventory.model import Server

CHECKS = {
    "missing-owner": "no owner",
    "missing-application": "no application",
    "missing-tier": "no criticality tier",
    "missing-classification": "no data classification",
    "unknown-os": "operating system not recognised",
    "no-dependencies": "no dependency data (powered-on servers)",
    "duplicate-ip": "IP address on several servers",
    "os-end-of-life": "OS past end of support, no extended updates left",
    "os-extended-support": "OS past end of support, on extended updates only",
}


@dataclass(frozen=True)
class Finding:
    check: str
    subject: str
    """The server's name (the IP address for duplicate-ip)."""
    detail: str = ""


@dataclass(frozen=True)
class QualityReport:
    as_of: date
    lifecycle_date: date
    servers: int
    findings: tuple[Finding, ...]
    end_of_support: tuple[tuple[str, str, int], ...]
    """(OS, status, servers) for every OS past end of support, most servers first."""

    @property
    def issues(self) -> int:
        return len(self.findings)

    def counts(self) -> dict[str, int]:
        found = Counter(f.check for f in self.findings)
        return {check: found.get(check, 0) for check in CHECKS}

    def to_json(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "lifecycle_table_date": self.lifecycle_date.isoformat(),
                "servers": self.servers, "issues": self.issues, "counts": self.counts(),
                "end_of_support": [{"os": os, "status": status, "servers": n} for os, status, n in self.end_of_support],
                "findings": [{"check": f.check, "subject": f.subject, "detail": f.detail} for f in self.findings]}


def assess(servers: Sequence[Server], with_dependencies: Iterable[str], lifecycle: LifecycleTable,
           as_of: date) -> QualityReport:
    """`with_dependencies`: names of the servers that appear in at least one dependency edge."""
    connected = {name.lower() for name in with_dependencies}
    findings: list[Finding] = []
    support: Counter = Counter()
    for server in servers:
        name = server.name
        for check, missing in (("missing-owner", not server.owner), ("missing-application", not server.applications),
                               ("missing-tier", server.tier is None),
                               ("missing-classification", not server.data_classification)):
            if missing:
                findings.append(Finding(check, name))
        if server.os_family == "unknown":
            findings.append(Finding("unknown-os", name, server.os_name or "no OS reported"))
        if server.power_state != "off" and name.lower() not in connected:
            findings.append(Finding("no-dependencies", name))
        system = lifecycle.find(server.os_name, server.os_version)
        if system is None:
            continue
        status = system.status(as_of)
        if status == END_OF_LIFE:
            until = system.extended_until or system.end_of_support
            findings.append(Finding("os-end-of-life", name, f"{system.name}: updates ended {until.isoformat()}"))
        elif status == EXTENDED and system.extended_until is not None:  # EXTENDED implies the date
            findings.append(Finding("os-extended-support", name, f"{system.name}: extended updates until "
                                                                  f"{system.extended_until.isoformat()}"))
        if status in (END_OF_LIFE, EXTENDED):
            support[(system.name, status)] += 1
    findings += duplicate_ips(servers)
    order = list(CHECKS)
    findings.sort(key=lambda f: (order.index(f.check), f.subject.lower(), f.subject))
    return QualityReport(as_of=as_of, lifecycle_date=lifecycle.table_date, servers=len(servers),
                         findings=tuple(findings),
                         end_of_support=tuple((os, status, n) for (os, status), n in
                                              sorted(support.items(), key=lambda item: (-item[1], item[0]))))


def duplicate_ips(servers: Iterable[Server]) -> list[Finding]:
    holders: dict[str, set[str]] = defaultdict(set)
    for server in servers:
        for text in server.ips:
            try:
                address = ipaddress.ip_address(text.strip())
            except ValueError:
                continue
            if not (address.is_loopback or address.is_link_local or address.is_unspecified):
                holders[str(address)].add(server.name)
    return [Finding("duplicate-ip", address, "on " + ", ".join(sorted(names, key=str.lower)))
            for address, names in holders.items() if len(names) > 1]
