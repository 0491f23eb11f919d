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
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import TYPE_CHECKING, Any, Sequence

from infra.compliance.outputs import TOOL_NAME, AuditMeta

if TYPE_CHECKING:
    from infra.compliance.engine import AuditResult
    from infra.compliance.model import Control


def report(result: AuditResult, meta: AuditMeta) -> dict[str, Any]:
    return {"source": meta.source, "generatedAt": meta.generated_at,
            "tool": {"name": TOOL_NAME, "version": meta.tool_version}, **result.to_json()}


def render(result: AuditResult, controls: Sequence[Control], meta: AuditMeta) -> str:
    return indented(report(result, meta)) + "\n"


def indented(value: Any) -> str:
    """Exactly ``json.dumps(value, indent=2, ensure_ascii=False)``, about twice as fast.

    Python 3.11's C encoder cannot indent, and the pure-Python one dominated the audit of a large
    template (tens of thousands of findings). Strings go through the C string encoder.
    """
    out: list[str] = []
    append = out.append

    def walk(node: Any, pad: str) -> None:
        if isinstance(node, str):
            append(encode_basestring(node))
        elif isinstance(node, dict):
            if not node:
                append("{}")
                return
            inner = pad + "  "
            append("{\n")
            for number, (key, item) in enumerate(node.items()):
                append(f",\n{inner}" if number else inner)
                append(f"{encode_basestring(str(key))}: ")
                if type(item) is str:  # most leaves: no call per value
                    append(encode_basestring(item))
                else:
                    walk(item, inner)
            append(f"\n{pad}}}")
        elif isinstance(node, (list, tuple)):
            if not node:
                append("[]")
                return
            inner = pad + "  "
            append("[\n")
            for number, item in enumerate(node):
                append(f",\n{inner}" if number else inner)
                if type(item) is str:
                    append(encode_basestring(item))
                else:
                    walk(item, inner)
            append(f"\n{pad}]")
        elif node is True or node is False or node is None or isinstance(node, (int, float)):
            append(json.dumps(node))
        else:
            raise TypeError(f"Object of type {type(node).__name__} is not JSON serializable")

    walk(value, "")
    return "".join(out)
