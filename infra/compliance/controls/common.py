"""Check pieces several services share."""

from __future__ import annotations

from infra.compliance.describe import sentence
from infra.compliance.index import get
from infra.compliance.model import Document, Outcome, failed, passed


def closed_to_public_networks(resource: Document, consequence: str) -> Outcome:
    """Pass when publicNetworkAccess is Disabled and networkAcls deny by default; `consequence` ends a failure."""
    problems = []
    if get(resource, "properties.publicNetworkAccess") != "Disabled":
        problems.append("does not disable public network access")
    if get(resource, "properties.networkAcls.defaultAction") != "Deny":
        problems.append("does not deny by default in its network ACLs")
    if not problems:
        return passed(sentence(resource, "has public network access disabled and network ACLs denying by default"))
    return failed(sentence(resource, f"{' and '.join(problems)}, {consequence}"))
