"""Network flow logs: every VNet's traffic recorded to the evidence archive and Traffic Analytics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import pulumi
import pulumi_azure_native.network as network
import pulumi_azure_native.resources as resources

# Azure's own names: Network Watcher is one per region per subscription, and the portal,
# the CLI and Azure's automatic enablement all look for it here.
NETWORK_WATCHER_RESOURCE_GROUP = "NetworkWatcherRG"
TRAFFIC_ANALYTICS_INTERVAL_MINUTES = 10
FLOW_LOG_FORMAT_VERSION = 2  # version 2 adds bytes and packets per flow.


@dataclass(frozen=True)
class NetworkFlowLogsArgs:
    location: str
    """Region of the VNets, the watcher and the flow logs (Azure requires them to match)."""
    vnet_ids: Mapping[str, pulumi.Input[str]]
    """VNet resource ids by short name (``hub``, then one per spoke)."""
    storage_account_id: pulumi.Input[str]
    """The audit archive, in the same region, that keeps the raw flow records."""
    workspace_id: pulumi.Input[str]
    """Resource id of the Log Analytics workspace for Traffic Analytics."""
    workspace_customer_id: pulumi.Input[str]
    """The workspace's customer id (GUID), which Traffic Analytics also needs."""
    workspace_location: str
    """The workspace's region."""


class NetworkFlowLogs(pulumi.ComponentResource):
    """A Network Watcher and one VNet flow log per VNet, with Traffic Analytics.

    Azure creates ``NetworkWatcher_<region>`` in ``NetworkWatcherRG`` by itself when the first
    VNet of a subscription appears, unless an administrator opted out. On a subscription where
    that already happened, import both before the first ``pulumi up``
    (``pulumi import azure-native:network:NetworkWatcher ...``), or the create fails with
    "already exists". Two stacks sharing one subscription share the watcher too.
    """

    def __init__(self, name: str, args: NetworkFlowLogsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("carelift:network:NetworkFlowLogs", name, None, opts)

        group = resources.ResourceGroup(
            f"{name}-rg",
            resource_group_name=NETWORK_WATCHER_RESOURCE_GROUP,
            location=args.location,
            opts=pulumi.ResourceOptions(parent=self),
        )
        watcher = network.NetworkWatcher(
            f"{name}-watcher",
            network_watcher_name=f"NetworkWatcher_{args.location}",
            resource_group_name=group.name,
            location=args.location,
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.flow_log_ids: dict[str, pulumi.Output[str]] = {}
        for key, vnet_id in args.vnet_ids.items():
            flow_log = network.FlowLog(
                f"{name}-{key}",
                # Named after the VNet: flow logs of every stack in the subscription share the watcher.
                flow_log_name=pulumi.Output.from_input(vnet_id).apply(
                    lambda vnet: f"fl-{vnet.rstrip('/').rsplit('/', 1)[-1]}"),
                network_watcher_name=watcher.name,
                resource_group_name=group.name,
                location=args.location,
                target_resource_id=vnet_id,
                storage_id=args.storage_account_id,
                enabled=True,
                format=network.FlowLogFormatParametersArgs(type="JSON", version=FLOW_LOG_FORMAT_VERSION),
                # The archive's immutability policy keeps the records six years; a flow-log
                # retention would only try (and fail) to delete them earlier.
                retention_policy=network.RetentionPolicyParametersArgs(enabled=False),
                flow_analytics_configuration=network.TrafficAnalyticsPropertiesArgs(
                    network_watcher_flow_analytics_configuration=network.TrafficAnalyticsConfigurationPropertiesArgs(
                        enabled=True,
                        workspace_id=args.workspace_customer_id,
                        workspace_region=args.workspace_location,
                        workspace_resource_id=args.workspace_id,
                        traffic_analytics_interval=TRAFFIC_ANALYTICS_INTERVAL_MINUTES,
                    ),
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.flow_log_ids[key] = flow_log.id

        self.network_watcher_id = watcher.id
        self.register_outputs({"network_watcher_id": self.network_watcher_id,
                               "flow_log_ids": self.flow_log_ids})
