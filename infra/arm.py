"""Rendered Pulumi resources → ARM documents, and an ARM template that scanners read.

A document is what Azure Resource Manager's GET returns for the resource: ``type``, ``name``
(the leaf name), ``id``, ``location``, ``tags``, ``sku``, ``kind``, ``identity``, ``properties``
and ``apiVersion`` (the one the azure-native SDK uses). Pulumi's azure-native inputs differ
from that shape in these ways, undone here (common rules, plus a `Shape` per deviating type):

- most ``properties`` are flattened to the top level (Key Vault, Key Vault keys and Cognitive
  Services keep a ``properties`` input), including a ``sku`` that ARM keeps inside them
  (firewall, firewall policy, gateway, Log Analytics workspace);
- the names and parents of the URL path are inputs (``resourceGroupName``, ``vaultName``...);
- some properties are renamed after the REST spec's ``x-ms-client-name`` (storage
  ``networkRuleSet`` is ARM ``networkAcls``);
- inline sub-resources (security rules, routes, ip configurations, private link connections,
  zone configs) are flattened too; ARM nests them as ``{name, id, properties}``, and returns a
  reference (a subnet, a public IP) as ``{id}`` alone;
- user-assigned identities are a list of ids, ARM maps each id to its principal; numbers are
  floats, ARM's counts and priorities are integers.

The values Azure computes (ids, addresses, URIs, principal ids) come from the render's mock
answers, so a document carries the read-only properties a GET would show: the audit judges
these documents. The exported template keeps configuration and computed values apart: each
resource's body is what Pulumi sends (`sent_document`), and what only a GET would add sits in
the resource's ``metadata.carelift.readOnly`` (ARM ignores a resource's ``metadata``; carelift's
ARM reader merges it back). Shapes were checked against the REST specs
(Azure/azure-rest-api-specs, Azure/bicep-types-az).
"""

from __future__ import annotations

import functools
import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from infra.arm_types import ARM_TYPES
from infra.errors import CareliftError

if TYPE_CHECKING:
    from infra.render import RenderedResource, Rendering

TEMPLATE_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
TEMPLATE_CONTENT_VERSION = "1.0.0.0"

# Keys ARM keeps beside `properties` (the envelope of a tracked resource).
ENVELOPE = ("location", "tags", "sku", "kind", "identity", "zones", "extendedLocation", "plan", "etag",
            "eTag", "managedBy")
# Keys of an inline sub-resource that stay beside its `properties`.
SUB_ENVELOPE = ("name", "id", "etag", "type")
# Properties that are references to another resource: ARM returns only their id
# (Pulumi's input types carry defaults, e.g. a private endpoint's subnet's network policies).
REFERENCES = frozenset({"subnet", "networkSecurityGroup", "routeTable", "natGateway", "publicIPAddress",
                        "publicIPPrefix", "firewallPolicy", "basePolicy", "virtualNetwork", "remoteVirtualNetwork",
                        "ddosProtectionPlan", "gatewayDefaultSite", "virtualHub"})
# Path inputs that ARM also returns inside `properties` (a role assignment's scope).
SCOPE_IN_PROPERTIES = frozenset({"azure-native:authorization:PolicyAssignment",
                                 "azure-native:authorization:RoleAssignment"})
PLACEMENT = "azure-native:management:ManagementGroupSubscription"
# Where a template resource keeps the values Azure computes (see `export_template`).
READ_ONLY_METADATA = ("carelift", "readOnly")


class ArmTranslationError(CareliftError):
    """A rendered resource that cannot be expressed as an ARM document."""

    def __init__(self, urn: str, key: str, problem: str):
        self.urn, self.key, self.problem = urn, key, problem
        super().__init__(f"{urn}: {key}: {problem}")


Renames = Mapping[str, "str | tuple[str, Renames]"]


@dataclass(frozen=True)
class Shape:
    """How one azure-native type differs from its ARM document, beyond the common rules."""

    in_properties: frozenset[str] = frozenset()
    """Envelope-looking inputs that ARM keeps inside `properties` (a firewall's sku)."""
    renames: Renames = field(default_factory=dict)
    """Pulumi property -> ARM property, or (ARM property, renames inside it)."""
    sub_resources: Mapping[str, str | None] = field(default_factory=dict)
    """Inline sub-resource property -> the id segment ARM gives each item (None: items have no id)."""


_IP_CONFIGS = {"ipConfigurations": "ipConfigurations"}
_STORAGE_ENCRYPTION: Renames = {
    "keyVaultProperties": ("keyvaultproperties", {"keyName": "keyname", "keyVaultUri": "keyvaulturi",
                                                  "keyVersion": "keyversion"}),
    "encryptionIdentity": ("identity", {"encryptionUserAssignedIdentity": "userAssignedIdentity",
                                        "encryptionFederatedIdentityClientId": "federatedIdentityClientId"}),
}

