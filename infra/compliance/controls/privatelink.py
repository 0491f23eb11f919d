"""Private endpoints and private DNS: approved connections, one zone group naming the service's
zones, and privatelink zones linked to a VNet without auto-registration.

Zone groups and VNet links are child resources: the checks follow ids from the endpoint to its
groups, from a group back to its endpoint and on to the target, and from a zone to its links.
"""

from __future__ import annotations

from infra.compliance.controls.values import boolean
from infra.compliance.describe import sentence
from infra.compliance.index import ResourceIndex, get, get_entries, get_list, parent_id
from infra.compliance.model import Document, Outcome, failed, passed
from infra.compliance.registry import control

ENDPOINTS = ("Microsoft.Network/privateEndpoints",)
ZONE_GROUP = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups"
ZONES = ("Microsoft.Network/privateDnsZones",)
LINKS = ("Microsoft.Network/privateDnsZones/virtualNetworkLinks",)
MAX_ZONE_CONFIGS = 5

_STORAGE = {f"{service}{suffix}": (f"privatelink.{service}.core.windows.net",)
            for service in ("blob", "table", "queue", "file", "web", "dfs") for suffix in ("", "_secondary")}
# Sub-resource (group id, lower case) -> the private DNS zones its A records belong in, from
# Microsoft Learn "Azure Private Endpoint private DNS zone values" (Azure public cloud).
SERVICE_ZONES: dict[str, tuple[str, ...]] = {
    "vault": ("privatelink.vaultcore.azure.net",),
    "account": ("privatelink.cognitiveservices.azure.com", "privatelink.openai.azure.com"),
    **_STORAGE,
    "sqlserver": ("privatelink.database.windows.net",),
    "azuremonitor": ("privatelink.monitor.azure.com", "privatelink.oms.opinsights.azure.com",
                     "privatelink.ods.opinsights.azure.com", "privatelink.agentsvc.azure-automation.net",
                     "privatelink.blob.core.windows.net"),
    "registry": ("privatelink.azurecr.io",),
    "searchservice": ("privatelink.search.windows.net",),
    "sites": ("privatelink.azurewebsites.net",),
    "configurationstores": ("privatelink.azconfig.io",),
}
# Cognitive Services kinds whose endpoints also serve *.openai.azure.com.
OPENAI_KINDS = {"openai", "aiservices"}


def _connections(endpoint: Document) -> list[tuple[Document, bool]]:
    """(connection, is_manual) for both connection lists of an endpoint."""
    automatic = get_entries(endpoint, "properties.privateLinkServiceConnections")
    manual = get_entries(endpoint, "properties.manualPrivateLinkServiceConnections")
    return [(c, False) for c in automatic] + [(c, True) for c in manual]


def _approved(connection: Document, manual: bool) -> bool:
    # An automatic connection without a recorded state is a template's: same-tenant connections
    # are approved on creation. A manual one is pending until someone approves it.
    status = get(connection, "properties.privateLinkServiceConnectionState.status")
    if status is None:
        return not manual
    return str(status).lower() == "approved"


def approved_endpoints(target: Document, index: ResourceIndex) -> list[str]:
    """Names of private endpoints with an approved connection to `target`, sorted.

    Seen from either side: the target's own privateEndpointConnections (a live GET lists them,
    even for endpoints in other subscriptions) or endpoint documents pointing at the target.
    """
    target_id = str(target.get("id", "")).lower()
    names = set()
    for connection in get_entries(target, "properties.privateEndpointConnections"):
        if str(get(connection, "properties.privateLinkServiceConnectionState.status", "")).lower() == "approved":
            endpoint_id = get(connection, "properties.privateEndpoint.id") or connection.get("name") or ""
            names.add(leaf(endpoint_id))
    for endpoint in index.referencing(target_id, ENDPOINTS[0]):
        for connection, manual in _connections(endpoint):
            if (str(get(connection, "properties.privateLinkServiceId", "")).lower() == target_id
                    and _approved(connection, manual)):
                names.add(str(endpoint.get("name")))
    return sorted(names - {""})


def listing(noun: str, names: list[str]) -> str:
    """``private endpoint pe-a`` or ``private endpoints pe-a, pe-b``."""
    return f"{noun}{'s' if len(names) > 1 else ''} {', '.join(names)}"


def leaf(resource_id: str | None) -> str:
    """The last segment of a resource id: the resource's own name."""
    return str(resource_id or "").rstrip("/").rsplit("/", 1)[-1]


def zone_name(zone_id: str | None) -> str:
    return leaf(zone_id).lower()


def is_privatelink_zone(name: str) -> bool:
    return "privatelink" in str(name).lower().split(".")


def required_zones(endpoint: Document, index: ResourceIndex) -> tuple[set[str], list[str]]:
    """(zones the endpoint's sub-resources need, group ids carelift knows no zone for)."""
    required: set[str] = set()
    unknown: list[str] = []
    for connection, _ in _connections(endpoint):
        target = index.by_id(get(connection, "properties.privateLinkServiceId"))
        for group in get_list(connection, "properties.groupIds"):
            zones = SERVICE_ZONES.get(str(group).lower())
            if zones is None:
                unknown.append(str(group))
                continue
            if (str(group).lower() == "account" and target is not None
                    and str(target.get("kind", "")).lower() not in OPENAI_KINDS):
                zones = tuple(z for z in zones if "openai" not in z)
            required.update(zones)
    return required, sorted(set(unknown))


