"""Rendered Pulumi resources → ARM documents: what Azure Resource Manager's GET returns for each
(see the package docstring for the rules), or with `sent` what Pulumi's PUT carries."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Mapping

from infra.arm.errors import ArmTranslationError
from infra.arm.shapes import (_PLAIN, ENVELOPE, PLACEMENT, REFERENCES, SCOPE_IN_PROPERTIES, SHAPES, SUB_ENVELOPE,
                              Renames)
from infra.arm.types import ARM_TYPES, api_version, arm_type

if TYPE_CHECKING:
    from infra.render import RenderedResource, Rendering


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
