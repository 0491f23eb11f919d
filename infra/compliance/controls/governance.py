"""Governance: the HIPAA policy baseline, Defender for Cloud plans and data residency.

Policy coverage is judged per subscription (the SUBSCRIPTION_TYPE pseudo-resource). An
assignment covers a subscription when its scope is the subscription itself or a management
group above it, and the subscription is not in its notScopes. "Above it" is what the
documents show: a placement (Microsoft.Management/managementGroups/subscriptions) puts the
subscription under a group, and each group's properties.details.parent.id leads further up.
An assignment at a management group the documents do not connect to the subscription does
not count: the catalog cannot prove it applies. A live audit that lists no management groups
must add them (and the placement) to its documents, or waive the finding with evidence.
"""

from __future__ import annotations

import datetime
from typing import Any, Callable

from infra.compliance.controls.tagging import LOCATED_TYPES
from infra.compliance.controls.values import same
from infra.compliance.describe import sentence
from infra.compliance.index import ResourceIndex, get, get_list, type_of
from infra.compliance.model import SUBSCRIPTION_TYPE, Document, Outcome, failed, passed
from infra.compliance.registry import control

SUBSCRIPTIONS = (SUBSCRIPTION_TYPE,)
ASSIGNMENT_TYPE = "Microsoft.Authorization/policyAssignments"
EXEMPTION_TYPE = "Microsoft.Authorization/policyExemptions"
ROLE_ASSIGNMENT_TYPE = "Microsoft.Authorization/roleAssignments"
PLACEMENT_TYPE = "Microsoft.Management/managementGroups/subscriptions"
PRICING_TYPE = "Microsoft.Security/pricings"

HIPAA_HITRUST = "a169a624-5599-4385-a696-c8d643089fab"
CLOUD_SECURITY_BENCHMARK = "1f3afdf9-d0c9-4c3d-847f-89da613e70a8"
ALLOWED_LOCATIONS = "e56962a6-4747-49cd-b67b-bf8b01975c4c"
REQUIRE_TAG = "871b6d14-10aa-478d-b590-94f262ecfa99"
DEFENDER_PLANS = ("VirtualMachines", "SqlServers", "StorageAccounts", "KeyVaults", "Arm", "AI")
DEFENDER_POLICIES = ("4da35fc9-c9e7-4960-aec9-797fe7d9051d", "7fe3b40f-802b-4cdd-8bd4-fd799c948cc2",
                     "640d2586-54d2-465f-877f-9ffc1d2109f4", "0e6763cc-5078-4e64-889d-ff4d9a839047",
                     "c3d20c29-b36d-48fe-808b-99a87530ad99", "c2c0c6d8-007b-4a48-8d9b-3539bddd8e87")

# Azure regions in the United States: public cloud and Azure Government.
US_REGIONS = ("centralus", "eastus", "eastus2", "northcentralus", "southcentralus", "westcentralus", "westus",
              "westus2", "westus3", "usgovarizona", "usgoviowa", "usgovtexas", "usgovvirginia", "usdodcentral",
              "usdodeast")
# Types Azure deploys only to location "global".
GLOBAL_TYPES = frozenset(t.lower() for t in (
    "Microsoft.Network/privateDnsZones", "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    "Microsoft.Network/dnsZones", "Microsoft.Network/trafficManagerProfiles", "Microsoft.Network/frontDoors",
    "Microsoft.Network/frontDoorWebApplicationFirewallPolicies", "Microsoft.Cdn/profiles",
    "Microsoft.Insights/actionGroups", "Microsoft.Insights/activityLogAlerts", "Microsoft.Insights/metricAlerts",
))


def _short(resource_id: Any) -> str:
    return str(resource_id or "").rstrip("/").rsplit("/", 1)[-1]


def extension_scope(document: Document) -> str:
    """The scope of a policy/role assignment: properties.scope, else the id before its provider segment."""
    scope = get(document, "properties.scope")
    if scope:
        return str(scope)
    resource_id = str(document.get("id", ""))
    marker = resource_id.lower().rfind("/providers/microsoft.authorization/")
    return resource_id[:marker] if marker > 0 else ""


def subscription_scopes(subscription: Document, index: ResourceIndex) -> list[str]:
    """The subscription's own scope, then the management groups above it that the documents show."""
    scopes = [str(subscription.get("id", ""))]
    subscription_id = _short(subscription.get("id")).lower()
    for placement in index.of_type(PLACEMENT_TYPE):
        if _short(placement.get("id")).lower() != subscription_id:
            continue
        group: str | None = str(placement["id"]).rsplit("/", 2)[0]
        while group and group.lower() not in (s.lower() for s in scopes):
            scopes.append(group)
            parent = index.by_id(group)
            group = get(parent, "properties.details.parent.id") if parent else None
    return scopes


