"""AIGateway: API Management in internal mode, one product per in-force use case, keyless access to OpenAI."""

from __future__ import annotations

import ipaddress

from infra.components.ai_gateway import HARDENED_PROTOCOLS, OPENAI_USER
from infra.render import Rendering, render_stack_file


def children(rendering: Rendering, token: str):
    parent = rendering.named("ai-gateway").urn
    return [r for r in rendering.of_type(token) if r.parent == parent]


def only(rendering: Rendering, token: str):
    (found,) = children(rendering, token)
    return found


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


def test_a_suspended_use_case_loses_its_product(stack_copy):
    def suspend(cfg):
        cfg["carelift:openai"]["useCases"][3]["status"] = "suspended"

    rendered = render_stack_file(stack_copy(suspend))
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
