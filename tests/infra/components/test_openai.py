"""PrivateOpenAI: private, keyless, CMK-encrypted Azure OpenAI with content filters and ordered deployments."""

from __future__ import annotations

import re

from infra.ai.register import pinned, safety_tier
from infra.ai.safety import shortfalls
from infra.components.openai import PrivateOpenAI, PrivateOpenAIArgs
from infra.config import StackConfig
from infra.config.names import SECURITY, resource_group_name
from infra.render import AzureMocks, Rendering, render_stack_file
from tests.infra.components.conftest import SUBSCRIPTION, WORKSPACE_ID, build_under_mocks, subnet_id, zone_id

OPENAI_ZONES = ("privatelink.cognitiveservices.azure.com", "privatelink.openai.azure.com")
CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6"
OPENAI_USER = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def children(rendering: Rendering, token: str):
    parent = rendering.named("openai").urn
    return [r for r in rendering.of_type(token) if r.parent == parent]


def only(rendering: Rendering, token: str):
    found = children(rendering, token)
    assert len(found) == 1, [r.name for r in found]
    return found[0]


def build_openai(config: StackConfig) -> Rendering:
    """The account alone under the mock engine, with the stack's vault holding its key."""
    spoke = config.openai.spoke
    vault_id = (f"{SUBSCRIPTION}/resourceGroups/{resource_group_name(config.name_prefix, SECURITY)}"
                f"/providers/Microsoft.KeyVault/vaults/{config.key_vault_name}")
    return build_under_mocks(lambda: PrivateOpenAI("openai", PrivateOpenAIArgs(
        openai=config.openai, name_prefix=config.name_prefix,
        private_endpoint_subnet_id=subnet_id(spoke, config.network.spoke(spoke).private_endpoint_subnet.name),
        zone_ids={zone: zone_id(zone) for zone in OPENAI_ZONES}, key_vault_id=vault_id,
        key_vault_uri=f"https://{config.key_vault_name}.vault.azure.net/", key_name=f"cmk-{config.name_prefix}",
        workspace_id=WORKSPACE_ID, network_location=config.location)), config)[0]


def account(rendering: Rendering):
    return only(rendering, "azure-native:cognitiveservices:Account")


def identity(rendering: Rendering):
    return only(rendering, "azure-native:managedidentity:UserAssignedIdentity")


def crypto_grant(rendering: Rendering):
    grants = [r for r in children(rendering, "azure-native:authorization:RoleAssignment")
              if r.inputs["roleDefinitionId"].endswith(CRYPTO_SERVICE_ENCRYPTION_USER)]
    assert len(grants) == 1
    return grants[0]


def vault_resource(rendering: Rendering, token: str):
    parent = rendering.named("key-vault").urn
    (found,) = [r for r in rendering.of_type(token) if r.parent == parent]
    return found


def computed(kind: str, resource_id: str) -> str:
    """What the mocks (like Azure) report as an identity's principalId / clientId."""
    from infra.render import _guid

    return _guid(kind, resource_id)


# ---------------------------------------------------------------------------- the account


def test_account_is_an_s0_openai_account_in_the_configured_region(rendering):
    config = rendering.config
    inputs = account(rendering).inputs
    assert inputs["kind"] == "OpenAI"
    assert inputs["sku"] == {"name": "S0"}
    assert inputs["accountName"] == f"oai-{config.name_prefix}"
    assert inputs["location"] == config.openai.location
    assert inputs["resourceGroupName"] == f"rg-{config.name_prefix}-openai"
    group = only(rendering, "azure-native:resources:ResourceGroup")
    assert group.inputs["resourceGroupName"] == f"rg-{config.name_prefix}-openai"
    assert group.inputs["location"] == config.openai.location


def test_account_uses_the_configured_custom_subdomain(rendering):
    props = account(rendering).inputs["properties"]
    assert props["customSubDomainName"] == rendering.config.openai.custom_subdomain


