"""DNS Private Resolver: the resolver, its endpoints, the forwarding ruleset, its rules and VNet link."""

from __future__ import annotations

from tests.infra.arm.expected import CONNECTIVITY, HUB_VNET, TAGS, document, rid, versionless

COVERED = {
    "azure-native:dnsresolver:DnsResolver",
    "azure-native:dnsresolver:InboundEndpoint",
    "azure-native:dnsresolver:OutboundEndpoint",
    "azure-native:dnsresolver:DnsForwardingRuleset",
    "azure-native:dnsresolver:ForwardingRule",
    "azure-native:dnsresolver:PrivateResolverVirtualNetworkLink",
}
RESOLVER = rid(CONNECTIVITY, "Microsoft.Network/dnsResolvers/dnspr-rbh-prod-hub")
RULESET = rid(CONNECTIVITY, "Microsoft.Network/dnsForwardingRulesets/dnsfrs-rbh-prod-hub")


def test_resolver_lives_in_the_hub_vnet(prod_rendering):
    assert versionless(document(prod_rendering, "hub-dns-resolver")) == {
        "type": "Microsoft.Network/dnsResolvers", "name": "dnspr-rbh-prod-hub", "id": RESOLVER,
        "location": "eastus2", "tags": TAGS, "properties": {"virtualNetwork": {"id": HUB_VNET}},
    }


def test_inbound_endpoint_ip_configurations_stay_flat_as_the_resolver_api_has_them(prod_rendering):
    assert versionless(document(prod_rendering, "hub-dns-inbound")) == {
        "type": "Microsoft.Network/dnsResolvers/inboundEndpoints",
        "name": "in-rbh-prod-hub",
        "id": f"{RESOLVER}/inboundEndpoints/in-rbh-prod-hub",
        "location": "eastus2",
        "tags": TAGS,
        "properties": {"ipConfigurations": [{"privateIpAddress": "10.40.1.4", "privateIpAllocationMethod": "Static",
                                             "subnet": {"id": f"{HUB_VNET}/subnets/snet-dns-inbound"}}]},
    }


def test_outbound_endpoint_references_its_subnet(prod_rendering):
    assert versionless(document(prod_rendering, "hub-dns-outbound")) == {
        "type": "Microsoft.Network/dnsResolvers/outboundEndpoints",
        "name": "out-rbh-prod-hub",
        "id": f"{RESOLVER}/outboundEndpoints/out-rbh-prod-hub",
        "location": "eastus2",
        "tags": TAGS,
        "properties": {"subnet": {"id": f"{HUB_VNET}/subnets/snet-dns-outbound"}},
    }


def test_ruleset_uses_the_outbound_endpoint(prod_rendering):
    assert versionless(document(prod_rendering, "hub-dns-ruleset")) == {
        "type": "Microsoft.Network/dnsForwardingRulesets",
        "name": "dnsfrs-rbh-prod-hub",
        "id": RULESET,
        "location": "eastus2",
        "tags": TAGS,
        "properties": {"dnsResolverOutboundEndpoints": [{"id": f"{RESOLVER}/outboundEndpoints/out-rbh-prod-hub"}]},
    }


def test_forwarding_rule_sends_the_domain_to_the_on_premises_dcs(prod_rendering):
    assert versionless(document(prod_rendering, "hub-dns-rule-riverbend-local")) == {
        "type": "Microsoft.Network/dnsForwardingRulesets/forwardingRules",
        "name": "riverbend-local",
        "id": f"{RULESET}/forwardingRules/riverbend-local",
        "properties": {"domainName": "riverbend.local.", "forwardingRuleState": "Enabled",
                       "targetDnsServers": [{"ipAddress": "10.1.0.10", "port": 53},
                                            {"ipAddress": "10.1.0.11", "port": 53}]},
    }


def test_ruleset_link_is_a_ruleset_child(prod_rendering):
    assert versionless(document(prod_rendering, "hub-dns-ruleset-link")) == {
        "type": "Microsoft.Network/dnsForwardingRulesets/virtualNetworkLinks",
        "name": "link-rbh-prod-hub",
        "id": f"{RULESET}/virtualNetworkLinks/link-rbh-prod-hub",
        "properties": {"virtualNetwork": {"id": HUB_VNET}},
    }
