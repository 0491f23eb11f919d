"""The policy pack: a policy per control, the audit's verdict, enforcement by severity."""

from __future__ import annotations

import copy

import pytest
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from infra.arm import to_arm_documents
from infra.compliance.catalog import all_controls, controls_with_scope
from infra.compliance.controls import keyvault
from infra.compliance.engine import evaluate
from infra.compliance.model import SUBSCRIPTION_TYPE, Scope, passed
from infra.compliance.registry import Registry
from infra.policy import crossguard
from tests.infra.policy.engine import run

VAULT = "azure-native:keyvault:Vault"
VAULT_TYPE = "Microsoft.KeyVault/vaults"
DIAGNOSTICS = "azure-native:monitor:DiagnosticSetting"


@pytest.fixture(scope="module")
def policies():
    return crossguard.build_policies()


def only(rendering, token: str, name_part: str = ""):
    (found,) = [r for r in rendering.custom_resources if r.type == token and name_part in r.name]
    return found


def vault_diagnostics(rendering):
    vault_id = only(rendering, VAULT).id.lower()
    (setting,) = [r for r in rendering.of_type(DIAGNOSTICS) if str(r.inputs.get("resourceUri", "")).lower() == vault_id]
    return setting


class TestCatalogAsPolicies:
    def test_a_policy_per_control_in_id_order(self, policies):
        assert [p.name for p in policies] == [c.id for c in all_controls()]

    def test_metadata_and_enforcement_follow_the_control(self, policies):
        by_name = {p.name: p for p in policies}
        for c in all_controls():
            policy = by_name[c.id]
            expected = EnforcementLevel.MANDATORY if c.severity.value in ("critical", "high") else EnforcementLevel.ADVISORY
            assert policy.enforcement_level is expected, c.id
            assert policy.severity.value == c.severity.value
            assert policy.display_name == c.title
            assert policy.remediation_steps == c.remediation
            assert policy.framework.reference == "; ".join(c.citations)
            assert all(citation in policy.description for citation in c.citations)

    def test_graph_and_subscription_controls_are_stack_policies(self):
        assert isinstance(crossguard.policy_for(keyvault.purge_protection), ResourceValidationPolicy)
        assert isinstance(crossguard.policy_for(keyvault.audit_events_logged), StackValidationPolicy)

    def test_the_partition_by_scope_matches_the_registry(self, policies):
        kinds = {p.name: type(p) for p in policies}
        assert {i for i, kind in kinds.items() if kind is ResourceValidationPolicy} == {
            c.id for c in controls_with_scope(Scope.RESOURCE)}
        assert {i for i, kind in kinds.items() if kind is StackValidationPolicy} == {
            c.id for c in (*controls_with_scope(Scope.GRAPH), *controls_with_scope(Scope.SUBSCRIPTION))}
        # Both kinds occur, and nothing else: a partition of the whole catalog.
        assert set(kinds.values()) == {ResourceValidationPolicy, StackValidationPolicy}
        assert len(kinds) == len(all_controls())

    def test_the_declared_scope_decides_not_the_code(self):
        # Three checks with the same body (none reads the index): only the scope tells them apart.
        local = Registry()

        def make(control_id: str, scope: str, types: tuple[str, ...]):
            @local.control(id=control_id, title="t", severity="low", scope=scope, citations=(), types=types,
                           remediation="r")
            def check(document, index):
                return passed("fine")

            return check

        assert isinstance(crossguard.policy_for(make("CL-T-001", "resource", (VAULT_TYPE,))), ResourceValidationPolicy)
        assert isinstance(crossguard.policy_for(make("CL-T-002", "graph", (VAULT_TYPE,))), StackValidationPolicy)
        assert isinstance(crossguard.policy_for(make("CL-T-003", "subscription", (SUBSCRIPTION_TYPE,))),
                          StackValidationPolicy)

    def test_token_types_match_the_arm_translation(self, prod_rendering):
        for document, resource in zip(to_arm_documents(prod_rendering),
                                      sorted(prod_rendering.custom_resources, key=lambda r: r.id.lower())):
            assert crossguard.token_arm_type(resource.type) == document["type"], resource.type