def scope_label(scope: str) -> str:
    if "/managementgroups/" in scope.lower():
        return f"management group '{_short(scope)}'"
    if scope.lower().startswith("/subscriptions/") and scope.count("/") == 2:
        return "the subscription itself"
    return f"scope '{scope}'"


def _definition_of(assignment: Document) -> str:
    return _short(get(assignment, "properties.policyDefinitionId")).lower()


def _policy_coverage(subscription: Document, index: ResourceIndex, definition: str, what: str,
                     problem: Callable[[Document], str | None] = lambda a: None) -> Outcome:
    """Pass when an enforced assignment of `definition` covers the subscription and `problem` finds nothing."""
    scopes = [s.lower() for s in subscription_scopes(subscription, index)]
    covering: list[Document] = []
    elsewhere: list[Document] = []
    for assignment in index.of_type(ASSIGNMENT_TYPE):
        if _definition_of(assignment) != definition:
            continue
        excluded = {str(s).lower() for s in get_list(assignment, "properties.notScopes")}
        applies = extension_scope(assignment).lower() in scopes and not excluded.intersection(scopes)
        (covering if applies else elsewhere).append(assignment)
    reasons = []
    for assignment in sorted(covering, key=lambda a: str(a.get("id", "")).lower()):
        where = f"policy assignment '{assignment.get('name')}' at {scope_label(extension_scope(assignment))}"
        mode = get(assignment, "properties.enforcementMode")
        issue = problem(assignment)
        if same(mode, "Default") and issue is None:
            return passed(sentence(subscription, f"is covered by {what} through {where}, enforced"))
        reasons.append(f"{where} {issue}" if issue else f"{where} has enforcementMode {mode or 'unset'}, not Default")
    if reasons:
        return failed(sentence(subscription, f"has {what} assigned but not in force: {'; '.join(reasons)}"))
    if elsewhere:
        scopes_seen = ", ".join(sorted({scope_label(extension_scope(a)) for a in elsewhere}))
        return failed(sentence(subscription, f"is not under {scopes_seen}, where {what} is assigned, as far as the "
                                             "documents show (no management-group placement connects them)"))
    return failed(sentence(subscription, f"has no assignment of {what} ({definition})"))


@control(
    id="CL-GOV-001", title="The HITRUST/HIPAA initiative is assigned and enforced", severity="high",
    scope="subscription",
    citations=("45 CFR 164.308(a)(1)(ii)(B)", "45 CFR 164.308(a)(8)"),
    types=SUBSCRIPTIONS,
    remediation=f"Assign policy set {HIPAA_HITRUST} with enforcementMode Default at the subscription or a "
                "management group above it (carelift: infra/components/governance.py).",
)
def hipaa_initiative(subscription: Document, index: ResourceIndex) -> Outcome:
    """Azure Policy continuously evaluates the HITRUST controls mapped to the Security Rule."""
    return _policy_coverage(subscription, index, HIPAA_HITRUST, "the HITRUST/HIPAA initiative")


@control(
    id="CL-GOV-002", title="The Microsoft Cloud Security Benchmark is assigned and enforced", severity="medium",
    scope="subscription",
    citations=("45 CFR 164.308(a)(1)(ii)(B)", "45 CFR 164.308(a)(8)"),
    types=SUBSCRIPTIONS,
    remediation=f"Assign policy set {CLOUD_SECURITY_BENCHMARK} with enforcementMode Default at the subscription or "
                "a management group above it.",
)
def security_benchmark(subscription: Document, index: ResourceIndex) -> Outcome:
    """Defender for Cloud's recommendations come from this initiative."""
    return _policy_coverage(subscription, index, CLOUD_SECURITY_BENCHMARK, "the Microsoft Cloud Security Benchmark")


@control(
    id="CL-GOV-003", title="An allowed-locations policy is assigned and enforced", severity="medium",
    scope="subscription",
    citations=("45 CFR 164.308(a)(1)(ii)(B)",),
    types=SUBSCRIPTIONS, policy=(ALLOWED_LOCATIONS,),
    remediation=f"Assign policy {ALLOWED_LOCATIONS} with listOfAllowedLocations set to the approved US regions.",
)
def allowed_locations_policy(subscription: Document, index: ResourceIndex) -> Outcome:
    """Nobody can deploy PHI workloads outside the approved regions, even by mistake."""
    def problem(assignment: Document) -> str | None:
        regions = get(assignment, "properties.parameters.listOfAllowedLocations.value")
        return None if isinstance(regions, list) and regions else "does not list any allowed location"
    return _policy_coverage(subscription, index, ALLOWED_LOCATIONS, "the allowed-locations policy", problem)


