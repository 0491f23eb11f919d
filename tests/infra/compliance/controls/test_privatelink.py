"""Private endpoint, zone group and private DNS zone controls: graph checks across documents."""

from __future__ import annotations

from infra.compliance.controls import privatelink
from infra.compliance.index import ResourceIndex
from infra.compliance.model import Status
from tests.infra.compliance.arm import controls_of, messages, private_endpoint, rendered_statuses, resource, rid, statuses

VAULT = "Microsoft.KeyVault/vaults"
ACCOUNT = "Microsoft.CognitiveServices/accounts"
STORAGE = "Microsoft.Storage/storageAccounts"
GROUP = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups"
ZONE = "Microsoft.Network/privateDnsZones"
LINK = "Microsoft.Network/privateDnsZones/virtualNetworkLinks"
HUB = rid("Microsoft.Network/virtualNetworks", "vnet-hub", "rg-connectivity")


def zone_id(name: str) -> str:
    return rid(ZONE, name, "rg-dns")


def zone_group(endpoint: dict, zones: list[str], name: str = "default") -> dict:
    configs = [{"name": z.replace(".", "-"), "properties": {"privateDnsZoneId": zone_id(z)}} for z in zones]
    return resource(GROUP, f"{endpoint['name']}/{name}", {"privateDnsZoneConfigs": configs})


def link(zone: str, name: str, **properties) -> dict:
    return resource(LINK, f"{zone}/{name}", properties, rg="rg-dns", location="global")


class TestApprovedEndpoints:
    def test_both_sides_are_merged_and_sorted(self):
        kv = resource(VAULT, "kv-a", {"privateEndpointConnections": [{"properties": {
            "privateEndpoint": {"id": rid("Microsoft.Network/privateEndpoints", "pe-z")},
            "privateLinkServiceConnectionState": {"status": "Approved"}}}]})
        index = ResourceIndex([kv, private_endpoint(kv, "pe-a", "vault", status="Approved")])
        assert privatelink.approved_endpoints(kv, index) == ["pe-a", "pe-z"]


class TestOneZoneGroup:
    def test_pass(self):
        kv = resource(VAULT, "kv-a")
        pe = private_endpoint(kv, "pe-kv", "vault")
        assert statuses(privatelink.one_zone_group, [kv, pe, zone_group(pe, ["privatelink.vaultcore.azure.net"])]) == {
            "pe-kv": Status.PASS}

    def test_fail_with_none_or_two(self):
        kv = resource(VAULT, "kv-a")
        none, two = private_endpoint(kv, "pe-none", "vault"), private_endpoint(kv, "pe-two", "vault")
        documents = [kv, none, two, zone_group(two, ["privatelink.vaultcore.azure.net"]),
                     zone_group(two, ["privatelink.vaultcore.azure.net"], name="second")]
        assert statuses(privatelink.one_zone_group, documents) == {"pe-none": Status.FAIL, "pe-two": Status.FAIL}
        assert messages(privatelink.one_zone_group, [kv, two] + documents[3:]) == [
            "Private endpoint 'pe-two' has 2 private DNS zone groups (default, second); Azure allows one, and the "
            "records of the others are not managed."]

    def test_a_group_of_another_endpoint_does_not_count(self):
        kv = resource(VAULT, "kv-a")
        mine, other = private_endpoint(kv, "pe-mine", "vault"), private_endpoint(kv, "pe-other", "vault")
        documents = [kv, mine, other, zone_group(other, ["privatelink.vaultcore.azure.net"])]
        assert statuses(privatelink.one_zone_group, documents) == {"pe-mine": Status.FAIL, "pe-other": Status.PASS}

    def test_empty(self):
        assert statuses(privatelink.one_zone_group, []) == {}


