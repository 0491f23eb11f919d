"""Check pieces several services share."""

from __future__ import annotations

from infra.compliance.controls.values import same, setting
from infra.compliance.describe import sentence
from infra.compliance.model import Document, Outcome, failed, passed


def closed_to_public_networks(resource: Document, consequence: str) -> Outcome:
    """Pass when publicNetworkAccess is Disabled and networkAcls deny by default; `consequence` ends a failure."""
    access = setting(resource, "properties.publicNetworkAccess")
    action = setting(resource, "properties.networkAcls.defaultAction")
    problems = []
    if not same(access.value, "Disabled"):
        problems.append(f"does not disable public network access{access.note}")
    if not same(action.value, "Deny"):
        problems.append(f"does not deny by default in its network ACLs{action.note}")
    if not problems:
        return passed(sentence(resource, "has public network access disabled and network ACLs denying by default"))
    return failed(sentence(resource, f"{' and '.join(problems)}, {consequence}"))
