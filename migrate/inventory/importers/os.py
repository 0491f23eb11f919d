"""Operating-system strings as exports write them → family, canonical name, version.

VMware (`Microsoft Windows Server 2012 R2 (64-bit)`, `CentOS 4/5/6/7 (64-bit)`), Azure Migrate
(`Windows Server 2016 Datacenter`), ServiceNow (`Windows 2012 R2 Standard` + `6.3.9600`, `Linux Red
Hat` + `7.9`) and people (`RHEL 8`, `Ubuntu 20.04 LTS`) all name the same few systems.

Canonical names, with the version form the lifecycle table keys on:

| name | version |
|---|---|
| Windows Server | 2003, 2008, 2008 R2, 2012, 2012 R2, 2016, 2019, 2022, 2025 |
| Windows | 7, 8.1, 10, 11 (clients) |
| Red Hat Enterprise Linux, CentOS, Oracle Linux, Rocky Linux, AlmaLinux, Debian | major, with its minor part when the source gives one (`7`, `7.1`; CentOS `7.9.2009` → `7.9`) |
| SUSE Linux Enterprise Server | major (`12`, `15`), with a dotted minor part when given (`15.4`); a service pack written `SP5` is dropped |
| Ubuntu | `YY.MM` (`18.04`) |
| Linux | none (VMware's "Other Linux") |
| FreeBSD, Solaris, VMware ESXi, ... | as found (family `other`) |

An ambiguous string (`CentOS 4/5/6/7`, `Ubuntu Linux (64-bit)`) keeps its name with no version.
An unrecognised string keeps its text as the name, with family `windows`/`linux` when the
string says so, else `unknown` (the `inventory quality` report lists those).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class OsInfo:
    family: str = "unknown"
    name: str | None = None
    version: str | None = None


_ARCH = re.compile(r"\(\s*(32|64)[- ]?bit\s*\)|\b(x64|x86_64|amd64|64-bit|32-bit)\b", re.IGNORECASE)

_WINDOWS_BUILDS = {  # NT kernel version → Windows Server release (ServiceNow writes os_version so)
    "5.2": "2003", "6.0": "2008", "6.1": "2008 R2", "6.2": "2012", "6.3": "2012 R2",
}
_WINDOWS_10_BUILDS = {"14393": "2016", "17763": "2019", "20348": "2022", "26100": "2025"}

_LINUX = [  # (pattern, canonical name, version style)
    (re.compile(r"red\s*hat|\brhel", re.I), "Red Hat Enterprise Linux", "major"),
    (re.compile(r"centos", re.I), "CentOS", "major"),
    (re.compile(r"oracle\s+linux|\boel\b|oracle\s+enterprise\s+linux", re.I), "Oracle Linux", "major"),
    (re.compile(r"rocky", re.I), "Rocky Linux", "major"),
    (re.compile(r"alma\s*linux", re.I), "AlmaLinux", "major"),
    (re.compile(r"suse|\bsles\b", re.I), "SUSE Linux Enterprise Server", "major"),
    (re.compile(r"ubuntu", re.I), "Ubuntu", "ubuntu"),
    (re.compile(r"debian", re.I), "Debian", "major"),
    (re.compile(r"amazon\s+linux", re.I), "Amazon Linux", "major"),
    (re.compile(r"photon", re.I), "VMware Photon OS", "major"),
]
_OTHER = [
    (re.compile(r"freebsd", re.I), "FreeBSD"),
    (re.compile(r"solaris|sunos", re.I), "Solaris"),
    (re.compile(r"\besxi?\b", re.I), "VMware ESXi"),
    (re.compile(r"\baix\b", re.I), "AIX"),
    (re.compile(r"hp-?ux", re.I), "HP-UX"),
    (re.compile(r"netware", re.I), "NetWare"),
    (re.compile(r"ms-?dos", re.I), "MS-DOS"),
]


@lru_cache(maxsize=4096)
def normalise_os(text: str | None, version: str | None = None) -> OsInfo:
    """`text` (the OS name cell) and optionally a separate version cell → OsInfo.

    Cached: an export names a few dozen systems over thousands of rows (OsInfo is immutable)."""
    raw = " ".join(part.strip() for part in (text or "", version or "") if part and part.strip())
    if not raw:
        return OsInfo()
    cleaned = re.sub(r"\s+", " ", _ARCH.sub(" ", raw)).strip()
    lowered = cleaned.casefold()
    if "windows" in lowered or re.search(r"\bwin(20\d\d|2k\d?)\b", lowered):
        return _windows(cleaned, lowered, version)
    for pattern, name, style in _LINUX:
        if pattern.search(cleaned):
            # A separate version cell is the more precise (`Red Hat Enterprise Linux 8` + `8.5` is 8.5).
            given = _linux_version(_ARCH.sub(" ", version), style) if version and version.strip() else None
            return OsInfo("linux", name, given or _linux_version(cleaned, style))
    for pattern, name in _OTHER:
        if pattern.search(cleaned):
            number = re.search(r"\b(\d+(?:\.\d+)?)\b", cleaned)
            return OsInfo("other", name, number.group(1) if number else None)
    if re.search(r"\blinux\b", lowered):
        if re.fullmatch(r"(other\s+)?([\d.x]+\s+(or later\s+)?)?linux(\s+[\d.x]+)?(\s+kernel)?(\s+or later)?",
                        re.sub(r"[()]", " ", lowered).strip().replace("  ", " ")):
            return OsInfo("linux", "Linux", None)
        return OsInfo("linux", cleaned[:200], None)
    return OsInfo("unknown", cleaned[:200], None)


def _windows(cleaned: str, lowered: str, version: str | None) -> OsInfo:
    server = "server" in lowered or re.search(r"\b(20\d\d)\b", lowered) is not None \
        or re.search(r"\bwin2k\d?\b", lowered) is not None
    year = re.search(r"\b(2003|2008|2012|2016|2019|2022|2025)\b", lowered)
    if year is None:
        short = re.search(r"\bwin(2003|2008|2012|2016|2019|2022|2025)\b", lowered)
        year = short
    if year is not None and server:
        release = year.group(1)
        if release in ("2003", "2008", "2012") and re.search(rf"{release}\s*r2\b", lowered):
            release += " R2"
        build = _windows_from_build(version) if version else None
        if build and build.startswith(release):  # `Windows 2008` + `6.1.7601` is 2008 R2
            release = build
        return OsInfo("windows", "Windows Server", release)
    if server:
        build = _windows_from_build(version or cleaned)
        return OsInfo("windows", "Windows Server", build)
    client = re.search(r"windows\s+(xp|vista|7|8\.1|8|10|11)\b", lowered)
    if client:
        return OsInfo("windows", "Windows", client.group(1).upper() if client.group(1) in ("xp",) else client.group(1))
    build = _windows_from_build(version or cleaned)
    if build:
        return OsInfo("windows", "Windows Server", build)
    return OsInfo("windows", "Windows", None)


def _windows_from_build(text: str) -> str | None:
    match = re.search(r"\b(\d+)\.(\d+)(?:\.(\d+))?", text)
    if not match:
        return None
    major_minor = f"{match.group(1)}.{match.group(2)}"
    if major_minor in _WINDOWS_BUILDS:
        return _WINDOWS_BUILDS[major_minor]
    if major_minor == "10.0" and match.group(3):
        return _WINDOWS_10_BUILDS.get(match.group(3))
    return None


def _linux_version(cleaned: str, style: str) -> str | None:
    if re.search(r"\d+\s*/\s*\d+", cleaned):  # `CentOS 4/5/6/7`: VMware's guest type names no single version
        return None
    if style == "ubuntu":
        match = re.search(r"\b(\d{2})\.(\d{2})(?:\.\d+)?\b", cleaned)
        return f"{match.group(1)}.{match.group(2)}" if match else None
    match = re.search(r"(?<![\d.])(\d{1,2})(?:\.(\d+))?(?:\.\d+)*(?![\d])", cleaned)
    if not match:
        return None
    # The minor release is kept (`7.1`): readiness and support differ between minor releases,
    # and the lifecycle table's patterns match the major part either way.
    return f"{match.group(1)}.{match.group(2)}" if match.group(2) else match.group(1)
