"""Build one component under Pulumi's mock engine, without rendering the whole landing zone.

A test about one component's shape under a changed stack config (no gateway, no budget, one model)
builds that component alone from its Args: the same mocks as the offline render (infra.render's
AzureMocks answer ids, addresses and identities the way Azure would), the same recording, a fraction
of the time. What the component would get from the others (the workspace id, the hub VNet id, a
subnet id) is passed as the ARM ids those would have. The session renders of the shipped stacks
(tests/conftest.py) stay for what is about how the components fit together.
"""

from __future__ import annotations

import copy
import datetime
from typing import Any, Callable, TypeVar

import pytest

from infra.config import StackConfig, config_from_stack_document, utc_today
from infra.render import OFFLINE_SUBSCRIPTION_ID, OFFLINE_TENANT_ID, Rendering, run_under_mocks
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
    return run_under_mocks(config.stack if config is not None else "test", build, config=config)


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