class TestVerdicts:
    @pytest.mark.slow
    def test_the_pack_agrees_with_the_audit(self, rendering, policies):
        outcome = run(policies, rendering.resources)
        audit = evaluate(to_arm_documents(rendering), all_controls())
        assert outcome.messages() == sorted((f.control, f.message) for f in audit.failed)
        assert outcome.undetermined == []

    def test_a_weakened_vault_is_reported_by_resource_policies(self, prod_rendering, policies):
        vault = only(prod_rendering, VAULT)
        weakened = copy.deepcopy(dict(vault.inputs))
        weakened["properties"].pop("enablePurgeProtection")
        weakened["properties"]["publicNetworkAccess"] = "Enabled"
        outcome = run(policies, [vault], inputs={vault.urn: weakened})
        name = weakened["vaultName"]
        reported = {(policy, urn) for policy, urn, _ in outcome.violations}
        assert ("CL-KV-001", vault.urn) in reported and ("CL-KV-003", vault.urn) in reported
        assert (f"Key Vault '{name}' does not have purge protection enabled, so a deleted vault and its keys "
                "could be purged before the recovery window ends.") in [m for _, _, m in outcome.violations]
        baseline = run(policies, [vault])
        assert {p for p, _, _ in outcome.violations} - {p for p, _, _ in baseline.violations} >= {"CL-KV-001", "CL-KV-003"}

    def test_a_vault_without_audit_logs_is_reported_by_the_stack_policy(self, prod_rendering, policies):
        setting = vault_diagnostics(prod_rendering)
        stack = [r for r in prod_rendering.resources if r.urn != setting.urn]
        outcome = run([p for p in policies if p.name == "CL-KV-007"], stack)
        vault = only(prod_rendering, VAULT)
        assert [(policy, urn) for policy, urn, _ in outcome.violations] == [("CL-KV-007", vault.urn)]

    def test_unrelated_resources_are_not_judged(self, prod_rendering):
        policy = crossguard.policy_for(keyvault.purge_protection)
        seen = []
        for r in prod_rendering.custom_resources:
            if r.type != VAULT:
                outcome = run([policy], [r])
                seen.extend(outcome.violations + outcome.undetermined)
        assert seen == []


class TestValuesUnknownDuringPreview:
    def test_a_scope_known_only_after_deployment_is_rebuilt_from_its_dependency(self, prod_rendering, policies):
        setting, vault = vault_diagnostics(prod_rendering), only(prod_rendering, VAULT)
        state = {**copy.deepcopy(dict(setting.outputs)), "resourceUri": UNKNOWN_STRING_VALUE}
        outcome = run([p for p in policies if p.name == "CL-KV-007"], prod_rendering.resources,
                      outputs={setting.urn: state}, dependencies={setting.urn: {"resourceUri": [vault.urn]}})
        assert outcome.violations == [] and outcome.undetermined == []

    def test_an_unresolvable_link_is_advisory_not_a_violation(self, prod_rendering, policies):
        setting = vault_diagnostics(prod_rendering)
        state = {**copy.deepcopy(dict(setting.outputs)), "resourceUri": UNKNOWN_STRING_VALUE}
        outcome = run([p for p in policies if p.name == "CL-KV-007"], prod_rendering.resources,
                      outputs={setting.urn: state})
        assert outcome.violations == []
        ((policy, message),) = outcome.undetermined
        assert policy == "CL-KV-007" and message.startswith("CL-KV-007 cannot judge 1 resource(s) until values")

    def test_a_failure_on_a_resource_with_unknown_inputs_waits_for_deployment(self, prod_rendering, policies):
        vault = only(prod_rendering, VAULT)
        weakened = copy.deepcopy(dict(vault.inputs))
        weakened["properties"]["publicNetworkAccess"] = "Enabled"
        weakened["properties"]["tenantId"] = UNKNOWN_STRING_VALUE
        outcome = run([p for p in policies if p.name == "CL-KV-003"], [vault], inputs={vault.urn: weakened})
        assert outcome.violations == []
        assert outcome.undetermined[0][1].endswith(f": {weakened['vaultName']}")

    def test_passing_resources_with_unknown_values_are_not_flagged(self, prod_rendering, policies):
        vault = only(prod_rendering, VAULT)
        state = copy.deepcopy(dict(vault.inputs))
        state["properties"]["tenantId"] = UNKNOWN_STRING_VALUE
        outcome = run([p for p in policies if p.name == "CL-KV-001"], [vault], inputs={vault.urn: state})
        assert outcome.violations == [] and outcome.undetermined == []


def test_untranslatable_resources_are_violations(prod_rendering):
    vault = only(prod_rendering, VAULT)
    broken = {**copy.deepcopy(dict(vault.inputs)), "properties": "not an object"}
    outcome = run([crossguard.policy_for(keyvault.purge_protection)], [vault], inputs={vault.urn: broken})
    assert [(p, u) for p, u, _ in outcome.violations] == [("CL-KV-001", vault.urn)]
    assert outcome.violations[0][2] == (f"Pulumi resource '{vault.name}' ({VAULT}) could not be translated to an "
                                        "ARM document: properties: is not an object.")