@control(
    id="CL-GOV-004", title="A policy requires the data-classification tag", severity="low", scope="subscription",
    citations=("45 CFR 164.308(a)(1)(ii)(A)", "45 CFR 164.308(a)(1)(ii)(B)"),
    types=SUBSCRIPTIONS, policy=(REQUIRE_TAG,),
    remediation=f"Assign policy {REQUIRE_TAG} with tagName data-classification and enforcementMode Default.",
)
def require_classification_policy(subscription: Document, index: ResourceIndex) -> Outcome:
    """Untagged resources are refused at deployment, so the ePHI inventory stays complete."""
    def problem(assignment: Document) -> str | None:
        tag = get(assignment, "properties.parameters.tagName.value")
        return None if str(tag).lower() == "data-classification" else f"requires tag '{tag}', not data-classification"
    return _policy_coverage(subscription, index, REQUIRE_TAG, "the require-a-tag policy", problem)


def _principal_ids(assignment: Document, index: ResourceIndex) -> set[str]:
    identity = assignment.get("identity") or {}
    found = {str(identity["principalId"]).lower()} if identity.get("principalId") else set()
    for uai_id, detail in (identity.get("userAssignedIdentities") or {}).items():
        principal = (detail or {}).get("principalId") or get(index.by_id(uai_id), "properties.principalId")
        if principal:
            found.add(str(principal).lower())
    return found


@control(
    id="CL-GOV-005", title="Policy remediation identities hold a role assignment", severity="medium", scope="graph",
    citations=("45 CFR 164.308(a)(1)(ii)(B)",),
    types=(ASSIGNMENT_TYPE,),
    remediation="Grant the assignment's managed identity the roles its DeployIfNotExists/Modify policies declare "
                "(roleDefinitionIds), at the assignment's scope.",
)
def remediation_identity_has_role(assignment: Document, index: ResourceIndex) -> Outcome:
    """Without a role the identity's remediation tasks fail with AuthorizationFailed and drift stays unfixed."""
    kind = str(get(assignment, "identity.type") or "None")
    if kind.lower() == "none":
        return passed(sentence(assignment, "has no managed identity, so it holds and needs no standing permissions"))
    principals = _principal_ids(assignment, index)
    if not principals:
        return failed(sentence(assignment, f"has a {kind} identity whose principal id is not in the documents, so "
                                           "its role assignments cannot be verified"))
    roles = [r for r in index.of_type(ROLE_ASSIGNMENT_TYPE)
             if str(get(r, "properties.principalId", "")).lower() in principals]
    if roles:
        return passed(sentence(assignment, f"has a {kind} identity holding {len(roles)} role assignment"
                                           f"{'s' if len(roles) > 1 else ''} for remediation"))
    return failed(sentence(assignment, f"has a {kind} identity with no role assignment, so its remediation tasks "
                                       "fail with AuthorizationFailed"))


@control(
    id="CL-GOV-006", title="Policy exemptions expire", severity="medium", scope="resource",
    citations=("45 CFR 164.308(a)(1)(ii)(B)", "45 CFR 164.308(a)(8)"),
    types=(EXEMPTION_TYPE,),
    remediation="Set properties.expiresOn on the exemption (ISO 8601) so the exception comes up for review.",
)
def exemption_expires(exemption: Document, index: ResourceIndex) -> Outcome:
    """An accepted risk is re-evaluated, not forgotten."""
    expires = get(exemption, "properties.expiresOn")
    if not expires:
        return failed(sentence(exemption, "never expires (no expiresOn), so the exception is never reviewed again"))
    try:
        datetime.datetime.fromisoformat(str(expires))
    except ValueError:
        return failed(sentence(exemption, f"has expiresOn '{expires}', which is not an ISO 8601 date"))
    return passed(sentence(exemption, f"expires on {expires}"))


def _pricing_tiers(subscription: Document, index: ResourceIndex) -> dict[str, str]:
    prefix = f"{str(subscription.get('id', '')).lower()}/providers/microsoft.security/pricings/"
    return {_short(p.get("id")).lower(): str(get(p, "properties.pricingTier") or "unset")
            for p in index.of_type(PRICING_TYPE) if str(p.get("id", "")).lower().startswith(prefix)}


