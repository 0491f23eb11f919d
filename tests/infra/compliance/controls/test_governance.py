"""Governance controls: policy baseline per subscription, remediation identities, exemptions,
Defender plans and resource locations."""

from __future__ import annotations

from infra.compliance.controls import governance
from infra.compliance.model import Status
from tests.infra.compliance.arm import SUB, controls_of, messages, rendered_statuses, resource, statuses

SCOPE = f"/subscriptions/{SUB}"
OTHER_SUB = "00000000-0000-0000-0000-000000000002"
ASSIGNMENT = "Microsoft.Authorization/policyAssignments"
HIPAA, MCSB = governance.HIPAA_HITRUST, governance.CLOUD_SECURITY_BENCHMARK
LOCATIONS, TAG = governance.ALLOWED_LOCATIONS, governance.REQUIRE_TAG


def anchor(subscription: str = SUB) -> dict:
    """A resource group: the index derives the subscription pseudo-resource from it."""
    return {"type": "Microsoft.Resources/resourceGroups", "name": "rg-test", "location": "eastus2",
            "id": f"/subscriptions/{subscription}/resourceGroups/rg-test", "properties": {}}


def mg(name: str) -> str:
    return f"/providers/Microsoft.Management/managementGroups/{name}"


def group(name: str, parent: str | None = None) -> dict:
    details = {"details": {"parent": {"id": mg(parent)}}} if parent else {}
    return {"type": "Microsoft.Management/managementGroups", "name": name, "id": mg(name), "properties": details}


def placement(group_name: str, subscription: str = SUB) -> dict:
    return {"type": governance.PLACEMENT_TYPE, "name": subscription, "properties": {},
            "id": f"{mg(group_name)}/subscriptions/{subscription}"}


def assignment(name: str, definition: str, scope: str = SCOPE, **properties) -> dict:
    kind = "policySetDefinitions" if definition in (HIPAA, MCSB) else "policyDefinitions"
    base = {"policyDefinitionId": f"/providers/Microsoft.Authorization/{kind}/{definition}", "scope": scope,
            "enforcementMode": "Default"}
    return {"type": ASSIGNMENT, "name": name, "properties": {**base, **properties},
            "id": f"{scope}/providers/Microsoft.Authorization/policyAssignments/{name}"}


class TestHipaaInitiative:
    def test_pass_at_the_subscription(self):
        assert statuses(governance.hipaa_initiative, [anchor(), assignment("hipaa", HIPAA)]) == {SUB: Status.PASS}

    def test_pass_at_a_management_group_above_the_subscription(self):
        # root -> landingzones -> clinical, subscription placed under clinical, policy at root.
        documents = [anchor(), group("rbh"), group("rbh-lz", "rbh"), group("rbh-lz-clinical", "rbh-lz"),
                     placement("rbh-lz-clinical"), assignment("hipaa", HIPAA, scope=mg("rbh"))]
        assert statuses(governance.hipaa_initiative, documents) == {SUB: Status.PASS}

    def test_fail_when_not_enforced(self):
        for mode in ("DoNotEnforce", None):
            documents = [anchor(), assignment("hipaa", HIPAA, enforcementMode=mode)]
            assert statuses(governance.hipaa_initiative, documents) == {SUB: Status.FAIL}

    def test_fail_at_a_management_group_the_subscription_is_not_under(self):
        documents = [anchor(), group("rbh"), group("rbh-sandbox", "rbh"), placement("rbh-sandbox", OTHER_SUB),
                     assignment("hipaa", HIPAA, scope=mg("rbh"))]
        assert statuses(governance.hipaa_initiative, documents) == {SUB: Status.FAIL}

    def test_fail_when_the_subscription_is_excluded(self):
        documents = [anchor(), assignment("hipaa", HIPAA, notScopes=[SCOPE])]
        assert statuses(governance.hipaa_initiative, documents) == {SUB: Status.FAIL}

    def test_fail_without_assignment_or_in_another_subscription(self):
        documents = [anchor(), anchor(OTHER_SUB), assignment("mcsb", MCSB),
                     assignment("hipaa", HIPAA, scope=f"/subscriptions/{OTHER_SUB}")]
        assert statuses(governance.hipaa_initiative, documents) == {SUB: Status.FAIL, OTHER_SUB: Status.PASS}

    def test_messages(self):
        assert messages(governance.hipaa_initiative, [anchor(), assignment("hipaa", HIPAA, enforcementMode="DoNotEnforce")]) == [
            f"Subscription '{SUB}' has the HITRUST/HIPAA initiative assigned but not in force: policy assignment "
            "'hipaa' at the subscription itself has enforcementMode DoNotEnforce, not Default."]
        assert messages(governance.hipaa_initiative, [anchor(), group("rbh"), assignment("hipaa", HIPAA, scope=mg("rbh"))]) == [
            f"Subscription '{SUB}' is not under management group 'rbh', where the HITRUST/HIPAA initiative is "
            "assigned, as far as the documents show (no management-group placement connects them)."]
        assert messages(governance.hipaa_initiative, [anchor()]) == [
            f"Subscription '{SUB}' has no assignment of the HITRUST/HIPAA initiative ({HIPAA})."]

    def test_empty(self):
        assert statuses(governance.hipaa_initiative, []) == {}