class TestZoneGroupZones:
    def test_pass_for_vault_openai_and_blob(self):
        kv, oai, st = resource(VAULT, "kv-a"), resource(ACCOUNT, "oai-a", kind="OpenAI"), resource(STORAGE, "sta")
        pe_kv, pe_oai, pe_st = (private_endpoint(kv, "pe-kv", "vault"), private_endpoint(oai, "pe-oai", "account"),
                                private_endpoint(st, "pe-st", "blob"))
        documents = [kv, oai, st, pe_kv, pe_oai, pe_st,
                     zone_group(pe_kv, ["privatelink.vaultcore.azure.net"], name="kv-zones"),
                     zone_group(pe_oai, ["privatelink.cognitiveservices.azure.com", "privatelink.openai.azure.com"],
                                name="oai-zones"),
                     zone_group(pe_st, ["privatelink.blob.core.windows.net"], name="blob-zones")]
        assert statuses(privatelink.zone_group_zones, documents) == {
            "kv-zones": Status.PASS, "oai-zones": Status.PASS, "blob-zones": Status.PASS}
        assert messages(privatelink.zone_group_zones, documents)[1] == (
            "Private DNS zone group 'oai-zones' of private endpoint 'pe-oai' registers it in "
            "privatelink.cognitiveservices.azure.com, privatelink.openai.azure.com.")

    def test_non_openai_account_needs_only_cognitiveservices(self):
        speech = resource(ACCOUNT, "speech-a", kind="SpeechServices")
        pe = private_endpoint(speech, "pe-speech", "account")
        group = zone_group(pe, ["privatelink.cognitiveservices.azure.com"])
        assert statuses(privatelink.zone_group_zones, [speech, pe, group]) == {"default": Status.PASS}

    def test_fail_when_a_zone_is_missing_or_wrong(self):
        oai = resource(ACCOUNT, "oai-a", kind="OpenAI")
        pe = private_endpoint(oai, "pe-oai", "account")
        group = zone_group(pe, ["privatelink.cognitiveservices.azure.com"])
        assert messages(privatelink.zone_group_zones, [oai, pe, group]) == [
            "Private DNS zone group 'default' of private endpoint 'pe-oai' does not include "
            "privatelink.openai.azure.com, so the service's name does not resolve to the private endpoint."]
        kv = resource(VAULT, "kv-a")
        pe_kv = private_endpoint(kv, "pe-kv", "vault")
        wrong = zone_group(pe_kv, ["privatelink.blob.core.windows.net"])
        assert statuses(privatelink.zone_group_zones, [kv, pe_kv, wrong]) == {"default": Status.FAIL}

    def test_fail_with_no_zone_or_more_than_five(self):
        kv = resource(VAULT, "kv-a")
        pe = private_endpoint(kv, "pe-kv", "vault")
        six = ["privatelink.vaultcore.azure.net"] + [f"privatelink.z{i}.example" for i in range(5)]
        assert statuses(privatelink.zone_group_zones, [kv, pe, zone_group(pe, [])]) == {"default": Status.FAIL}
        assert statuses(privatelink.zone_group_zones, [kv, pe, zone_group(pe, six)]) == {"default": Status.FAIL}

    def test_fail_when_endpoint_missing_connectionless_or_service_unknown(self):
        kv = resource(VAULT, "kv-a")
        orphan = zone_group(private_endpoint(kv, "pe-gone", "vault"), ["privatelink.vaultcore.azure.net"])
        assert statuses(privatelink.zone_group_zones, [orphan]) == {"default": Status.FAIL}
        bare = resource("Microsoft.Network/privateEndpoints", "pe-bare", {})
        bare_group = zone_group(bare, ["privatelink.vaultcore.azure.net"])
        assert statuses(privatelink.zone_group_zones, [bare, bare_group]) == {"default": Status.FAIL}
        pe = private_endpoint(kv, "pe-odd", "someNewService")
        assert messages(privatelink.zone_group_zones, [kv, pe, zone_group(pe, ["privatelink.new.example"])]) == [
            "Private DNS zone group 'default' of private endpoint 'pe-odd' serves sub-resource someNewService, for "
            "which carelift knows no private DNS zone; waive it after checking the zones by hand."]

    def test_empty(self):
        assert statuses(privatelink.zone_group_zones, []) == {}


class TestZoneLinked:
    def test_pass(self):
        documents = [resource(ZONE, "privatelink.vaultcore.azure.net", rg="rg-dns", location="global"),
                     link("privatelink.vaultcore.azure.net", "to-hub", virtualNetwork={"id": HUB},
                          registrationEnabled=False)]
        assert messages(privatelink.zone_linked, documents) == [
            "Private DNS zone 'privatelink.vaultcore.azure.net' is linked to virtual network vnet-hub."]

    def test_fail_without_link_or_with_link_to_no_network(self):
        documents = [resource(ZONE, "privatelink.blob.core.windows.net", rg="rg-dns"),
                     resource(ZONE, "privatelink.openai.azure.com", rg="rg-dns"),
                     link("privatelink.openai.azure.com", "broken", registrationEnabled=False)]
        assert statuses(privatelink.zone_linked, documents) == {
            "privatelink.blob.core.windows.net": Status.FAIL, "privatelink.openai.azure.com": Status.FAIL}

    def test_a_link_of_another_zone_does_not_count(self):
        documents = [resource(ZONE, "privatelink.vaultcore.azure.net", rg="rg-dns"),
                     resource(ZONE, "privatelink.blob.core.windows.net", rg="rg-dns"),
                     link("privatelink.blob.core.windows.net", "to-hub", virtualNetwork={"id": HUB})]
        assert statuses(privatelink.zone_linked, documents) == {
            "privatelink.vaultcore.azure.net": Status.FAIL, "privatelink.blob.core.windows.net": Status.PASS}

    def test_other_private_zones_are_not_privatelink_zones(self):
        assert statuses(privatelink.zone_linked, [resource(ZONE, "riverbend.local", rg="rg-dns")]) == {
            "riverbend.local": Status.PASS}

    def test_empty(self):
        assert statuses(privatelink.zone_linked, []) == {}


class TestLinkRegistrationDisabled:
    def test_pass(self):
        documents = [link("privatelink.vaultcore.azure.net", "to-hub", virtualNetwork={"id": HUB},
                          registrationEnabled=False)]
        assert statuses(privatelink.link_registration_disabled, documents) == {"to-hub": Status.PASS}

    def test_fail_when_enabled_or_absent(self):
        documents = [link("privatelink.vaultcore.azure.net", "registers", virtualNetwork={"id": HUB},
                          registrationEnabled=True),
                     link("privatelink.blob.core.windows.net", "unset", virtualNetwork={"id": HUB})]
        assert statuses(privatelink.link_registration_disabled, documents) == {
            "registers": Status.FAIL, "unset": Status.FAIL}
        assert messages(privatelink.link_registration_disabled, documents[:1]) == [
            "Private DNS zone link 'registers' does not disable auto-registration in "
            "'privatelink.vaultcore.azure.net', so VM names can be written into the zone that resolves private "
            "endpoints."]

    def test_auto_registration_is_allowed_outside_privatelink_zones(self):
        documents = [link("corp.riverbend.internal", "vms", virtualNetwork={"id": HUB}, registrationEnabled=True)]
        assert statuses(privatelink.link_registration_disabled, documents) == {"vms": Status.PASS}

    def test_empty(self):
        assert statuses(privatelink.link_registration_disabled, []) == {}


def test_rendered_stacks_pass_every_control(rendering):
    """The landing zone's own resources, translated to ARM, pass each control here, and each judged something."""
    assert rendered_statuses(rendering, controls_of(privatelink)) == {c.id: {Status.PASS} for c in controls_of(privatelink)}