# Only the types that deviate; every other type follows the common rules.
SHAPES: dict[str, Shape] = {
    "azure-native:storage:StorageAccount": Shape(renames={
        "networkRuleSet": "networkAcls",
        "enableHttpsTrafficOnly": "supportsHttpsTrafficOnly",
        "enableNfsV3": "isNfsV3Enabled",
        "encryption": ("encryption", _STORAGE_ENCRYPTION),
    }),
    "azure-native:operationalinsights:Workspace": Shape(in_properties=frozenset({"sku"})),
    "azure-native:network:AzureFirewall": Shape(in_properties=frozenset({"sku"}), sub_resources={
        "ipConfigurations": "ipConfigurations", "managementIpConfiguration": "ipConfigurations",
        "applicationRuleCollections": "applicationRuleCollections", "natRuleCollections": "natRuleCollections",
        "networkRuleCollections": "networkRuleCollections"}),
    "azure-native:network:FirewallPolicy": Shape(in_properties=frozenset({"sku"})),
    "azure-native:network:VirtualNetworkGateway": Shape(in_properties=frozenset({"sku"}), sub_resources=_IP_CONFIGS),
    "azure-native:network:BastionHost": Shape(sub_resources={"ipConfigurations": "bastionHostIpConfigurations"}),
    "azure-native:network:NetworkSecurityGroup": Shape(sub_resources={"securityRules": "securityRules"}),
    "azure-native:network:RouteTable": Shape(sub_resources={"routes": "routes"}),
    # ARM nests a delegation's serviceName under properties (CL-NET-004/006 read it there).
    "azure-native:network:Subnet": Shape(sub_resources={"delegations": "delegations"}),
    "azure-native:network:VirtualNetwork": Shape(sub_resources={
        "subnets": "subnets", "virtualNetworkPeerings": "virtualNetworkPeerings"}),
    "azure-native:network:PrivateEndpoint": Shape(sub_resources={
        "privateLinkServiceConnections": "privateLinkServiceConnections",
        "manualPrivateLinkServiceConnections": "manualPrivateLinkServiceConnections",
        "ipConfigurations": None}),
    "azure-native:network:PrivateDnsZoneGroup": Shape(sub_resources={"privateDnsZoneConfigs": None}),
}
_PLAIN = Shape()


# ---------------------------------------------------------------------------- documents


def to_arm_documents(rendering: Rendering) -> list[dict[str, Any]]:
    """One ARM document per custom resource of the render, sorted by id."""
    documents = [to_arm_document(resource) for resource in rendering.custom_resources]
    return sorted(documents, key=lambda d: d["id"].lower())


def to_arm_document(resource: RenderedResource) -> dict[str, Any]:
    """The ARM document of one rendered resource (its mock state: inputs plus computed values)."""
    _check_translatable(resource)
    state = dict(resource.outputs or resource.inputs)
    return translate(resource.type, state, str(resource.id), urn=resource.urn)


def _check_translatable(resource: RenderedResource) -> None:
    if resource.type not in ARM_TYPES:
        raise ArmTranslationError(resource.urn, "type", f"no ARM type is known for {resource.type}")
    if not resource.id:
        raise ArmTranslationError(resource.urn, "id", "the render gave this resource no id")


def sent_document(resource: RenderedResource) -> dict[str, Any]:
    """The ARM document of what Pulumi sends for one rendered resource: its inputs only, with
    none of the values Azure computes (principal ids, URIs, addresses, sub-resource ids,
    an assignment's ``properties.scope``)."""
    _check_translatable(resource)
    return translate(resource.type, resource.inputs, str(resource.id), urn=resource.urn, sent=True)


def translate(token: str, state: Mapping[str, Any], resource_id: str, *, urn: str = "",
              sent: bool = False) -> dict[str, Any]:
    """ARM document for a resource of `token` with Pulumi-shaped `state` at `resource_id`.

    By default the document is what GET returns, read-only properties included; with `sent`,
    only what the PUT carries (for `state` holding inputs only).
    """
    shape = SHAPES.get(token, _PLAIN)
    dropped = _path_inputs(token) | (_scope_input(token) if sent else frozenset())
    values = {key: value for key, value in state.items() if key not in dropped}
    given = values.pop("properties", None)
    if given is not None and not isinstance(given, Mapping):
        raise ArmTranslationError(urn or resource_id, "properties", "is not an object")

    document: dict[str, Any] = {"type": arm_type(token, resource_id), "name": resource_id.rsplit("/", 1)[-1],
                                "id": resource_id, "apiVersion": api_version(token)}
    properties: dict[str, Any] = dict(given or {})
    for key, value in sorted(values.items()):
        if key in ENVELOPE and key not in shape.in_properties:
            document[key] = _identity(value) if key == "identity" else value
        else:
            properties[key] = value
    properties = _rename(properties, shape.renames)
    if token == PLACEMENT and not sent:
        # GET names the group the subscription sits under; the render only has it in the id.
        properties.setdefault("parent", {"id": resource_id.rsplit("/subscriptions/", 1)[0]})
    for key, segment in shape.sub_resources.items():
        if key in properties:
            # GET gives each inline sub-resource an id; the PUT carries none.
            prefix = f"{resource_id}/{segment}" if segment and not sent else None
            properties[key] = _sub_resources(properties[key], prefix)
    document["properties"] = _references(properties)
    return _numbers(document)


