"""The ARM template `carelift infra export-arm` writes, in the form scanners (Checkov) read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Mapping

from infra.arm.documents import sent_document, to_arm_document
from infra.arm.readonly import READ_ONLY_METADATA, read_only_part
from infra.arm.shapes import ENVELOPE

if TYPE_CHECKING:
    from infra.render import Rendering

TEMPLATE_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
TEMPLATE_CONTENT_VERSION = "1.0.0.0"


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
