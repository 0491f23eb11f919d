"""JSON report: ``{"source", "generatedAt", "tool", "summary", "findings"}``.

`summary` is ``{"controls", "resources", "passed", "failed", "waived", "manual", "errors",
"notAudited"}``; each finding carries control, resourceId, resourceType, status (pass, fail,
waived, manual, error), severity, citations, message (and the waiver when waived), in the
engine's order (control id, then resource id). ``notAudited`` lists the parts of the input that
were not audited (location, reason, what they hide); ``unusedWaivers`` the waivers that matched
nothing, when there are any.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Sequence

from infra.compliance.outputs import TOOL_NAME, AuditMeta

if TYPE_CHECKING:
    from infra.compliance.engine import AuditResult
    from infra.compliance.model import Control


def report(result: AuditResult, meta: AuditMeta) -> dict[str, Any]:
    return {"source": meta.source, "generatedAt": meta.generated_at,
            "tool": {"name": TOOL_NAME, "version": meta.tool_version}, **result.to_json()}


def render(result: AuditResult, controls: Sequence[Control], meta: AuditMeta) -> str:
    return json.dumps(report(result, meta), indent=2, ensure_ascii=False) + "\n"