def arm_type(token: str, resource_id: str) -> str:
    """The full ARM type (``Microsoft.Network/virtualNetworks/subnets``) of a resource."""
    if token == "azure-native:resources:ResourceGroup":
        return "Microsoft.Resources/resourceGroups"
    tail = resource_id[resource_id.lower().rfind("/providers/") + len("/providers/"):].split("/")
    return "/".join([tail[0], *tail[1::2]])


@functools.cache
def _path_inputs(token: str) -> frozenset[str]:
    """Inputs that only build the URL (names, parents, scope): GET returns them in `id`."""
    path, name_key = ARM_TYPES[token]
    dropped = {name_key, "resourceGroupName", "name"}
    dropped.update(segment[1:-1] for segment in path.split("/") if segment.startswith("{"))
    if path.startswith("@"):
        scope_key = path[1:].partition(":")[0]
        if token not in SCOPE_IN_PROPERTIES:
            dropped.add(scope_key)
    if token == "azure-native:network:VirtualNetworkPeering":
        dropped.add("syncRemoteAddressSpace")  # a query parameter of the PUT
    if token == "azure-native:privatedns:PrivateRecordSet":
        dropped.add("recordType")  # a URL segment (privateDnsZones/<zone>/A/<name>)
    return frozenset(dropped)


def _scope_input(token: str) -> frozenset[str]:
    """The scope input of an assignment: a URL segment of the PUT, echoed only by GET."""
    if token not in SCOPE_IN_PROPERTIES:
        return frozenset()
    return frozenset({ARM_TYPES[token][0][1:].partition(":")[0]})


def read_only_part(document: Mapping[str, Any], sent: Mapping[str, Any]) -> dict[str, Any]:
    """What `document` (a GET) holds beyond `sent` (the PUT), in the document's own nesting.

    List items are compared by position (``[{}, {"properties": {...}}]``): both come from the
    same inputs in the same order. ``merge_read_only(sent, part) == document``.
    """
    return _difference(document, sent) or {}


def _difference(full: Any, sent: Any) -> Any:
    if isinstance(full, Mapping) and isinstance(sent, Mapping):
        out = {}
        for key, value in full.items():
            if key not in sent:
                out[key] = value
            else:
                inner = _difference(value, sent[key])
                if inner is not None:
                    out[key] = inner
        return out or None
    if isinstance(full, list) and isinstance(sent, list) and len(full) == len(sent):
        items = [_difference(a, b) for a, b in zip(full, sent, strict=True)]
        return [item if item is not None else {} for item in items] if any(i is not None for i in items) else None
    return None if full == sent and type(full) is type(sent) else full


def merge_read_only(document: Mapping[str, Any], part: Any) -> Any:
    """`document` with a `read_only_part` put back."""
    if isinstance(document, Mapping) and isinstance(part, Mapping):
        merged = dict(document)
        for key, value in part.items():
            merged[key] = merge_read_only(document[key], value) if key in document else value
        return merged
    if isinstance(document, list) and isinstance(part, list) and len(document) == len(part):
        return [merge_read_only(a, b) for a, b in zip(document, part, strict=True)]
    return part


def _identity(identity: Any) -> Any:
    """Pulumi lists user-assigned identity ids; ARM maps each id to its principal and client ids."""
    if isinstance(identity, Mapping) and isinstance(identity.get("userAssignedIdentities"), list):
        return {**identity, "userAssignedIdentities": {str(i): {} for i in identity["userAssignedIdentities"]}}
    return identity


def _rename(node: Mapping[str, Any], renames: Renames) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        rule = renames.get(key)
        if isinstance(rule, tuple):
            target, inner = rule
            out[target] = _rename(value, inner) if isinstance(value, Mapping) else value
        else:
            out[rule or key] = value
    return out


def _sub_resources(value: Any, id_prefix: str | None) -> Any:
    """``[{name, access, ...}]`` → ``[{name, id, properties: {access, ...}}]`` (one object too)."""
    if isinstance(value, list):
        return [_sub_resources(item, id_prefix) for item in value]
    if not isinstance(value, Mapping):
        return value
    item = {key: value[key] for key in SUB_ENVELOPE if key in value}
    if id_prefix and "id" not in item and item.get("name"):
        item["id"] = f"{id_prefix}/{item['name']}"
    item["properties"] = {**(value.get("properties") or {}),
                          **{k: v for k, v in value.items() if k not in SUB_ENVELOPE and k != "properties"}}
    return item


