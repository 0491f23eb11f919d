"""Azure readiness per server: Ready / Ready with conditions / Not ready / Unknown, with reasons.

    readiness = assess_readiness(server, on=date(2027, 1, 4))

The status is the worst of the reasons found: Not ready > Unknown > Ready with conditions >
Ready (a server that is both incompletely recorded and certainly blocked is Not ready). Every
reason is a full sentence a migration lead can act on.

Decisions (the lifecycle is judged on `on`, the plan's start date, never on today's date):
- Unsupported platform — Not ready: Azure runs x86-64 Windows and Linux (and FreeBSD) only, so
  Solaris, AIX, HP-UX, IBM i (OS/400), z/OS, OpenVMS, Tru64, NetWare, MS-DOS, VMware ESXi and
  32-bit systems cannot move as they are. Windows Server 2003 and older, Windows 2000/NT/XP and
  Vista are Not ready too: Azure has no VM agent or support for them.
- Out of support — Ready with conditions: an OS inside its extended-update period (ESU, ELS,
  LTSS, ESM) needs enrolling; one past every extended update (e.g. Windows Server 2008 R2 after
  the Azure-only fourth ESU year ended on 2024-01-09) still boots on Azure, so it is "Ready with
  conditions: upgrade before or during migration" rather than Not ready — the upgrade is the
  condition, a HIPAA risk to close, not a technical block.
- Disks over Azure limits — Not ready: a disk above 32,767 GiB (the largest managed disk), an OS
  disk above 4,095 GiB, or more than 64 data disks (the most any size attaches). The first disk
  is taken as the OS disk, as every inventory source lists it.
- Shared (multi-writer) or RDM disks, powered-off or suspended servers, client Windows,
  distributions Azure does not endorse and unrecorded versions — Ready with conditions.
- A VM template — Not ready: it is not a server; rebuild it as an image.
- Unrecorded operating system, cores, memory or disks — Unknown.

Architecture: the importers keep no architecture field today, so a 32-bit system is caught only
when its OS text or an `architecture`/`os-architecture` tag says so.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from migrate.inventory.lifecycle import END_OF_LIFE, EXTENDED, LifecycleTable, load_lifecycle
from migrate.inventory.model import Server
from migrate.planning.model import Readiness

READY, CONDITIONS, NOT_READY, UNKNOWN = "Ready", "Ready with conditions", "Not ready", "Unknown"
_SEVERITY = {READY: 0, CONDITIONS: 1, UNKNOWN: 2, NOT_READY: 3}

MAX_DISK_GIB = 32_767
"""The largest managed disk (Premium SSD P80, Standard SSD E80, Standard HDD S80)."""
MAX_OS_DISK_GIB = 4_095
MAX_DATA_DISKS = 64
"""The most data disks any Azure VM size attaches (M-series, the largest D/E sizes attach 32)."""

_UNSUPPORTED = re.compile(
    r"solaris|sunos|\baix\b|hp-?ux|os/?400|\bi5/os|\bibm i\b|z/os|openvms|tru64|netware|ms-?dos|"
    r"\besxi?\b|windows\s+(nt|2000|xp|vista|95|98|me)\b|windows\s+server\s+(2000|2003)|\bsco\b|unixware|"
    r"\bos/2\b", re.IGNORECASE)
_32_BIT = re.compile(r"32[- ]?bit|\bx86\b(?!_64)|\bi[3-6]86\b", re.IGNORECASE)
_ARCH_TAGS = ("architecture", "os-architecture", "os_architecture", "os architecture", "arch")
# Distributions Azure endorses (Microsoft Learn, "Endorsed Linux distributions on Azure").
_ENDORSED_LINUX = ("Red Hat Enterprise Linux", "CentOS", "Oracle Linux", "Rocky Linux", "AlmaLinux",
                   "SUSE Linux Enterprise Server", "Ubuntu", "Debian", "Flatcar", "Azure Linux")


def unsupported_platform(server: Server) -> str | None:
    """What makes the server's platform impossible to run on Azure as it is, or None."""
    text = " ".join(p for p in (server.os_name, server.os_version) if p)
    found = _unsupported_text(text)
    if found:
        return found
    if any(key.lower() in _ARCH_TAGS and _32_BIT.search(value) for key, value in server.tags):
        return f"32-bit {text or 'operating system'}"
    return None


