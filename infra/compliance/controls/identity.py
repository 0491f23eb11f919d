"""Identity: few subscription Owners, and none granted directly to user accounts.

What ARM can and cannot tell. A role assignment carries the principal's object id and its
principalType (User, Group, ServicePrincipal, ForeignGroup, Device), never whether a user is
a guest: that lives in Microsoft Entra ID (userType Guest, #EXT# in the UPN), which the
catalog does not read. So the guest rule is enforced the only way ARM documents can prove it:
Owner goes to groups (whose membership, guests included, Entra access reviews govern) or to
workload identities, never straight to a user account, and never to a ForeignGroup (another
tenant's group). Guests inside an Owner group remain invisible here; review them in Entra.
"""

from __future__ import annotations

from infra.compliance.controls.governance import ROLE_ASSIGNMENT_TYPE, extension_scope, subscription_scopes
from infra.compliance.describe import sentence
from infra.compliance.index import ResourceIndex, get
from infra.compliance.model import SUBSCRIPTION_TYPE, Document, Outcome, failed, passed
from infra.compliance.registry import control

OWNER_ROLE = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
MAX_OWNERS = 3
OWNER_PRINCIPAL_TYPES = ("Group", "ServicePrincipal")


def is_owner(assignment: Document) -> bool:
    return str(get(assignment, "properties.roleDefinitionId", "")).lower().rstrip("/").endswith(f"/{OWNER_ROLE}")


@control(
    id="CL-IAM-001", title="A subscription has at most three Owners", severity="medium", scope="subscription",
    citations=("45 CFR 164.308(a)(3)", "45 CFR 164.308(a)(4)"),
    types=(SUBSCRIPTION_TYPE,), policy=("4f11b553-d42e-4e3a-89be-32ca364cad4c",),
    remediation="Remove Owner assignments at the subscription (and the management groups above it) until at most "
                "three principals remain; use Contributor or narrower roles, and PIM for elevation.",
)
def few_owners(subscription: Document, index: ResourceIndex) -> Outcome:
    """Every Owner can grant anyone access to ePHI: the fewer, the smaller the risk."""
    scopes = {s.lower() for s in subscription_scopes(subscription, index)}
    owners = sorted({str(get(a, "properties.principalId", "unknown")).lower()
                     for a in index.of_type(ROLE_ASSIGNMENT_TYPE)
                     if is_owner(a) and extension_scope(a).lower() in scopes})
    if len(owners) <= MAX_OWNERS:
        return passed(sentence(subscription, f"has {len(owners)} Owner{'s' if len(owners) != 1 else ''} at the "
                                             f"subscription or above (at most {MAX_OWNERS})"))
    return failed(sentence(subscription, f"has {len(owners)} Owners at the subscription or above, more than "
                                         f"{MAX_OWNERS}: {', '.join(owners)}"))


@control(
    id="CL-IAM-002", title="Owner is not granted directly to user accounts or foreign groups", severity="high",
    scope="resource",
    citations=("45 CFR 164.308(a)(3)", "45 CFR 164.308(a)(4)", "45 CFR 164.312(a)(1)"),
    types=(ROLE_ASSIGNMENT_TYPE,), policy=("339353f6-2387-4a45-abe4-7f529d121046",),
    remediation="Grant Owner to an Entra group under access review (or a workload identity) instead of the user; "
                "remove Owner from guests and foreign groups.",
    description="ARM cannot tell a guest user from a member; a direct user Owner could be a guest, so it fails.",
)
def owner_not_direct_user(assignment: Document, index: ResourceIndex) -> Outcome:
    """Owners stay under reviewed group membership, where guests are visible and removable."""
    if not is_owner(assignment):
        return passed(sentence(assignment, "does not grant the Owner role"))
    principal_type = get(assignment, "properties.principalType")
    principal = get(assignment, "properties.principalId", "unknown")
    if principal_type in OWNER_PRINCIPAL_TYPES:
        return passed(sentence(assignment, f"grants Owner to {principal_type} {principal}"))
    return failed(sentence(assignment, f"grants Owner directly to {principal_type or 'an unstated principal type'} "
                                       f"{principal}, which may be a guest; ARM cannot prove otherwise"))
