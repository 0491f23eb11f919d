"""Self-contained HTML report for auditors, grouped by HIPAA safeguard.

One file, inline CSS, no scripts and no external assets, so it can be archived as evidence and
opened offline. Each control is shown in full under the safeguard of its first citation (and
cross-referenced under the others it cites); within a safeguard, controls with failures come
first, and within a control failed findings come first, then waived ones with justification,
approver and expiry, then passed ones (collapsed). Jinja2 autoescapes every value.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from infra.compliance.model import SAFEGUARDS, Status
from infra.compliance.outputs import TOOL_NAME, AuditMeta

if TYPE_CHECKING:
    from infra.compliance.engine import AuditResult
    from infra.compliance.model import Control, Finding, Waiver

TEMPLATES = Path(__file__).resolve().parent / "templates"
UNMAPPED = "Controls without a HIPAA Security Rule citation"
_STATUS_ORDER = {Status.ERROR: 0, Status.FAIL: 1, Status.MANUAL: 2, Status.WAIVED: 3, Status.PASS: 4}


@dataclass(frozen=True)
class ControlView:
    control: Control
    findings: tuple[Finding, ...]
    """Failed, then waived, then passed; by resource id within each."""
    anchor: str

    def count(self, status: str) -> int:
        return sum(f.status.value == status for f in self.findings)

    @property
    def problems(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.status is not Status.PASS)

    @property
    def passes(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.status is Status.PASS)


@dataclass(frozen=True)
class Section:
    title: str
    anchor: str
    controls: tuple[ControlView, ...]
    """Controls whose first citation falls in this safeguard."""
    also: tuple[ControlView, ...]
    """Controls shown under another safeguard that also cite this one."""

    def count(self, status: str) -> int:
        return sum(view.count(status) for view in self.controls)


def sections(result: AuditResult, controls: Sequence[Control]) -> tuple[Section, ...]:
    by_control: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_control.setdefault(finding.control, []).append(finding)
    views = [ControlView(control=c, anchor=c.id.lower(), findings=tuple(sorted(
        by_control.get(c.id, []), key=lambda f: (_STATUS_ORDER[f.status], f.resource_id.lower()))))
        for c in controls]
    views.sort(key=lambda v: (-bool(v.count("fail")), -bool(v.count("waived")), v.control.severity.rank,
                              v.control.id))
    titles = [*SAFEGUARDS.values(), UNMAPPED]
    primary: dict[str, list[ControlView]] = {t: [] for t in titles}
    also: dict[str, list[ControlView]] = {t: [] for t in titles}
    for view in views:
        safeguards = view.control.safeguards or (UNMAPPED,)
        primary[safeguards[0]].append(view)
        for other in safeguards[1:]:
            also[other].append(view)
    return tuple(Section(title=t, anchor="safeguard-" + t.lower().replace(" ", "-").replace(",", ""),
                         controls=tuple(primary[t]), also=tuple(also[t]))
                 for t in titles if primary[t] or also[t])


EXPIRING_DAYS = 30


@dataclass(frozen=True)
class Attention:
    """What the report opens with: failures first, then waivers about to lapse or matching nothing."""
    failures: tuple[Finding, ...]
    """Failed and errored findings, errors first, then by severity and control."""
    expiring: tuple[tuple[Waiver, int], ...]
    """Waivers in use that expire within EXPIRING_DAYS of the report's date, with their findings count."""
    unused: tuple[Waiver, ...]


def attention(result: AuditResult, meta: AuditMeta) -> Attention:
    failures = tuple(sorted((f for f in result.findings if f.status in (Status.FAIL, Status.ERROR)),
                            key=lambda f: (_STATUS_ORDER[f.status], f.severity.rank, f.control, f.resource_id.lower())))
    today = datetime.datetime.fromisoformat(meta.generated_at).date()
    used: dict[Waiver, int] = {}
    for finding in result.findings:
        if finding.waiver is not None:
            used[finding.waiver] = used.get(finding.waiver, 0) + 1
    expiring = tuple(sorted(((w, n) for w, n in used.items() if _expires_within(w.expires, today, EXPIRING_DAYS)),
                            key=lambda item: (item[0].expires, item[0].control, item[0].resource)))
    return Attention(failures, expiring, tuple(result.unused_waivers))


def _expires_within(expires: str, today: datetime.date, days: int) -> bool:
    """True when `expires` is a date at most `days` after `today` (or before it); False when it is no date."""
    left = _days_left(expires, today)
    return left is not None and left <= days


def _days_left(expires: str, today: datetime.date) -> int | None:
    try:
        return (datetime.date.fromisoformat(str(expires)) - today).days
    except ValueError:
        return None


def render(result: AuditResult, controls: Sequence[Control], meta: AuditMeta) -> str:
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    template = environment.get_template("report.html.j2")
    return template.render(meta=meta, tool=TOOL_NAME, summary=result.summary(),
                           sections=sections(result, controls), not_audited=result.not_audited,
                           attention=attention(result, meta), expiring_days=EXPIRING_DAYS)