@lru_cache(maxsize=4096)
def _unsupported_text(text: str) -> str | None:
    if not text:
        return None
    if _UNSUPPORTED.search(text):
        return text
    if _32_BIT.search(text):
        return f"32-bit {text}"
    return None


def is_appliance(server: Server) -> bool:
    """A vendor appliance image: VMware Photon OS (vCenter and other VMware appliances), or a
    Linux the hypervisor only knows as "Other Linux" with no distribution, or tagged so."""
    if server.os_name in ("VMware Photon OS", "Linux"):
        return True
    return any("appliance" in f"{key} {value}".lower() for key, value in server.tags)


def assess_readiness(server: Server, on: date, lifecycle: LifecycleTable | None = None) -> Readiness:
    """The server's readiness for Azure IaaS on the date `on` (the plan's start date)."""
    if server.template:
        return Readiness(NOT_READY, (f"{server.name} is a VM template, not a running server: rebuild it as an "
                                     "image in Azure Compute Gallery instead of migrating it.",))
    found: list[tuple[str, str]] = []
    found += _operating_system(server, on, lifecycle or load_lifecycle())
    found += _capacity(server)
    found += _disks(server)
    if server.power_state in ("off", "suspended"):
        state = "powered off" if server.power_state == "off" else "suspended"
        found.append((CONDITIONS, f"{server.name} was {state} when the inventory was taken: there is no "
                                  "performance data for it, and it must run for the test migration; confirm "
                                  "with its owner that it is still needed."))
    if not found:
        return Readiness(READY)
    status = max((status for status, _ in found), key=_SEVERITY.__getitem__)
    return Readiness(status, tuple(reason for _, reason in found))


def _operating_system(server: Server, on: date, lifecycle: LifecycleTable) -> list[tuple[str, str]]:
    name, version = server.os_name, server.os_version
    text = " ".join(p for p in (name, version) if p)
    platform = unsupported_platform(server)
    if platform:
        return [(NOT_READY, f"{platform} cannot run on Azure, which runs 64-bit x86 Windows and Linux: "
                            "re-platform the workload or keep it on premises.")]
    if not text:
        return [(UNKNOWN, "The operating system is not recorded: readiness and licensing cannot be judged; "
                          "add it from vCenter, the CMDB or the server itself.")]
    if server.os_family in ("unknown", "other") and name not in ("FreeBSD",):
        return [(UNKNOWN, f"The operating system \"{text}\" is not one carelift recognises: check that Azure "
                          "supports it before planning the move.")]
    reasons = _lifecycle(text, on, lifecycle)
    if server.os_family == "windows" and name == "Windows":
        reasons.append((CONDITIONS, f"{text} is a client operating system: Azure runs it only with qualifying "
                                    "licences (Windows Enterprise E3/E5 per user or Azure Virtual Desktop); "
                                    "confirm the licensing or move the workload to Windows Server."))
    elif server.os_family == "windows" and version is None:
        reasons.append((CONDITIONS, "The Windows Server version is not recorded: confirm it is a release Azure "
                                    "supports (2008 R2 or later) before migration."))
    elif server.os_family == "linux" and name == "Linux":
        reasons.append((CONDITIONS, "The Linux distribution is not recorded (the hypervisor knows it only as "
                                    "\"Other Linux\"): it is often a vendor appliance; confirm the vendor supports "
                                    "it on Azure and that it has the Hyper-V drivers and the Azure Linux agent."))
    elif server.os_family == "linux" and name not in _ENDORSED_LINUX:
        reasons.append((CONDITIONS, f"{name} is not a Linux distribution Azure endorses: it can run, but "
                                    "Microsoft support is limited; confirm the Hyper-V drivers, the Azure Linux "
                                    "agent and the vendor's support."))
    elif server.os_family == "linux" and version is None:
        reasons.append((CONDITIONS, f"The {name} version is not recorded: confirm it is a supported release "
                                    "before migration."))
    return reasons