@control(
    id="CL-GOV-007", title="Defender for Cloud covers servers, SQL, storage, Key Vault, ARM and AI", severity="high",
    scope="subscription",
    citations=("45 CFR 164.308(a)(1)(ii)(A)", "45 CFR 164.308(a)(5)(ii)(B)", "45 CFR 164.308(a)(6)"),
    types=SUBSCRIPTIONS, policy=DEFENDER_POLICIES,
    remediation="Create Microsoft.Security/pricings VirtualMachines, SqlServers, StorageAccounts, KeyVaults, Arm and "
                "AI with pricingTier Standard on the subscription.",
)
def defender_plans_enabled(subscription: Document, index: ResourceIndex) -> Outcome:
    """Threat detection watches every service that stores or reaches ePHI."""
    tiers = _pricing_tiers(subscription, index)
    missing = [plan for plan in DEFENDER_PLANS if plan.lower() not in tiers]
    lower = [f"{plan} ({tiers[plan.lower()]})" for plan in DEFENDER_PLANS
             if plan.lower() in tiers and not same(tiers[plan.lower()], "Standard")]
    if not missing and not lower:
        return passed(sentence(subscription, f"has Defender for Cloud at Standard for {', '.join(DEFENDER_PLANS)}"))
    problems = ([f"no pricing for {', '.join(missing)}"] if missing else []) + (
        [f"not Standard: {', '.join(lower)}"] if lower else [])
    return failed(sentence(subscription, f"lacks Defender for Cloud coverage: {'; '.join(problems)}"))


@control(
    id="CL-GOV-008", title="Required Defender plans are at the Standard tier", severity="high", scope="resource",
    citations=("45 CFR 164.308(a)(1)(ii)(A)", "45 CFR 164.308(a)(5)(ii)(B)"),
    types=(PRICING_TYPE,), policy=DEFENDER_POLICIES,
    remediation="Set properties.pricingTier to Standard on the plan.",
    description="Per-plan companion of CL-GOV-007, so a single plan can be waived on its own resource id.",
)
def defender_plan_standard(pricing: Document, index: ResourceIndex) -> Outcome:
    """Free tier offers posture recommendations only, no threat detection."""
    name, tier = _short(pricing.get("id") or pricing.get("name")), get(pricing, "properties.pricingTier")
    if name.lower() not in (p.lower() for p in DEFENDER_PLANS):
        return passed(sentence(pricing, f"is not one of the plans the baseline requires; its tier is "
                                        f"{tier or 'unset'}"))
    if same(tier, "Standard"):
        return passed(sentence(pricing, "is at the Standard tier"))
    return failed(sentence(pricing, f"is at tier {tier or 'unset'}, not Standard, so threats to these resources go "
                                    "undetected"))


def _normalised(location: Any) -> str:
    return str(location or "").replace(" ", "").lower()


def _allowed_regions(index: ResourceIndex) -> tuple[str, ...]:
    """US regions, narrowed to the allowed-locations assignments' lists when the documents have any."""
    listed: set[str] = set()
    for assignment in index.of_type(ASSIGNMENT_TYPE):
        regions = get(assignment, "properties.parameters.listOfAllowedLocations.value")
        if _definition_of(assignment) == ALLOWED_LOCATIONS and isinstance(regions, list):
            listed.update(_normalised(region) for region in regions)
    return tuple(r for r in US_REGIONS if not listed or r in listed)


@control(
    id="CL-GOV-009", title="Resources are in an allowed US region", severity="medium", scope="graph",
    citations=("45 CFR 164.308(a)(1)(ii)(B)",),
    types=LOCATED_TYPES, policy=(ALLOWED_LOCATIONS,),
    remediation="Redeploy the resource in an allowed US region (the stack's allowedLocations); only global services "
                "such as private DNS zones may use location global.",
)
def allowed_location(resource: Document, index: ResourceIndex) -> Outcome:
    """ePHI stays in the United States regions the organisation approved."""
    location = _normalised(resource.get("location"))
    if not location:
        return failed(sentence(resource, "states no location, so its region cannot be verified"))
    if location == "global":
        if type_of(resource).lower() in GLOBAL_TYPES:
            return passed(sentence(resource, "is a global resource (location global)"))
        return failed(sentence(resource, "has location global, but its type is regional"))
    allowed = _allowed_regions(index)
    if location in allowed:
        return passed(sentence(resource, f"is in {location}, an allowed US region"))
    if location in US_REGIONS:
        return failed(sentence(resource, f"is in {location}, a US region outside the allowed locations "
                                         f"({', '.join(allowed)})"))
    return failed(sentence(resource, f"is in {location}, outside the allowed US regions ({', '.join(allowed)})"))
