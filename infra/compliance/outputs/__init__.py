"""Audit reports: pure functions from an `AuditResult` (+ the catalog, + `AuditMeta`) to text.

Formats: ``json`` (summary and findings), ``sarif`` (SARIF 2.1.0 for code-scanning tools),
``junit`` (JUnit XML for CI), ``html`` (self-contained, for auditors, grouped by HIPAA
safeguard) and ``oscal`` (OSCAL assessment results). `evidence.write_evidence` bundles them
with the evaluated documents and a SHA-256 manifest.

Every format is deterministic for a given meta: `AuditMeta.generated_at` is the only timestamp,
given by the caller, and everything else is sorted.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from infra.compliance.engine import AuditResult
    from infra.compliance.model import Control

FORMATS = ("json", "sarif", "junit", "html", "oscal")
TOOL_NAME = "carelift"


@dataclass(frozen=True)
class AuditMeta:
    source: str
    """What was audited, e.g. "stack prod (offline render)" or "subscription <id>"."""
    generated_at: str
    """ISO 8601 timestamp with a time zone, e.g. "2026-03-01T12:00:00Z"; the reports' only timestamp."""
    tool_version: str

    def __post_init__(self) -> None:
        try:
            moment = datetime.datetime.fromisoformat(self.generated_at)
        except (TypeError, ValueError):
            raise ValueError(f"generated_at {self.generated_at!r} is not an ISO 8601 timestamp") from None
        if moment.tzinfo is None:
            raise ValueError(f"generated_at {self.generated_at!r} needs a time zone (e.g. a trailing Z)")

    @property
    def generated_utc(self) -> str:
        """`generated_at` in UTC with a trailing Z, as SARIF and OSCAL write timestamps."""
        moment = datetime.datetime.fromisoformat(self.generated_at).astimezone(datetime.timezone.utc)
        return moment.isoformat().replace("+00:00", "Z")


def render(fmt: str, result: AuditResult, controls: Sequence[Control], meta: AuditMeta) -> str:
    """The report in format `fmt` (one of FORMATS)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r} (expected one of {', '.join(FORMATS)})")
    module = import_module(f"infra.compliance.outputs.{fmt}")
    # The engine adds CL-INPUT-001 for resources it could not read; every format shows its findings.
    known = {c.id for c in controls}
    controls = tuple(controls) + tuple(c for c in result.controls if c.id not in known)
    return module.render(result, controls, meta)