class TestSecurityBenchmark:
    def test_pass(self):
        assert statuses(governance.security_benchmark, [anchor(), assignment("mcsb", MCSB)]) == {SUB: Status.PASS}

    def test_fail_without_it(self):
        assert statuses(governance.security_benchmark, [anchor(), assignment("hipaa", HIPAA)]) == {SUB: Status.FAIL}

    def test_empty(self):
        assert statuses(governance.security_benchmark, []) == {}


class TestAllowedLocationsPolicy:
    def test_pass_with_a_list(self):
        documents = [anchor(), assignment("loc", LOCATIONS, parameters={"listOfAllowedLocations": {"value": ["eastus2"]}})]
        assert statuses(governance.allowed_locations_policy, documents) == {SUB: Status.PASS}

    def test_fail_with_an_empty_list_or_none(self):
        empty_list = [anchor(), assignment("loc", LOCATIONS, parameters={"listOfAllowedLocations": {"value": []}})]
        assert statuses(governance.allowed_locations_policy, empty_list) == {SUB: Status.FAIL}
        assert statuses(governance.allowed_locations_policy, [anchor()]) == {SUB: Status.FAIL}

    def test_empty(self):
        assert statuses(governance.allowed_locations_policy, []) == {}


class TestRequireClassificationPolicy:
    def test_pass(self):
        documents = [anchor(), assignment("tag", TAG, parameters={"tagName": {"value": "data-classification"}})]
        assert statuses(governance.require_classification_policy, documents) == {SUB: Status.PASS}

    def test_fail_for_another_tag_or_none(self):
        other_tag = [anchor(), assignment("tag", TAG, parameters={"tagName": {"value": "owner"}})]
        assert statuses(governance.require_classification_policy, other_tag) == {SUB: Status.FAIL}
        assert messages(governance.require_classification_policy, other_tag) == [
            f"Subscription '{SUB}' has the require-a-tag policy assigned but not in force: policy assignment 'tag' "
            "at the subscription itself requires tag 'owner', not data-classification."]
        assert statuses(governance.require_classification_policy, [anchor()]) == {SUB: Status.FAIL}

    def test_empty(self):
        assert statuses(governance.require_classification_policy, []) == {}


CONTRIBUTOR = "/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c"


def role_assignment(name: str, principal: str, scope: str = SCOPE) -> dict:
    return {"type": "Microsoft.Authorization/roleAssignments", "name": name,
            "id": f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}",
            "properties": {"principalId": principal, "principalType": "ServicePrincipal", "scope": scope,
                           "roleDefinitionId": CONTRIBUTOR}}


class TestRemediationIdentityHasRole:
    def test_pass_with_role_or_without_identity(self):
        with_role = {**assignment("hipaa", HIPAA), "identity": {"type": "SystemAssigned", "principalId": "P-1"}}
        uai = resource("Microsoft.ManagedIdentity/userAssignedIdentities", "id-remediate", {"principalId": "p-2"})
        user_assigned = {**assignment("mcsb", MCSB), "identity": {"type": "UserAssigned",
                                                                  "userAssignedIdentities": {uai["id"]: {}}}}
        documents = [with_role, user_assigned, uai, assignment("tag", TAG),
                     role_assignment("ra-1", "p-1"), role_assignment("ra-2", "P-2")]
        assert statuses(governance.remediation_identity_has_role, documents) == {
            "hipaa": Status.PASS, "mcsb": Status.PASS, "tag": Status.PASS}

    def test_fail_without_role_or_without_principal_id(self):
        no_role = {**assignment("hipaa", HIPAA), "identity": {"type": "SystemAssigned", "principalId": "p-1"}}
        unknown = {**assignment("mcsb", MCSB), "identity": {"type": "SystemAssigned"}}
        documents = [no_role, unknown, role_assignment("ra-other", "p-9")]
        assert statuses(governance.remediation_identity_has_role, documents) == {
            "hipaa": Status.FAIL, "mcsb": Status.FAIL}
        assert messages(governance.remediation_identity_has_role, [no_role]) == [
            "Policy assignment 'hipaa' has a SystemAssigned identity with no role assignment, so its remediation "
            "tasks fail with AuthorizationFailed."]

    def test_empty(self):
        assert statuses(governance.remediation_identity_has_role, []) == {}


def exemption(name: str, **properties) -> dict:
    return {"type": governance.EXEMPTION_TYPE, "name": name, "properties": properties,
            "id": f"{SCOPE}/providers/Microsoft.Authorization/policyExemptions/{name}"}


