"""AIGateway: API Management in internal mode, one product per in-force use case, keyless access to OpenAI."""

from __future__ import annotations

import ipaddress

from infra.ai.governance import as_of
from infra.components.ai_gateway import (GATEWAY_ZONE, HARDENED_PROTOCOLS, OPENAI_USER, AIGateway, AIGatewayArgs,
                                         group_id)
from infra.config import StackConfig
from infra.config.names import DNS, OPENAI, resource_group_name
from infra.render import Rendering
from tests.infra.components.conftest import SUBSCRIPTION, WORKSPACE_ID, build_under_mocks, subnet_id, zone_id


def children(rendering: Rendering, token: str):
    parent = rendering.named("ai-gateway").urn
    return [r for r in rendering.of_type(token) if r.parent == parent]


def only(rendering: Rendering, token: str):
    (found,) = children(rendering, token)
    return found


def build_gateway(config: StackConfig) -> Rendering:
    """The gateway alone under the mock engine, in front of an account with the config's subdomain."""
    openai, prefix = config.openai, config.name_prefix
    group = resource_group_name(prefix, OPENAI)
    return build_under_mocks(lambda: AIGateway("ai-gateway", AIGatewayArgs(
        gateway=openai.gateway, use_cases=openai.use_cases, today=as_of(), resource_group_name=group,
        location=config.location, subnet_id=subnet_id(openai.spoke, openai.gateway.subnet),
        zone_resource_group_name=resource_group_name(prefix, DNS), zone_id=zone_id(GATEWAY_ZONE),
        account_id=f"{SUBSCRIPTION}/resourceGroups/{group}/providers/Microsoft.CognitiveServices/accounts/oai-{prefix}",
        account_endpoint=f"https://{openai.custom_subdomain}.openai.azure.com/", workspace_id=WORKSPACE_ID,
        entra_groups=config.entra_groups)), config)[0]


def service(rendering: Rendering):
    return only(rendering, "azure-native:apimanagement:ApiManagementService")


def test_gateway_is_injected_in_internal_mode_into_the_api_management_subnet(rendering):
    inputs = service(rendering).inputs
    gateway = rendering.config.openai.gateway
    assert inputs["serviceName"] == gateway.name
    assert inputs["sku"] == {"name": gateway.sku, "capacity": gateway.capacity}
    assert inputs["virtualNetworkType"] == "Internal"
    subnet = next(r for r in rendering.resources if r.id == inputs["virtualNetworkConfiguration"]["subnetResourceId"])
    assert subnet.inputs["subnetName"] == gateway.subnet
    assert inputs["identity"] == {"type": "SystemAssigned"}
    assert inputs["customProperties"] == HARDENED_PROTOCOLS


def test_one_product_per_in_force_use_case_with_its_quota_and_metrics(rendering):
    use_cases = {u.id: u for u in rendering.config.openai.use_cases}
    products = {p.inputs["productId"]: p for p in children(rendering, "azure-native:apimanagement:Product")}
    assert sorted(products) == sorted(use_cases)  # every shipped use case is in force as of the suite's day
    for product in products.values():
        assert product.inputs["subscriptionRequired"] is True and product.inputs["approvalRequired"] is True
    for policy in children(rendering, "azure-native:apimanagement:ProductPolicy"):
        use_case = use_cases[policy.inputs["productId"]]
        value = policy.inputs["value"]
        assert f'tokens-per-minute="{use_case.tokens_per_minute}"' in value
        assert f'<dimension name="use-case" value="{use_case.id}" />' in value
        assert f'"/deployments/{use_case.deployment}/"' in value


def test_a_suspended_use_case_loses_its_product(stack_config):
    def suspend(cfg):
        cfg["carelift:openai"]["useCases"][3]["status"] = "suspended"

    rendered = build_gateway(stack_config(suspend))
    products = {p.inputs["productId"] for p in children(rendered, "azure-native:apimanagement:Product")}
    assert "it-helpdesk-assistant" not in products and "prior-auth-letters" in products