def _lifecycle(text: str, on: date, lifecycle: LifecycleTable) -> list[tuple[str, str]]:
    system = _find(lifecycle, text)
    if system is None:
        return []
    status = system.status(on)
    if status == EXTENDED:
        note = f" ({system.note})" if system.note else ""
        return [(CONDITIONS, f"{system.name} left regular support on {system.end_of_support.isoformat()}; "
                             f"extended security updates run until {system.extended_until.isoformat()}{note}: "
                             "enrol the server in them and plan its upgrade.")]
    if status == END_OF_LIFE:
        extended = (f" and its extended security updates ended on {system.extended_until.isoformat()}"
                    if system.extended_until else "")
        return [(CONDITIONS, f"{system.name} left support on {system.end_of_support.isoformat()}{extended}: "
                             "it gets no security fixes (a HIPAA risk), so upgrade it before or during "
                             "migration.")]
    return []


_FOUND: dict[int, tuple[LifecycleTable, dict]] = {}


def _find(lifecycle: LifecycleTable, text: str):
    # Estates repeat a few dozen OS strings: run the table's regular expressions once for each.
    # Keyed by the table's id (hashing the table itself costs more than the search), holding the
    # table so its id cannot be reused.
    table, found = _FOUND.setdefault(id(lifecycle), (lifecycle, {}))
    if text not in found:
        found[text] = table.find(text)
    return found[text]


def _capacity(server: Server) -> list[tuple[str, str]]:
    reasons = []
    if not server.cores or server.cores <= 0:
        reasons.append((UNKNOWN, "The number of cores is not recorded: the server cannot be sized."))
    if not server.memory_mb or server.memory_mb <= 0:
        reasons.append((UNKNOWN, "The memory size is not recorded: the server cannot be sized."))
    if not server.disks:
        reasons.append((UNKNOWN, "No disks are recorded: storage cannot be sized, costed or replicated."))
    return reasons


def _disks(server: Server) -> list[tuple[str, str]]:
    reasons: list[tuple[str, str]] = []
    if not server.disks:
        return reasons
    os_disk, data = server.disks[0], server.disks[1:]
    if os_disk.size_gb > MAX_OS_DISK_GIB:
        reasons.append((NOT_READY, f"The OS disk ({os_disk.label}, {os_disk.size_gb:,.0f} GB) is larger than "
                                   f"Azure's {MAX_OS_DISK_GIB:,} GiB limit for OS disks: move data off it before "
                                   "migration."))
    for disk in data:
        if disk.size_gb > MAX_DISK_GIB:
            reasons.append((NOT_READY, f"Disk {disk.label} ({disk.size_gb:,.0f} GB) is larger than the largest "
                                       f"managed disk ({MAX_DISK_GIB:,} GiB): split it across disks in a striped "
                                       "volume, or move the data to Azure Files or Blob storage."))
    if len(data) > MAX_DATA_DISKS:
        reasons.append((NOT_READY, f"{len(data)} data disks are more than any Azure VM size attaches "
                                   f"({MAX_DATA_DISKS}): consolidate volumes before migration."))
    shared = [d.label for d in server.disks if d.shared]
    if shared:
        reasons.append((CONDITIONS, f"Disk(s) {', '.join(shared)} are shared (multi-writer) or raw device "
                                    "mappings, which Azure Migrate does not replicate: rebuild the cluster on "
                                    "Azure shared disks or move the data with the application's own tools "
                                    "(e.g. SQL Server Always On)."))
    return reasons
