"""Hand-written ARM documents for control tests (the shapes Azure returns)."""

from __future__ import annotations

from types import ModuleType
from typing import Any, Sequence

from infra.compliance.engine import evaluate
from infra.compliance.model import Control, Status
from infra.compliance.registry import CATALOG

SUB = "00000000-0000-0000-0000-000000000001"


def rid(arm_type: str, name: str, rg: str = "rg-test") -> str:
    """Resource id of a top-level or child resource: name 'vnet/subnet' for children."""
    namespace, *types = arm_type.split("/")
    names = name.split("/")
    path = "/".join(f"{t}/{n}" for t, n in zip(types, names))
    return f"/subscriptions/{SUB}/resourceGroups/{rg}/providers/{namespace}/{path}"


def resource(arm_type: str, name: str, properties: dict[str, Any] | None = None, *, rg: str = "rg-test",
             location: str = "eastus2", **extra: Any) -> dict[str, Any]:
    return {"type": arm_type, "name": name.split("/")[-1], "id": rid(arm_type, name, rg),
            "location": location, "tags": {}, "properties": properties or {}, **extra}


def extension(target: dict[str, Any], arm_type: str, name: str, properties: dict[str, Any]) -> dict[str, Any]:
    """An extension resource (diagnostic setting, lock, role assignment) on `target`."""
    return {"type": arm_type, "name": name, "id": f"{target['id']}/providers/{arm_type}/{name}",
            "properties": properties}


def controls_of(module: ModuleType) -> tuple[Control, ...]:
    """The catalog's controls a controls module defines (each registered by its decorator), in id order."""
    return CATALOG.defined_in(module.__name__)


def statuses(control: Control, documents: list[dict[str, Any]]) -> dict[str, Status]:
    """resource name -> status of `control` on it."""
    result = evaluate(documents, [control])
    return {f.resource_id.rsplit("/", 1)[-1]: f.status for f in result.findings}


def messages(control: Control, documents: list[dict[str, Any]]) -> list[str]:
    return [f.message for f in evaluate(documents, [control]).findings]


def private_endpoint(target: dict[str, Any], name: str, group_id: str, *, status: str | None = None,
                     manual: bool = False, rg: str = "rg-test") -> dict[str, Any]:
    """A private endpoint with one connection to `target` (state omitted unless `status` is given)."""
    connection: dict[str, Any] = {"privateLinkServiceId": target["id"], "groupIds": [group_id]}
    if status is not None:
        connection["privateLinkServiceConnectionState"] = {"status": status}
    key = "manualPrivateLinkServiceConnections" if manual else "privateLinkServiceConnections"
    return resource("Microsoft.Network/privateEndpoints", name,
                    {key: [{"name": f"{name}-{group_id}", "properties": connection}]}, rg=rg)


def rendered_statuses(rendering: Any, controls: Sequence[Control]) -> dict[str, set[Status]]:
    """control id -> statuses it gave on a rendered stack translated to ARM (controls with no finding absent)."""
    from infra.arm import to_arm_documents

    found: dict[str, set[Status]] = {}
    for finding in evaluate(to_arm_documents(rendering), list(controls)).findings:
        found.setdefault(finding.control, set()).add(finding.status)
    return found