def _references(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {key: ({"id": value["id"]} if key in REFERENCES and isinstance(value, Mapping) and "id" in value
                      else _references(value))
                for key, value in node.items()}
    if isinstance(node, list):
        return [_references(item) for item in node]
    return node


def _numbers(node: Any) -> Any:
    """Pulumi sends every number as a float; ARM's integers (priorities, days, ports) are integers."""
    if isinstance(node, float) and node.is_integer():
        return int(node)
    if isinstance(node, Mapping):
        return {key: _numbers(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_numbers(item) for item in node]
    return node


# ---------------------------------------------------------------------------- API versions

_API_VERSION = re.compile(r"Uses Azure REST API version (\d{4}-\d{2}-\d{2}(?:-preview)?)")


@functools.cache
def api_version(token: str) -> str:
    """The ARM API version azure-native uses for `token`, read from its class docstring.

    Reads the SDK's source file rather than importing the module: importing azure-native
    submodules costs seconds.
    """
    _, module, class_name = token.split(":")
    spec = importlib.util.find_spec("pulumi_azure_native")
    if spec is None or not spec.submodule_search_locations:
        raise ArmTranslationError(token, "apiVersion", "pulumi_azure_native is not installed")
    directory = Path(next(iter(spec.submodule_search_locations))) / module
    declaration = f"class {class_name}(pulumi.CustomResource)"
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", class_name).lower()
    candidates = [directory / f"{snake}.py", *sorted(directory.glob("*.py"))]
    for path in candidates:
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        if declaration in text:
            match = _API_VERSION.search(text, text.index(declaration))
            if match:
                return match.group(1)
            break
    raise ArmTranslationError(token, "apiVersion", f"no 'Uses Azure REST API version' docstring in {directory}")


# ---------------------------------------------------------------------------- template


def export_template(rendering: Rendering) -> dict[str, Any]:
    """The template ``carelift infra export-arm`` writes: each resource's body is what Pulumi
    sends, and the values only Azure's GET shows sit in its ``metadata.carelift.readOnly``,
    so scanners never take a computed value (a principal id, a URI, a private address, an
    assignment's ``properties.scope``) for configuration."""
    sent, read_only = [], {}
    for resource in rendering.custom_resources:
        document = sent_document(resource)
        part = read_only_part(to_arm_document(resource), document)
        if part:
            read_only[document["id"]] = part
        sent.append(document)
    return to_template(sent, read_only)


def to_template(documents: Iterable[Mapping[str, Any]],
                read_only: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """An ARM deployment template holding `documents`, in the form scanners (Checkov) read.

    `read_only` maps a document's id to the values it leaves out that Azure computes; they
    are written under the resource's ``metadata.carelift.readOnly``.

    Child resources are named ``parent/child`` with their full type; extension resources
    (diagnostic settings, locks, role and policy assignments on a resource or management
    group) carry the target's id as ``scope``. Each keeps its resource ``id`` as an extra
    field, so findings can be traced back. The template describes resources at several
    scopes (tenant, management group, subscription, resource groups): it is evidence for
    scanners, not something to deploy.
    """
    resources = [_template_resource(d, (read_only or {}).get(str(d["id"])))
                 for d in sorted(documents, key=lambda d: str(d["id"]).lower())]
    return {"$schema": TEMPLATE_SCHEMA, "contentVersion": TEMPLATE_CONTENT_VERSION, "resources": resources}


def _template_resource(document: Mapping[str, Any], read_only: Mapping[str, Any] | None) -> dict[str, Any]:
    resource_id = str(document["id"])
    marker = resource_id.lower().rfind("/providers/")
    prefix, tail = resource_id[:max(marker, 0)], resource_id[marker + len("/providers/"):].split("/")
    if document["type"] == "Microsoft.Resources/resourceGroups":
        prefix, tail = "", ["Microsoft.Resources", "resourceGroups", str(document["name"])]
    entry: dict[str, Any] = {"type": document["type"], "apiVersion": document["apiVersion"],
                             "name": "/".join(tail[2::2])}
    # A resource under a resource group or subscription is at the deployment's scope; anything
    # hanging off another resource or a management group is an extension resource.
    if "/providers/" in prefix.lower():
        entry["scope"] = prefix
    for key in ENVELOPE:
        if key in document:
            entry[key] = document[key]
    entry["properties"] = document.get("properties", {})
    entry["id"] = resource_id
    if read_only:
        outer, inner = READ_ONLY_METADATA
        entry["metadata"] = {outer: {inner: read_only}}
    return entry