class TestExemptionExpires:
    def test_pass(self):
        documents = [exemption("ex-a", expiresOn="2026-12-31T00:00:00Z"), exemption("ex-b", expiresOn="2026-06-30")]
        assert statuses(governance.exemption_expires, documents) == {"ex-a": Status.PASS, "ex-b": Status.PASS}

    def test_fail_without_or_with_bad_date(self):
        documents = [exemption("ex-forever", category="Waiver"), exemption("ex-bad", expiresOn="next year")]
        assert statuses(governance.exemption_expires, documents) == {"ex-forever": Status.FAIL, "ex-bad": Status.FAIL}
        assert messages(governance.exemption_expires, [exemption("ex-forever")]) == [
            "Policy exemption 'ex-forever' never expires (no expiresOn), so the exception is never reviewed again."]

    def test_empty(self):
        assert statuses(governance.exemption_expires, []) == {}


def pricing(plan: str, tier: str | None = "Standard", subscription: str = SUB) -> dict:
    return {"type": governance.PRICING_TYPE, "name": plan, "properties": {"pricingTier": tier},
            "id": f"/subscriptions/{subscription}/providers/Microsoft.Security/pricings/{plan}"}


class TestDefenderPlansEnabled:
    def test_pass_with_all_six_at_standard(self):
        documents = [pricing(plan) for plan in governance.DEFENDER_PLANS] + [pricing("Containers", "Free")]
        assert statuses(governance.defender_plans_enabled, documents) == {SUB: Status.PASS}

    def test_fail_when_missing_or_free_and_plans_of_other_subscriptions_do_not_count(self):
        documents = [pricing("VirtualMachines"), pricing("SqlServers"), pricing("StorageAccounts", "Free"),
                     pricing("KeyVaults"), pricing("Arm", subscription=OTHER_SUB), pricing("AI", subscription=OTHER_SUB)]
        assert statuses(governance.defender_plans_enabled, documents)[SUB] is Status.FAIL
        assert messages(governance.defender_plans_enabled, documents[:4]) == [
            f"Subscription '{SUB}' lacks Defender for Cloud coverage: no pricing for Arm, AI; not Standard: "
            "StorageAccounts (Free)."]

    def test_empty(self):
        assert statuses(governance.defender_plans_enabled, []) == {}


class TestDefenderPlanStandard:
    def test_pass_for_standard_and_for_plans_outside_the_baseline(self):
        documents = [pricing("KeyVaults"), pricing("Containers", "Free")]
        assert statuses(governance.defender_plan_standard, documents) == {
            "KeyVaults": Status.PASS, "Containers": Status.PASS}

    def test_fail_for_required_plan_below_standard(self):
        documents = [pricing("VirtualMachines", "Free"), pricing("AI", None)]
        assert statuses(governance.defender_plan_standard, documents) == {
            "VirtualMachines": Status.FAIL, "AI": Status.FAIL}
        assert messages(governance.defender_plan_standard, documents[:1]) == [
            "Defender plan 'VirtualMachines' is at tier Free, not Standard, so threats to these resources go "
            "undetected."]

    def test_empty(self):
        assert statuses(governance.defender_plan_standard, []) == {}


VNET = "Microsoft.Network/virtualNetworks"


class TestAllowedLocation:
    def test_pass_in_us_regions_and_global_for_global_types(self):
        documents = [resource(VNET, "vnet-east", location="eastus2"), resource(VNET, "vnet-spaced", location="East US 2"),
                     resource("Microsoft.Network/privateDnsZones", "privatelink.vaultcore.azure.net", location="global"),
                     resource("Microsoft.Insights/actionGroups", "ag-sec", location="Global")]
        assert set(statuses(governance.allowed_location, documents).values()) == {Status.PASS}

    def test_fail_outside_us_global_for_regional_or_missing(self):
        documents = [resource(VNET, "vnet-eu", location="westeurope"), resource(VNET, "vnet-global", location="global"),
                     resource(VNET, "vnet-nowhere", location="")]
        assert statuses(governance.allowed_location, documents) == {
            "vnet-eu": Status.FAIL, "vnet-global": Status.FAIL, "vnet-nowhere": Status.FAIL}

    def test_allowed_locations_assignment_narrows_the_us_list(self):
        policy = assignment("loc", LOCATIONS, parameters={"listOfAllowedLocations": {"value": ["eastus2", "centralus"]}})
        documents = [policy, resource(VNET, "vnet-east", location="eastus2"), resource(VNET, "vnet-west", location="westus")]
        assert statuses(governance.allowed_location, documents) == {"vnet-east": Status.PASS, "vnet-west": Status.FAIL}
        assert messages(governance.allowed_location, documents)[1] == (
            "Virtual network 'vnet-west' is in westus, a US region outside the allowed locations (centralus, eastus2).")

    def test_empty(self):
        assert statuses(governance.allowed_location, []) == {}


def test_rendered_stacks_pass_every_control(rendering):
    """The landing zone's own resources, translated to ARM, pass each control here, and each judged something."""
    # The landing zone declares no policy exemptions, so CL-GOV-006 has nothing to judge.
    expected = {c.id: {Status.PASS} for c in controls_of(governance) if c is not governance.exemption_expires}
    assert rendered_statuses(rendering, controls_of(governance)) == expected
