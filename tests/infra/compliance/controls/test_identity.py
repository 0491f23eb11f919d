"""Identity controls: at most three subscription Owners, no Owner granted directly to users."""

from __future__ import annotations

from infra.compliance.controls import identity
from infra.compliance.model import Status
from tests.infra.compliance.arm import SUB, controls_of, messages, rendered_statuses, statuses

SCOPE = f"/subscriptions/{SUB}"
ROLES = "/providers/Microsoft.Authorization/roleDefinitions"
OWNER = f"{SCOPE}{ROLES}/{identity.OWNER_ROLE}"
READER = f"{ROLES}/acdd72a7-3385-48ef-bd42-f606fba81ae7"


def mg(name: str) -> str:
    return f"/providers/Microsoft.Management/managementGroups/{name}"


def role(name: str, principal: str, role_id: str = OWNER, scope: str = SCOPE, principal_type: str | None = "Group") -> dict:
    properties = {"principalId": principal, "roleDefinitionId": role_id, "scope": scope}
    if principal_type:
        properties["principalType"] = principal_type
    return {"type": "Microsoft.Authorization/roleAssignments", "name": name, "properties": properties,
            "id": f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"}


def placed_under(group: str) -> list[dict]:
    return [{"type": "Microsoft.Management/managementGroups", "name": group, "id": mg(group), "properties": {}},
            {"type": "Microsoft.Management/managementGroups/subscriptions", "name": SUB, "properties": {},
             "id": f"{mg(group)}/subscriptions/{SUB}"}]


class TestFewOwners:
    def test_pass_with_three_counting_inherited_and_once_per_principal(self):
        documents = [role("ra-1", "p-1"), role("ra-1b", "P-1"), role("ra-2", "p-2"),
                     role("ra-3", "p-3", scope=mg("rbh")), *placed_under("rbh"),
                     # Owners of a resource group or of an unrelated group are not subscription Owners.
                     role("ra-4", "p-4", scope=f"{SCOPE}/resourceGroups/rg-app"), role("ra-5", "p-5", scope=mg("other")),
                     role("ra-6", "p-6", role_id=READER)]
        assert statuses(identity.few_owners, documents) == {SUB: Status.PASS}

    def test_fail_with_four(self):
        documents = [role(f"ra-{n}", f"p-{n}") for n in range(4)]
        assert statuses(identity.few_owners, documents) == {SUB: Status.FAIL}
        assert messages(identity.few_owners, documents) == [
            f"Subscription '{SUB}' has 4 Owners at the subscription or above, more than 3: p-0, p-1, p-2, p-3."]

    def test_empty(self):
        assert statuses(identity.few_owners, []) == {}


class TestOwnerNotDirectUser:
    def test_pass_for_groups_workload_identities_and_other_roles(self):
        documents = [role("ra-group", "p-1"), role("ra-sp", "p-2", principal_type="ServicePrincipal"),
                     role("ra-reader", "p-3", role_id=READER, principal_type="User")]
        assert statuses(identity.owner_not_direct_user, documents) == {
            "ra-group": Status.PASS, "ra-sp": Status.PASS, "ra-reader": Status.PASS}

    def test_fail_for_users_foreign_groups_and_unstated_types(self):
        documents = [role("ra-user", "p-1", principal_type="User"),
                     role("ra-foreign", "p-2", principal_type="ForeignGroup"),
                     role("ra-unstated", "p-3", principal_type=None)]
        assert statuses(identity.owner_not_direct_user, documents) == {
            "ra-user": Status.FAIL, "ra-foreign": Status.FAIL, "ra-unstated": Status.FAIL}

    def test_message(self):
        assert messages(identity.owner_not_direct_user, [role("ra-user", "p-1", principal_type="User")]) == [
            "Role assignment 'ra-user' grants Owner directly to User p-1, which may be a guest; ARM cannot prove "
            "otherwise."]

    def test_empty(self):
        assert statuses(identity.owner_not_direct_user, []) == {}


def test_rendered_stacks_pass_every_control(rendering):
    """The landing zone's own resources, translated to ARM, pass each control here, and each judged something."""
    assert rendered_statuses(rendering, controls_of(identity)) == {c.id: {Status.PASS} for c in controls_of(identity)}