@control(
    id="CL-PE-001", title="Private endpoints have exactly one private DNS zone group", severity="medium",
    scope="graph",
    citations=("45 CFR 164.312(e)(1)",), types=ENDPOINTS,
    remediation="Give each private endpoint one privateDnsZoneGroups child (Azure rejects a second) listing "
                "every zone the service needs; in carelift, infra/components/private_link.py creates it.",
)
def one_zone_group(endpoint: Document, index: ResourceIndex) -> Outcome:
    """Without a zone group the service's name does not resolve privately: clients fall back to its public endpoint."""
    groups = sorted(str(g.get("name")) for g in index.children(endpoint["id"], ZONE_GROUP))
    if len(groups) == 1:
        return passed(sentence(endpoint, f"has one private DNS zone group, '{groups[0]}'"))
    if not groups:
        return failed(sentence(endpoint, "has no private DNS zone group, so its service's name does not resolve "
                                         "to the private address"))
    return failed(sentence(endpoint, f"has {len(groups)} private DNS zone groups ({', '.join(groups)}); Azure "
                                     f"allows one, and the records of the others are not managed"))


@control(
    id="CL-PE-002", title="Private DNS zone groups name the service's privatelink zones", severity="medium",
    scope="graph",
    citations=("45 CFR 164.312(e)(1)",), types=(ZONE_GROUP,),
    remediation="List in the zone group's privateDnsZoneConfigs (at most 5) the zone of each sub-resource: "
                "vault -> privatelink.vaultcore.azure.net; account -> privatelink.openai.azure.com and "
                "privatelink.cognitiveservices.azure.com; blob -> privatelink.blob.core.windows.net.",
)
def zone_group_zones(group: Document, index: ResourceIndex) -> Outcome:
    """Records land in the zones clients resolve the service's name in, or the private path is never used."""
    configs = get_entries(group, "properties.privateDnsZoneConfigs")
    zones = {zone_name(get(c, "properties.privateDnsZoneId")) for c in configs} - {""}
    endpoint_id = parent_id(str(group["id"]))
    of = f"of private endpoint '{leaf(endpoint_id)}'"
    if not zones:
        return failed(sentence(group, f"{of} names no private DNS zone"))
    if len(configs) > MAX_ZONE_CONFIGS:
        return failed(sentence(group, f"{of} has {len(configs)} zone configs; Azure accepts at most "
                                      f"{MAX_ZONE_CONFIGS}"))
    endpoint = index.by_id(endpoint_id)
    if endpoint is None:
        return failed(sentence(group, f"{of} cannot be checked: the endpoint is not among the audited documents, "
                                      f"so the zones its service needs are unknown"))
    required, unknown = required_zones(endpoint, index)
    if unknown:
        return failed(sentence(group, f"{of} serves {listing('sub-resource', unknown)}, for which carelift knows "
                                      f"no private DNS zone; waive it after checking the zones by hand"))
    if not required:
        return failed(sentence(group, f"{of} has no private link connection to register"))
    missing = sorted(required - zones)
    if missing:
        return failed(sentence(group, f"{of} does not include {', '.join(missing)}, so the service's name does not "
                                      f"resolve to the private endpoint"))
    return passed(sentence(group, f"{of} registers it in {', '.join(sorted(required))}"))


@control(
    id="CL-DNS-001", title="Privatelink DNS zones are linked to a virtual network", severity="medium", scope="graph",
    citations=("45 CFR 164.312(e)(1)",), types=ZONES,
    remediation="Link each privatelink zone to the hub VNet (whose DNS resolver serves spokes and on-premises) "
                "with a virtualNetworkLinks child; infra/components/dns.py does this.",
)
def zone_linked(zone: Document, index: ResourceIndex) -> Outcome:
    """An unlinked zone answers nobody: clients resolve the service's public address instead."""
    if not is_privatelink_zone(str(zone.get("name", ""))):
        return passed(sentence(zone, "is not a privatelink zone, so it needs no resolver link for private endpoints"))
    networks = sorted({leaf(get(link, "properties.virtualNetwork.id"))
                       for link in index.children(zone["id"], LINKS[0])} - {""})
    if networks:
        return passed(sentence(zone, f"is linked to {listing('virtual network', networks)}"))
    return failed(sentence(zone, "is not linked to any virtual network, so private endpoint names in it resolve "
                                 "to public addresses"))


@control(
    id="CL-DNS-002", title="Privatelink DNS zone links do not auto-register VMs", severity="low", scope="resource",
    citations=("45 CFR 164.312(e)(1)",), types=LINKS,
    remediation="Set properties.registrationEnabled to false on every link of a privatelink zone: endpoints "
                "manage their records through zone groups.",
)
def link_registration_disabled(link: Document, index: ResourceIndex) -> Outcome:
    """VM records registered into a privatelink zone can shadow or hijack a service's private name."""
    zone = zone_name(parent_id(str(link["id"])))
    if not is_privatelink_zone(zone):
        return passed(sentence(link, f"belongs to '{zone}', not a privatelink zone, so auto-registration is "
                                     f"allowed"))
    if boolean(get(link, "properties.registrationEnabled")) is False:
        return passed(sentence(link, f"links '{zone}' with auto-registration disabled"))
    return failed(sentence(link, f"does not disable auto-registration in '{zone}', so VM names can be written "
                                 f"into the zone that resolves private endpoints"))
