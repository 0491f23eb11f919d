"""Audit archive: the immutable, private storage account that keeps HIPAA evidence six years."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.storage as storage

from infra.components.diagnostics import diagnostic_setting
from infra.components.private_link import private_endpoint

BLOB_ZONE = "privatelink.blob.core.windows.net"
EVIDENCE_CONTAINER = "evidence"
# Network Watcher writes VNet flow logs to this container; it is created here, before any
# flow log exists, so it carries a retention policy from the first record on.
FLOW_LOG_CONTAINER = "insights-logs-flowlogflowevent"
SOFT_DELETE_DAYS = 365


@dataclass(frozen=True)
class AuditArchiveArgs:
    account_name: str
    """Globally unique storage account name (3-24 lowercase letters and digits)."""
    location: str
    """Region of the account; flow logs require it to match the VNets' region."""
    resource_group_name: pulumi.Input[str]
    """The management resource group."""
    immutability_days: int
    """WORM retention of the evidence; 2190 days = six years (45 CFR 164.316(b)(2)(i))."""
    private_endpoint_subnet_id: pulumi.Input[str]
    """Subnet that receives the blob private endpoint."""
    blob_zone_id: pulumi.Input[str]
    """Resource id of the privatelink.blob.core.windows.net private DNS zone."""
    workspace_id: pulumi.Input[str]
    """Log Analytics workspace that receives the account's access logs."""


class AuditArchive(pulumi.ComponentResource):
    """A private, geo-redundant storage account whose evidence containers are write-once.

    Each container gets an *unlocked* time-based immutability policy of
    ``immutability_days``. Locking is irreversible (a locked policy can only be lengthened,
    and the account cannot be deleted until every blob has expired), so it is not done in
    code: after reviewing the retention period, the privacy officer locks both policies
    (portal, or ``az storage container immutability-policy lock``), and the lock is recorded
    as evidence. Until then a Storage Account Contributor could shorten or delete a policy.
    """

    def __init__(self, name: str, args: AuditArchiveArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("carelift:audit:AuditArchive", name, None, opts)

        account = storage.StorageAccount(
            f"{name}-account",
            account_name=args.account_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            kind="StorageV2",
            # Evidence must survive the loss of a region; the paired region is also in the US.
            sku=storage.SkuArgs(name="Standard_GRS"),
            enable_https_traffic_only=True,
            minimum_tls_version="TLS1_2",
            allow_blob_public_access=False,
            allow_shared_key_access=False,
            default_to_o_auth_authentication=True,
            allow_cross_tenant_replication=False,
            public_network_access="Disabled",
            network_rule_set=storage.NetworkRuleSetArgs(
                default_action=storage.DefaultAction.DENY,
                # Flow logs and Azure Monitor write here as trusted Microsoft services; they
                # have no path through the private endpoint.
                bypass="AzureServices",
            ),
            encryption=storage.EncryptionArgs(
                key_source="Microsoft.Storage",
                require_infrastructure_encryption=True,
                services=storage.EncryptionServicesArgs(
                    blob=storage.EncryptionServiceArgs(enabled=True, key_type="Account"),
                    file=storage.EncryptionServiceArgs(enabled=True, key_type="Account"),
                ),
            ),
            identity=storage.IdentityArgs(type="SystemAssigned"),
            opts=pulumi.ResourceOptions(parent=self),
        )

        blob_service = storage.BlobServiceProperties(
            f"{name}-blob-service",
            account_name=account.name,
            resource_group_name=args.resource_group_name,
            blob_services_name="default",
            is_versioning_enabled=True,
            delete_retention_policy=storage.DeleteRetentionPolicyArgs(enabled=True, days=SOFT_DELETE_DAYS),
            container_delete_retention_policy=storage.DeleteRetentionPolicyArgs(
                enabled=True, days=SOFT_DELETE_DAYS),
            change_feed=storage.ChangeFeedArgs(enabled=True),
            opts=pulumi.ResourceOptions(parent=self),
        )

        evidence_policy = self._worm_container(
            f"{name}-evidence", EVIDENCE_CONTAINER, account, args, blob_service,
            # Exported evidence is written as append blobs that keep growing.
            allow_protected_append_writes=True)
        flow_log_policy = self._worm_container(
            f"{name}-flow-logs", FLOW_LOG_CONTAINER, account, args, blob_service,
            # Flow logs commit new blocks to an hourly block blob every minute.
            allow_protected_append_writes_all=True)

        private_endpoint(
            f"{name}-blob",
            resource_group_name=args.resource_group_name,
            location=args.location,
            subnet_id=args.private_endpoint_subnet_id,
            target_id=account.id,
            group_id="blob",
            zone_ids={BLOB_ZONE: args.blob_zone_id},
            parent=self,
        )

        # Every read of the evidence is itself evidence.
        diagnostic_setting(
            f"{name}-blob",
            target_id=pulumi.Output.concat(account.id, "/blobServices/default"),
            workspace_id=args.workspace_id,
            parent=self,
            category_groups=("allLogs",),
            depends_on=[blob_service],
        )

        authorization.ManagementLockByScope(
            f"{name}-lock",
            lock_name="do-not-delete",
            scope=account.id,
            level="CanNotDelete",
            notes="Holds six years of HIPAA evidence (45 CFR 164.316(b)(2)(i)); remove only with the privacy officer's approval.",
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.account_name = account.name
        # Writers (flow logs) must not start before the WORM containers exist, or the service
        # would create its container first, without a retention policy.
        self.account_id = pulumi.Output.all(account.id, evidence_policy.id, flow_log_policy.id).apply(
            lambda ids: ids[0])
        self.register_outputs({"account_id": self.account_id, "account_name": self.account_name})

    def _worm_container(self, logical_name: str, container_name: str, account: storage.StorageAccount,
                        args: AuditArchiveArgs, blob_service: storage.BlobServiceProperties,
                        **append_writes: bool) -> storage.BlobContainerImmutabilityPolicy:
        container = storage.BlobContainer(
            logical_name,
            container_name=container_name,
            account_name=account.name,
            resource_group_name=args.resource_group_name,
            public_access=storage.PublicAccess.NONE,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[blob_service]),
        )
        return storage.BlobContainerImmutabilityPolicy(
            f"{logical_name}-immutability",
            immutability_policy_name="default",
            account_name=account.name,
            container_name=container.name,
            resource_group_name=args.resource_group_name,
            immutability_period_since_creation_in_days=args.immutability_days,
            opts=pulumi.ResourceOptions(parent=self),
            **append_writes,
        )
