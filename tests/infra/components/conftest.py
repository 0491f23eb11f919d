"""Build one component under Pulumi's mock engine, without rendering the whole landing zone.

A test about one component's shape under a changed stack config (no gateway, no budget, one model)
builds that component alone from its Args: the same mocks as the offline render (infra.render's
AzureMocks answer ids, addresses and identities the way Azure would), the same recording, a fraction
of the time. What the component would get from the others (the workspace id, the hub VNet id, a
subnet id) is passed as the ARM ids those would have. The session renders of the shipped stacks
(tests/conftest.py) stay for what is about how the components fit together.
"""

from __future__ import annotations

import asyncio
import copy
import datetime
from typing import Any, Callable, TypeVar

import pulumi
import pytest
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime.stack import run_pulumi_func

from infra.config import PROJECT, StackConfig, config_from_stack_document, utc_today
from infra.render import (OFFLINE_SUBSCRIPTION_ID, OFFLINE_TENANT_ID, AzureMocks, RenderedResource, Rendering,
                          _drop_aliases, _plain)
from tests.conftest import load_stack

T = TypeVar("T")

# What the other components would hand over, as the ARM ids they would have.
SUBSCRIPTION = f"/subscriptions/{OFFLINE_SUBSCRIPTION_ID}"
TENANT_ID = OFFLINE_TENANT_ID
WORKSPACE_ID = f"{SUBSCRIPTION}/resourceGroups/rg-test-management/providers/Microsoft.OperationalInsights/workspaces/log-test"
HUB_VNET_ID = f"{SUBSCRIPTION}/resourceGroups/rg-test-connectivity/providers/Microsoft.Network/virtualNetworks/vnet-test-hub"


def subnet_id(spoke: str, subnet: str) -> str:
    return (f"{SUBSCRIPTION}/resourceGroups/rg-test-{spoke}/providers/Microsoft.Network/virtualNetworks/"
            f"vnet-test-{spoke}/subnets/{subnet}")


def zone_id(zone: str) -> str:
    return f"{SUBSCRIPTION}/resourceGroups/rg-test-dns/providers/Microsoft.Network/privateDnsZones/{zone}"


def build_under_mocks(build: Callable[[], T], config: StackConfig | None = None) -> tuple[Rendering, T]:
    """Run `build` (which constructs components) as a Pulumi program under the offline render's mocks.

    `config` is the stack config the components were given: its stack names the Pulumi stack and
    the returned Rendering carries it, as a render does.

    Returns what was registered, as infra.render.render returns it (sorted by URN, component
    resources included), and what `build` returned (the component, to read its attributes).
    """
    stack = config.stack if config is not None else "test"
    records: list[dict[str, Any]] = []
    mocks = AzureMocks()
    built: list[T] = []

    class RecordingMonitor(pulumi_mocks.MockMonitor):
        def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
            response = super().RegisterResource(request)
            if request.type != "pulumi:pulumi:Stack":
                records.append({"urn": response.urn, "type": request.type, "name": request.name,
                                "inputs": _plain(mocks.last_inputs), "outputs": _plain(mocks.last_outputs),
                                "parent": request.parent or None, "custom": bool(request.custom),
                                "id": response.id or None, "dependsOn": tuple(sorted(request.dependencies)),
                                "ignoreChanges": tuple(request.ignoreChanges)})
            return response

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        # A fresh root stack, as infra.render does: set_mocks would reuse the previous one.
        pulumi.runtime.settings.set_root_resource(None)  # type: ignore[arg-type]
        pulumi_mocks.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=RecordingMonitor(mocks))

        def run() -> None:
            pulumi.runtime.register_stack_transformation(_drop_aliases)
            built.append(build())

        loop.run_until_complete(run_pulumi_func(run))
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    resources = tuple(
        RenderedResource(urn=r["urn"], type=r["type"], name=r["name"], parent=r["parent"], custom=r["custom"],
                         inputs=r["inputs"], id=r["id"], depends_on=r["dependsOn"], outputs=r["outputs"],
                         ignore_changes=r["ignoreChanges"])
        for r in sorted(records, key=lambda r: r["urn"]))
    return Rendering(stack=stack, resources=resources, config=config), built[0]


@pytest.fixture
def stack_config() -> Callable[..., StackConfig]:
    """The validated config of a shipped stack, edited first: ``stack_config(lambda cfg: ..., stack="dev")``.

    The callable receives the ``config:`` mapping (keys like ``carelift:network``) to edit in place,
    as `stack_copy` does; nothing is rendered. `today` is the deploy date (default: the UTC date).
    """

    def make(mutate: Callable[[dict[str, Any]], None] | None = None, stack: str = "prod",
             today: datetime.date | None = None) -> StackConfig:
        document = copy.deepcopy(load_stack(stack))
        if mutate is not None:
            mutate(document["config"])
        return config_from_stack_document(document, stack=stack, source=f"Pulumi.{stack}.yaml",
                                          today=today or utc_today())

    return make
