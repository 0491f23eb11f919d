"""PrivateDnsZones: exactly the zones the endpoints use, each linked once to the hub, resolution only."""

from __future__ import annotations

from collections import Counter

from infra.components.dns import PrivateDnsZones, PrivateDnsZonesArgs
from infra.program import private_dns_zones
from infra.render import Rendering
from tests.infra.components.conftest import HUB_VNET_ID, build_under_mocks

ZONE = "azure-native:privatedns:PrivateZone"
LINK = "azure-native:privatedns:VirtualNetworkLink"


def children(rendering: Rendering, token: str):
    parent = rendering.named("private-dns").urn
    return [r for r in rendering.of_type(token) if r.parent == parent]


def test_zones_are_exactly_those_the_program_needs(rendering):
    zones = [z.inputs["privateZoneName"] for z in rendering.of_type(ZONE)]
    assert sorted(zones) == sorted(private_dns_zones(rendering.config))
    assert len(zones) == len(set(zones))


def test_prod_has_openai_cognitive_services_vault_blob_and_ai_gateway_zones(prod_rendering):
    zones = {z.inputs["privateZoneName"] for z in children(prod_rendering, ZONE)}
    assert zones == {
        "privatelink.openai.azure.com",
        "privatelink.cognitiveservices.azure.com",
        "privatelink.vaultcore.azure.net",
        "privatelink.blob.core.windows.net",
        "azure-api.net",  # the AI gateway in internal mode
    }


def test_zones_are_global_in_the_dns_resource_group(rendering):
    prefix = rendering.config.name_prefix
    (group,) = children(rendering, "azure-native:resources:ResourceGroup")
    assert group.inputs["resourceGroupName"] == f"rg-{prefix}-dns"
    assert group.inputs["location"] == rendering.config.location
    for zone in children(rendering, ZONE):
        assert zone.inputs["location"] == "global"
        assert zone.inputs["resourceGroupName"] == f"rg-{prefix}-dns"


def test_every_zone_has_exactly_one_link(rendering):
    links = Counter(link.inputs["privateZoneName"] for link in rendering.of_type(LINK))
    assert links == Counter(private_dns_zones(rendering.config))


def test_every_link_points_at_the_hub_vnet_without_auto_registration(rendering):
    hub_vnet_id = rendering.named("hub-vnet").id
    for link in children(rendering, LINK):
        assert link.inputs["virtualNetwork"]["id"] == hub_vnet_id
        assert link.inputs["registrationEnabled"] is False
        assert link.inputs["location"] == "global"
        assert link.inputs.get("resolutionPolicy", "Default") == "Default"


def test_openai_zones_disappear_when_openai_is_disabled(stack_config):
    def disable_openai(config):
        config["carelift:openai"]["enabled"] = False

    config = stack_config(disable_openai, stack="dev")
    # The zones are the program's choice (private_dns_zones), the component makes and links them.
    rendering, _ = build_under_mocks(lambda: PrivateDnsZones("private-dns", PrivateDnsZonesArgs(
        name_prefix=config.name_prefix, location=config.location, zones=private_dns_zones(config),
        hub_vnet_id=HUB_VNET_ID)), config)
    zones = {z.inputs["privateZoneName"] for z in children(rendering, ZONE)}
    assert zones == {"privatelink.blob.core.windows.net", "privatelink.vaultcore.azure.net"}
    assert len(children(rendering, LINK)) == 2