def test_the_gateway_calls_the_account_with_its_own_identity(rendering):
    (grant,) = children(rendering, "azure-native:authorization:RoleAssignment")
    account = next(r for r in rendering.of_type("azure-native:cognitiveservices:Account"))
    assert grant.inputs["scope"] == account.id
    assert grant.inputs["roleDefinitionId"].endswith(OPENAI_USER)
    assert grant.inputs["principalType"] == "ServicePrincipal"
    policy = only(rendering, "azure-native:apimanagement:ApiPolicy").inputs["value"]
    assert '<authentication-managed-identity resource="https://cognitiveservices.azure.com" />' in policy
    assert account.inputs["properties"]["disableLocalAuth"] is True


def test_no_bodies_are_logged_when_phi_flows(prod_rendering, dev_rendering):
    def body_bytes(rendering):
        diagnostic = only(rendering, "azure-native:apimanagement:ApiDiagnostic").inputs
        return {diagnostic[side][message]["body"]["bytes"] for side in ("frontend", "backend")
                for message in ("request", "response")}

    assert body_bytes(prod_rendering) == {0}  # prod registers PHI use cases
    assert body_bytes(dev_rendering) == {1024}  # dev: one internal-data use case


def test_gateway_names_resolve_privately_to_its_address(rendering):
    gateway = rendering.config.openai.gateway
    records = {r.inputs["relativeRecordSetName"]: r for r in
               children(rendering, "azure-native:privatedns:PrivateRecordSet")}
    assert sorted(records) == sorted([gateway.name, f"{gateway.name}.portal", f"{gateway.name}.management"])
    subnet = next(s for spoke in rendering.config.network.spokes for s in spoke.subnets if s.name == gateway.subnet
                  and spoke.name == rendering.config.openai.spoke)
    for record in records.values():
        (a,) = record.inputs["aRecords"]
        assert ipaddress.ip_address(a["ipv4Address"]) in ipaddress.ip_network(subnet.address_prefix)


def test_each_product_is_granted_only_to_its_use_cases_entra_groups(rendering):
    config = rendering.config
    groups = {g.inputs["groupId"]: g for g in children(rendering, "azure-native:apimanagement:Group")}
    wanted = {oid: name for u in config.openai.use_cases for name, oid in u.group_ids}
    assert sorted(groups) == sorted(group_id(oid) for oid in wanted)
    for oid, name in wanted.items():
        inputs = groups[group_id(oid)].inputs
        assert inputs["type"] == "external" and inputs["displayName"] == name
        # The externalId API Management documents for an Entra ID group.
        assert inputs["externalId"] == f"aad://{config.entra_groups.tenant}/groups/{oid}"
    links = {(link.inputs["productId"], link.inputs["groupId"])
             for link in children(rendering, "azure-native:apimanagement:ProductGroup")}
    assert links == {(u.id, group_id(oid)) for u in config.openai.use_cases for _, oid in u.group_ids}
    assert not {g for _, g in links} & {"administrators", "developers", "guests"}


def test_a_group_shared_by_two_use_cases_is_one_group_with_two_links(stack_config):
    def share(cfg):
        cfg["carelift:openai"]["useCases"][0]["intendedUsers"].append("grp-all-staff")

    rendered = build_gateway(stack_config(share))
    staff = group_id(rendered.config.entra_groups.object_id("grp-all-staff"))
    assert [g.inputs["groupId"] for g in children(rendered, "azure-native:apimanagement:Group")].count(staff) == 1
    linked = sorted(link.inputs["productId"] for link in children(rendered, "azure-native:apimanagement:ProductGroup")
                    if link.inputs["groupId"] == staff)
    assert linked == ["ambient-note-summaries", "it-helpdesk-assistant"]
    group = next(g for g in children(rendered, "azure-native:apimanagement:Group") if g.inputs["groupId"] == staff)
    assert group.inputs["description"].endswith("ambient-note-summaries, it-helpdesk-assistant.")


def test_a_suspended_use_case_grants_nothing_and_its_group_goes_when_no_one_else_uses_it(stack_config):
    def suspend(cfg):
        cfg["carelift:openai"]["useCases"][3]["status"] = "suspended"  # it-helpdesk-assistant: grp-all-staff

    rendered = build_gateway(stack_config(suspend))
    staff = group_id(rendered.config.entra_groups.object_id("grp-all-staff"))
    assert staff not in {g.inputs["groupId"] for g in children(rendered, "azure-native:apimanagement:Group")}
    assert "it-helpdesk-assistant" not in {
        link.inputs["productId"] for link in children(rendered, "azure-native:apimanagement:ProductGroup")}