def test_account_has_no_public_network_access(rendering):
    props = account(rendering).inputs["properties"]
    assert props["publicNetworkAccess"] == "Disabled"
    assert props["networkAcls"] == {"defaultAction": "Deny", "bypass": "None",
                                    "ipRules": [], "virtualNetworkRules": []}


def test_account_disables_key_authentication(rendering):
    assert account(rendering).inputs["properties"]["disableLocalAuth"] is True


def test_account_may_only_call_out_to_the_configured_fqdns(rendering):
    props = account(rendering).inputs["properties"]
    assert props["restrictOutboundNetworkAccess"] is True
    assert props["allowedFqdnList"] == list(rendering.config.openai.allowed_fqdns)


def test_account_identity_is_only_the_user_assigned_identity(rendering):
    uai = identity(rendering)
    assert uai.inputs["resourceName"] == f"id-{rendering.config.name_prefix}-openai"
    assert account(rendering).inputs["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [uai.id]}


def test_account_encrypts_with_the_vault_cmk_through_the_user_assigned_identity(rendering):
    vault = vault_resource(rendering, "azure-native:keyvault:Vault")
    key = vault_resource(rendering, "azure-native:keyvault:Key")
    encryption = account(rendering).inputs["properties"]["encryption"]
    assert encryption["keySource"] == "Microsoft.KeyVault"
    assert encryption["keyVaultProperties"] == {
        "keyVaultUri": f"https://{vault.inputs['vaultName']}.vault.azure.net/",
        "keyName": key.inputs["keyName"],
        "identityClientId": computed("client", identity(rendering).id),
    }


def test_account_follows_key_rotation_because_no_key_version_is_pinned(rendering):
    assert "keyVersion" not in account(rendering).inputs["properties"]["encryption"]["keyVaultProperties"]


def test_cmk_role_is_granted_to_the_identity_on_the_key_before_the_account_exists(rendering):
    grant = crypto_grant(rendering)
    key = vault_resource(rendering, "azure-native:keyvault:Key")
    assert grant.inputs["principalId"] == computed("principal", identity(rendering).id)
    assert grant.inputs["principalType"] == "ServicePrincipal"
    assert grant.inputs["scope"] == key.id
    assert GUID.fullmatch(grant.inputs["roleAssignmentName"])
    assert grant.urn in account(rendering).depends_on


def test_account_waits_for_the_cmk_itself(rendering):
    key = vault_resource(rendering, "azure-native:keyvault:Key")
    assert key.urn in account(rendering).depends_on


# ---------------------------------------------------------------------------- content filter


def content_filters(rendering: Rendering):
    return children(rendering, "azure-native:cognitiveservices:RaiPolicy")


def filter_named(rendering: Rendering, policy_name: str):
    (policy,) = [p for p in content_filters(rendering) if p.inputs["raiPolicyName"] == policy_name]
    return policy


def test_one_content_filter_per_risk_tier_in_use_on_default_v2_in_blocking_mode(rendering):
    config = rendering.config.openai
    tiers = {safety_tier(config.use_cases, d.name).risk_level for d in config.deployments}
    policies = content_filters(rendering)
    assert sorted(p.inputs["raiPolicyName"] for p in policies) == sorted(
        f"rai-{rendering.config.name_prefix}-{tier}-risk" for tier in tiers)
    for policy in policies:
        assert policy.inputs["accountName"] == account(rendering).inputs["accountName"]
        assert policy.inputs["properties"]["basePolicyName"] == "Microsoft.DefaultV2"
        assert policy.inputs["properties"]["mode"] == "Blocking"


def test_each_deployment_gets_the_tier_of_its_riskiest_use_case(rendering):
    config = rendering.config.openai
    for configured, deployment in zip(config.deployments, deployments(rendering)):
        tier = safety_tier(config.use_cases, configured.name)
        policy = filter_named(rendering, deployment.inputs["properties"]["raiPolicyName"])
        assert policy.inputs["properties"]["contentFilters"] == tier.content_filters()
        assert shortfalls(tier, policy.inputs["properties"]["contentFilters"]) == []


def test_content_filters_have_nothing_disabled_or_merely_annotating(rendering):
    for policy in content_filters(rendering):
        for f in policy.inputs["properties"]["contentFilters"]:
            assert f["enabled"] is True and f["blocking"] is True, f


def test_high_risk_clinical_use_blocks_from_low_severity_with_every_shield(prod_rendering):
    (ambient,) = [u for u in prod_rendering.config.openai.use_cases if u.id == "ambient-note-summaries"]
    (deployment,) = [d for d in deployments(prod_rendering) if d.inputs["deploymentName"] == ambient.deployment]
    filters = filter_named(prod_rendering, deployment.inputs["properties"]["raiPolicyName"]).inputs[
        "properties"]["contentFilters"]
    keyed = {(f["name"], f["source"]): f for f in filters}
    assert len(keyed) == len(filters), "duplicate content filter entries"
    assert {keyed[(c, s)]["severityThreshold"] for c in ("Hate", "Sexual", "Selfharm", "Violence")
            for s in ("Prompt", "Completion")} == {"Low"}
    for name, source in (("Jailbreak", "Prompt"), ("Indirect Attack", "Prompt"),
                         ("Protected Material Text", "Completion"), ("Protected Material Code", "Completion")):
        assert keyed[(name, source)] == {"name": name, "source": source, "enabled": True, "blocking": True}


# ---------------------------------------------------------------------------- deployments


def deployments(rendering: Rendering):
    by_name = {r.inputs["deploymentName"]: r for r in children(rendering, "azure-native:cognitiveservices:Deployment")}
    return [by_name[d.name] for d in rendering.config.openai.deployments]


def test_one_deployment_per_configured_model(rendering):
    rendered = deployments(rendering)
    assert len(rendered) == len(children(rendering, "azure-native:cognitiveservices:Deployment"))
    for configured, deployment in zip(rendering.config.openai.deployments, rendered):
        assert deployment.inputs["accountName"] == account(rendering).inputs["accountName"]
        assert deployment.inputs["sku"] == {"name": configured.sku, "capacity": configured.capacity}
        assert deployment.inputs["properties"]["model"] == {
            "format": "OpenAI", "name": configured.model, "version": configured.version}


def test_clinical_and_high_risk_deployments_pin_their_version_and_others_follow_expiry(rendering):
    config = rendering.config.openai
    for configured, deployment in zip(config.deployments, deployments(rendering)):
        expected = "NoAutoUpgrade" if pinned(config.use_cases, configured.name) else "OnceCurrentVersionExpired"
        assert deployment.inputs["properties"]["versionUpgradeOption"] == expected
    by_name = {d.inputs["deploymentName"]: d for d in deployments(rendering)}
    if "gpt-clinical" in by_name:
        assert by_name["gpt-clinical"].inputs["properties"]["versionUpgradeOption"] == "NoAutoUpgrade"


def test_deployments_are_created_one_after_another_after_the_content_filters(rendering):
    filter_urns = {p.urn for p in content_filters(rendering)}
    first, *rest = deployments(rendering)
    assert filter_urns & set(first.depends_on)
    previous = first
    for deployment in rest:
        assert previous.urn in deployment.depends_on, (deployment.name, previous.name)
        previous = deployment


# ---------------------------------------------------------------------------- endpoint, logs, users


def test_account_has_exactly_one_private_endpoint_for_the_account_group(rendering):
    endpoint = only(rendering, "azure-native:network:PrivateEndpoint")
    (connection,) = endpoint.inputs["privateLinkServiceConnections"]
    assert connection["groupIds"] == ["account"]
    assert connection["privateLinkServiceId"] == account(rendering).id
    # The endpoint sits in its VNet's region.
    assert endpoint.inputs["location"] == rendering.config.location


def test_account_endpoint_has_one_zone_group_holding_exactly_both_openai_zones(rendering):
    endpoint = only(rendering, "azure-native:network:PrivateEndpoint")
    group = only(rendering, "azure-native:network:PrivateDnsZoneGroup")
    assert group.inputs["privateEndpointName"] == endpoint.inputs["privateEndpointName"]
    zone_ids = sorted(c["privateDnsZoneId"] for c in group.inputs["privateDnsZoneConfigs"])
    assert len(zone_ids) == 2
    assert [z for z in zone_ids if z.endswith(OPENAI_ZONES[0])] and [z for z in zone_ids if z.endswith(OPENAI_ZONES[1])]


def test_account_audit_and_request_logs_go_to_log_analytics(rendering):
    setting = only(rendering, "azure-native:monitor:DiagnosticSetting")
    assert setting.inputs["resourceUri"] == account(rendering).id
    assert setting.inputs["workspaceId"]
    logs = {log["category"]: log["enabled"] for log in setting.inputs["logs"]}
    assert logs == {"Audit": True, "RequestResponse": True, "AzureOpenAIRequestUsage": True, "Trace": True}
    assert setting.inputs["metrics"] == [{"category": "AllMetrics", "enabled": True}]


def test_configured_users_get_openai_user_on_the_account_only(rendering):
    acct = account(rendering)
    subscription = acct.id.split("/")[2]
    role = f"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{OPENAI_USER}"
    grants = [r for r in children(rendering, "azure-native:authorization:RoleAssignment") if r != crypto_grant(rendering)]
    expected = sorted((p.principal_id, p.principal_type) for p in rendering.config.openai.user_principals)
    assert len(grants) == len(expected) > 0
    assert sorted((g.inputs["principalId"], g.inputs["principalType"]) for g in grants) == expected
    assert {g.inputs["roleDefinitionId"] for g in grants} == {role}
    assert {g.inputs["scope"] for g in grants} == {acct.id}
    assert all(GUID.fullmatch(g.inputs["roleAssignmentName"]) for g in grants)


def test_no_account_keys_are_listed_or_rendered(stack_copy, monkeypatch):
    invoked: list[str] = []
    original = AzureMocks.call

    def recording_call(self, args):
        invoked.append(args.token)
        return original(self, args)

    monkeypatch.setattr(AzureMocks, "call", recording_call)
    rendered = render_stack_file(stack_copy(lambda cfg: None))
    assert invoked, "the recorder saw no invokes at all"
    assert [t for t in invoked if re.search(r"list.*keys", t, re.IGNORECASE)] == []
    assert [r.type for r in rendered.resources if re.search(r"list.*keys", r.type, re.IGNORECASE)] == []
    text = str([r.inputs for r in children(rendered, "azure-native:cognitiveservices:Account")])
    assert "key1" not in text and "key2" not in text


# ---------------------------------------------------------------------------- config-driven shape


def test_disabled_openai_renders_no_ai_resources(stack_copy):
    path = stack_copy(lambda cfg: cfg["carelift:openai"].update({"enabled": False}))
    rendered = render_stack_file(path)
    assert [r.name for r in rendered.resources if r.type.startswith("azure-native:cognitiveservices:")] == []
    assert [r.name for r in rendered.resources if r.type == "carelift:ai:PrivateOpenAI"] == []
    assert [r.name for r in rendered.of_type("azure-native:managedidentity:UserAssignedIdentity")
            if r.inputs.get("resourceName", "").endswith("-openai")] == []
    assert [r.name for r in rendered.of_type("azure-native:authorization:RoleAssignment")
            if r.inputs["roleDefinitionId"].endswith((CRYPTO_SERVICE_ENCRYPTION_USER, OPENAI_USER))] == []


def test_a_single_deployment_still_waits_for_its_content_filter(stack_config):
    def one_model(cfg):
        openai = cfg["carelift:openai"]
        openai["deployments"] = openai["deployments"][:1]
        kept = openai["deployments"][0]["name"]
        openai["useCases"] = [u for u in openai["useCases"] if u["deployment"] == kept]

    rendered = build_openai(stack_config(one_model))
    (deployment,) = children(rendered, "azure-native:cognitiveservices:Deployment")
    policy = filter_named(rendered, deployment.inputs["properties"]["raiPolicyName"])
    assert policy.urn in deployment.depends_on
