"""A graph over ARM documents: lookups by id, type, parent, extension scope and reference.

Graph controls need more than one document at a time (a vault and its diagnostic setting, a
private endpoint and its zone groups, a subnet and its NSG). Ids are compared
case-insensitively, as Azure does. Inline children that a live GET returns inside their
parent (a VNet's subnets, an NSG's rules) become documents of their own, so a check sees the
same shape whatever the source.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Iterable, Iterator

from infra.compliance.document import SUBSCRIPTION_TYPE, Document, Unknown, _touch

# Parent type -> (property holding inline children, child type).
INLINE_CHILDREN = {
    "microsoft.network/virtualnetworks": ("subnets", "Microsoft.Network/virtualNetworks/subnets"),
    "microsoft.network/networksecuritygroups": ("securityRules", "Microsoft.Network/networkSecurityGroups/securityRules"),
}


def get(document: Any, path: str, default: Any = None) -> Any:
    """``get(doc, "properties.networkAcls.defaultAction")``; numbers index lists.

    A value only known at deployment (`model.Unknown`) on the way is returned as it is and counts
    as used by the running check, so a check that then fails is reported `manual`, not `fail`.
    """
    node = document
    for part in path.split("."):
        if isinstance(node, Unknown):
            break
        if isinstance(node, Mapping):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return default
        if node is None:
            return default
    if isinstance(node, Unknown):
        _touch(node)
    return node


def get_list(document: Any, path: str) -> list[Any]:
    """The list at `path`, or [] when it is absent or not a list. An expression standing for the list
    (`model.Unknown`) counts as used by the running check (so a failure is `manual`) and gives []:
    iterating it would walk the characters of its spelling."""
    value = get(document, path)
    return value if isinstance(value, list) else []


def get_entries(document: Any, path: str) -> list[Mapping[str, Any]]:
    """The objects of the list at `path` (entries that are not objects, e.g. unknown values, left out)."""
    return [entry for entry in get_list(document, path) if isinstance(entry, Mapping)]


def type_of(document: Document) -> str:
    return str(document.get("type", ""))


def parent_id(resource_id: str) -> str:
    """The id of the resource a child or extension resource hangs off."""
    lowered = resource_id.lower()
    marker = lowered.rfind("/providers/")
    tail = resource_id[marker + len("/providers/"):].split("/") if marker >= 0 else []
    if marker >= 0 and len(tail) > 3:  # namespace/type/name/childType/childName...
        return resource_id.rsplit("/", 2)[0]
    return resource_id[:marker] if marker > 0 else ""


class ResourceIndex:
    def __init__(self, documents: Iterable[Document]):
        self.documents: list[Document] = []
        self._by_id: dict[str, Document] = {}
        self._by_type: dict[str, list[Document]] = {}
        self._children: dict[str, list[Document]] = {}
        self._children_by_type: dict[tuple[str, str], list[Document]] = {}
        self._references: dict[str, list[Document]] | None = None
        self.duplicates: list[Document] = []
        """Documents whose id repeats an earlier one's: left out, reported once each by the engine."""
        pending_inline: list[Document] = []
        for document in documents:
            self._add(document)
            pending_inline.extend(self._inline_children(document))
        for child in pending_inline:
            if str(child.get("id", "")).lower() not in self._by_id:
                self._add(child)
        # Subscription-wide controls judge a subscription only when the documents hold something deployed
        # at subscription level (Defender plans, policy assignments, diagnostic settings, ...): a template
        # of storage accounts says nothing about the subscription it will land in.
        for subscription in sorted({_subscription_of(d) for d in self.documents if _subscription_level(d)} - {""}):
            self._add({"type": SUBSCRIPTION_TYPE, "id": f"/subscriptions/{subscription}",
                       "name": subscription, "properties": {}})

    def _add(self, document: Document) -> None:
        resource_id = str(document.get("id", "")).lower()
        if resource_id and resource_id in self._by_id:
            self.duplicates.append(document)
            return
        self.documents.append(document)
        if resource_id:
            self._by_id[resource_id] = document
            parent = parent_id(resource_id)
            if parent:
                self._children.setdefault(parent.lower(), []).append(document)
                # By type too: a resource group has every resource as a child, and checks ask for one type.
                self._children_by_type.setdefault((parent.lower(), type_of(document).lower()), []).append(document)
        self._by_type.setdefault(type_of(document).lower(), []).append(document)

    @staticmethod
    def _inline_children(document: Document) -> Iterator[Document]:
        spec = INLINE_CHILDREN.get(type_of(document).lower())
        if not spec:
            return
        prop, child_type = spec
        segment = child_type.rsplit("/", 1)[1]
        for child in get(document, f"properties.{prop}", []) or []:
            if not isinstance(child, Mapping) or not child.get("name"):
                continue
            yield {**child, "type": child_type,
                   "id": child.get("id") or f"{document.get('id', '')}/{segment}/{child['name']}"}

    def __len__(self) -> int:
        return len(self.documents)

    def by_id(self, resource_id: str | None) -> Document | None:
        return self._by_id.get(str(resource_id or "").lower())

    def of_type(self, arm_type: str) -> list[Document]:
        return self._by_type.get(arm_type.lower(), [])

    def children(self, resource_id: str, child_type: str | None = None) -> list[Document]:
        """Child and extension resources whose id extends `resource_id` (optionally of one type)."""
        if child_type is None:
            return list(self._children.get(str(resource_id).lower(), []))
        return list(self._children_by_type.get((str(resource_id).lower(), child_type.lower()), []))

    def extensions(self, resource_id: str, extension_type: str) -> list[Document]:
        """Extension resources of `extension_type` (e.g. Microsoft.Insights/diagnosticSettings) on a resource."""
        return self.children(resource_id, extension_type)

    def referencing(self, resource_id: str, from_type: str | None = None) -> list[Document]:
        """Documents whose properties mention `resource_id` (e.g. endpoints pointing at a vault)."""
        if self._references is None:
            self._references = {}
            for document in self.documents:
                for value in set(_id_strings(document.get("properties"))):
                    self._references.setdefault(value, []).append(document)
        found = self._references.get(str(resource_id).lower(), [])
        if from_type is None:
            return list(found)
        return [d for d in found if type_of(d).lower() == from_type.lower()]


def _id_strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        # str.lower, not node.lower: building the map reads every document, and an unknown value
        # read here was not used by the check that happened to trigger the build.
        lowered = str.lower(node)
        if lowered.startswith(("/subscriptions/", "/providers/")):
            yield lowered
    elif isinstance(node, Mapping):
        for value in node.values():
            yield from _id_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _id_strings(value)


def _subscription_of(document: Document) -> str:
    parts = str(document.get("id", "")).split("/")
    return parts[2] if len(parts) > 2 and parts[1].lower() == "subscriptions" else ""


def _subscription_level(document: Document) -> bool:
    """A document deployed at subscription scope: the subscription itself (or its management-group
    placement), a resource group, or /subscriptions/<id>/providers/... (pricings, policy, budgets...)."""
    if type_of(document).lower() in (SUBSCRIPTION_TYPE.lower(), "microsoft.management/managementgroups/subscriptions"):
        return True
    parts = str(document.get("id", "")).lower().split("/")
    return len(parts) > 3 and parts[1] == "subscriptions" and (parts[3] == "providers"
                                                               or (parts[3] == "resourcegroups" and len(parts) == 5))
