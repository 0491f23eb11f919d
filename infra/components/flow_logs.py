"""Network flow logs: every VNet's traffic recorded to the evidence archive and Traffic Analytics."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Mapping

import pulumi
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.managedidentity as managedidentity
import pulumi_azure_native.network as network
import pulumi_azure_native.resources as resources

# Azure's own names: Network Watcher is one per region per subscription, and the portal,
# the CLI and Azure's automatic enablement all look for it here.
NETWORK_WATCHER_RESOURCE_GROUP = "NetworkWatcherRG"
TRAFFIC_ANALYTICS_INTERVAL_MINUTES = 10
FLOW_LOG_FORMAT_VERSION = 2  # version 2 adds bytes and packets per flow.
# The archive refuses shared keys, so Network Watcher writes as the flow logs' user-assigned
# identity, which Microsoft documents needs Storage Blob Data Contributor on the account.
STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
# Seeds the role assignment's name: a GUID, unique in the tenant, stable across runs.
_ROLE_ASSIGNMENT_NAMESPACE = uuid.UUID("3f6b2d8e-91c4-4a57-8e0d-5b7a1c9f2e64")


@dataclass(frozen=True)
class NetworkFlowLogsArgs:
    name_prefix: str
    """``<organization>-<environment>``, the middle of the identity's name."""
    identity_resource_group_name: pulumi.Input[str]
    """Resource group of the stack (the archive's) that holds the flow logs' identity."""
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
    storage_account_name: str
    """The archive's name: seeds the role assignment's name, which must be known before deployment."""


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

        identity = managedidentity.UserAssignedIdentity(
            f"{name}-identity",
            # In the stack's own group: NetworkWatcherRG is shared by every stack of the subscription.
            resource_name_=f"id-{args.name_prefix}-flowlogs",
            resource_group_name=args.identity_resource_group_name,
            location=args.location,
            opts=pulumi.ResourceOptions(parent=self),
        )
        writer = authorization.RoleAssignment(
            f"{name}-archive-writer",
            role_assignment_name=str(uuid.uuid5(
                _ROLE_ASSIGNMENT_NAMESPACE,
                f"{args.storage_account_name}/id-{args.name_prefix}-flowlogs/{STORAGE_BLOB_DATA_CONTRIBUTOR}")),
            scope=args.storage_account_id,
            principal_id=identity.principal_id,
            # Explicit type: Entra replication of a new identity lags, and ARM then fails to
            # resolve the principal unless told it is a service principal.
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            role_definition_id=pulumi.Output.from_input(args.storage_account_id).apply(
                lambda account_id: f"/subscriptions/{account_id.split('/')[2]}/providers/"
                                   f"Microsoft.Authorization/roleDefinitions/{STORAGE_BLOB_DATA_CONTRIBUTOR}"),
            description="Lets the VNet flow logs write to the audit archive, which refuses shared keys.",
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
                identity=network.ManagedServiceIdentityArgs(type=network.ResourceIdentityType.USER_ASSIGNED,
                                                            user_assigned_identities=[identity.id]),
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
                # The first records must find the role in place (RBAC still takes minutes to
                # propagate: a flow log that cannot write yet retries, it does not fail).
                opts=pulumi.ResourceOptions(parent=self, depends_on=[writer]),
            )
            self.flow_log_ids[key] = flow_log.id

        self.network_watcher_id = watcher.id
        self.identity_id = identity.id
        self.register_outputs({"network_watcher_id": self.network_watcher_id,
                               "identity_id": self.identity_id,
                               "flow_log_ids": self.flow_log_ids})
