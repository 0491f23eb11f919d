"""Log Analytics, the subscription activity log and activity-log alerts: the audit trail itself."""

from __future__ import annotations

from infra.compliance.controls.values import boolean, number, same
from infra.compliance.describe import sentence
from infra.compliance.index import ResourceIndex, get, get_entries, get_list
from infra.compliance.model import SUBSCRIPTION_TYPE, Document, Outcome, failed, passed
from infra.compliance.registry import control

WORKSPACES = ("Microsoft.OperationalInsights/workspaces",)
DIAGNOSTIC_SETTINGS = "Microsoft.Insights/diagnosticSettings"
ALERTS = "Microsoft.Insights/activityLogAlerts"
MIN_RETENTION_DAYS = 90
ACTIVITY_LOG_CATEGORIES = ("Administrative", "Security", "Policy", "Alert")
# Changes to the controls themselves (CIS Azure 5.2): who touched policy, network filtering or Defender.
ALERTED_OPERATIONS = (
    "Microsoft.Authorization/policyAssignments/write",
    "Microsoft.Authorization/policyAssignments/delete",
    "Microsoft.Network/networkSecurityGroups/write",
    "Microsoft.Network/networkSecurityGroups/delete",
    "Microsoft.Security/securitySolutions/write",
    "Microsoft.Security/securitySolutions/delete",
)
# Condition fields an alert may test without narrowing which of those operations it catches.
_NEUTRAL_FIELDS = {"category", "operationname"}


def workspace_logs(index: ResourceIndex, resource_id: str) -> dict[str, str]:
    """Log categories and category groups (lower case) that `resource_id` sends to a Log Analytics
    workspace, each mapped to the first diagnostic setting (by name) that sends it."""
    sent: dict[str, str] = {}
    settings = sorted(index.extensions(resource_id, DIAGNOSTIC_SETTINGS), key=lambda s: str(s.get("name")))
    for setting in settings:
        if not get(setting, "properties.workspaceId"):
            continue
        logs = get(setting, "properties.logs", [])  # an expression (model.Unknown) is not a list of entries
        for log in logs if isinstance(logs, list) else []:
            if isinstance(log, dict) and boolean(log.get("enabled")) is True:
                for key in (log.get("category"), log.get("categoryGroup")):
                    if key:
                        sent.setdefault(str(key).lower(), str(setting.get("name")))
    return sent


def _number(value: object) -> float | None:
    return number(value)


@control(
    id="CL-LOG-001", title="Log Analytics keeps logs at least 90 days", severity="high", scope="resource",
    citations=("45 CFR 164.312(b)", "45 CFR 164.308(a)(1)(ii)(D)"), types=WORKSPACES,
    remediation=f"Set properties.retentionInDays to at least {MIN_RETENTION_DAYS} (carelift: "
                f"monitoring.logRetentionDays, 365 in prod) and archive evidence to immutable storage for six years.",
)
def workspace_retention(workspace: Document, index: ResourceIndex) -> Outcome:
    """Activity review needs the logs still there when an incident is noticed weeks later."""
    days = _number(get(workspace, "properties.retentionInDays"))
    if days is not None and days >= MIN_RETENTION_DAYS:
        return passed(sentence(workspace, f"keeps logs {days:g} days"))
    found = "does not set a retention" if days is None else f"keeps logs only {days:g} days"
    return failed(sentence(workspace, f"{found}; the audit trail needs at least {MIN_RETENTION_DAYS} days"))


@control(
    id="CL-LOG-002", title="Log Analytics takes no public ingestion or queries", severity="high", scope="resource",
    citations=("45 CFR 164.312(b)", "45 CFR 164.312(a)(1)"), types=WORKSPACES,
    policy=("6c53d030-cc64-46f0-906d-2bc061cd1334",),
    remediation="Set properties.publicNetworkAccessForIngestion and publicNetworkAccessForQuery to Disabled; "
                "agents and readers come in through an Azure Monitor private link scope.",
)
def workspace_private(workspace: Document, index: ResourceIndex) -> Outcome:
    """From the internet nobody can forge audit records into the workspace or read PHI-bearing logs out."""
    open_paths = [path for path in ("Ingestion", "Query")
                  if not same(get(workspace, f"properties.publicNetworkAccessFor{path}"), "Disabled")]
    if not open_paths:
        return passed(sentence(workspace, "has public ingestion and public queries disabled"))
    which = " and ".join(f"public {p.lower()}" for p in open_paths)
    return failed(sentence(workspace, f"does not disable {which}, so the audit trail is reachable from public "
                                      f"networks"))


@control(
    id="CL-LOG-003", title="The subscription activity log goes to Log Analytics", severity="high",
    scope="subscription",
    citations=("45 CFR 164.312(b)", "45 CFR 164.308(a)(1)(ii)(D)"), types=(SUBSCRIPTION_TYPE,),
    policy=("7f89b1eb-583c-429a-8828-af049802c1d9",),
    remediation="Create a subscription diagnostic setting (/subscriptions/<id>/providers/Microsoft.Insights/"
                "diagnosticSettings/<name>) with a workspaceId and the Administrative, Security, Policy and "
                "Alert categories enabled.",
)
def activity_log_exported(subscription: Document, index: ResourceIndex) -> Outcome:
    """Control-plane changes (who changed what, when) are kept beyond the activity log's 90 days and reviewable."""
    sent = workspace_logs(index, subscription["id"])
    missing = [c for c in ACTIVITY_LOG_CATEGORIES if c.lower() not in sent and "alllogs" not in sent]
    if not missing:
        settings = sorted({sent.get(c.lower()) or sent["alllogs"] for c in ACTIVITY_LOG_CATEGORIES})
        return passed(sentence(subscription, f"sends its activity log ({', '.join(ACTIVITY_LOG_CATEGORIES)}) to "
                                             f"Log Analytics through {', '.join(repr(s) for s in settings)}"))
    return failed(sentence(subscription, f"does not send the activity log categories {', '.join(missing)} to a "
                                         f"Log Analytics workspace"))


def _alerted(alert: Document, subscription_id: str) -> str | None:
    """The operation an enabled, subscription-wide, notifying alert catches, or None."""
    scopes = {str(s).rstrip("/").lower() for s in get_list(alert, "properties.scopes")}
    if (boolean(get(alert, "properties.enabled")) is not True or subscription_id.lower() not in scopes
            or not get(alert, "properties.actions.actionGroups")):
        return None
    operations = set()
    for condition in get_entries(alert, "properties.condition.allOf"):
        field = str(condition.get("field", "")).lower()
        if condition.get("anyOf") or field not in _NEUTRAL_FIELDS:
            return None  # narrowed (by resource group, status, caller...) or a shape not proven here
        value = str(condition.get("equals", ""))
        if field == "category" and value.lower() != "administrative":
            return None
        if field == "operationname":
            operations.add(value.lower())
    return operations.pop() if len(operations) == 1 else None


@control(
    id="CL-LOG-004", title="Activity-log alerts watch policy, NSG and Defender changes", severity="medium",
    scope="subscription",
    citations=("45 CFR 164.308(a)(1)(ii)(D)", "45 CFR 164.308(a)(6)"), types=(SUBSCRIPTION_TYPE,),
    policy=("b954148f-4c11-4c38-8221-be76711e194a",),
    remediation="Create one enabled activity-log alert per operation, scoped to the subscription, with "
                "condition allOf [category = Administrative, operationName = <operation>] and an action "
                f"group: {', '.join(ALERTED_OPERATIONS)}.",
)
def security_changes_alerted(subscription: Document, index: ResourceIndex) -> Outcome:
    """Someone is told at once when a safeguard is switched off, instead of finding out at the next review."""
    covered = {_alerted(alert, subscription["id"]) for alert in index.of_type(ALERTS)}
    missing = [op for op in ALERTED_OPERATIONS if op.lower() not in covered]
    if not missing:
        return passed(sentence(subscription, f"alerts an action group on all {len(ALERTED_OPERATIONS)} "
                                             f"policy, network security group and Defender operations"))
    return failed(sentence(subscription, f"has no enabled, subscription-wide activity-log alert notifying an "
                                         f"action group for {', '.join(missing)}"))


# Platform resources whose logs are the network and security audit trail (vaults, OpenAI
# accounts and storage have their own, more specific controls).
LOGGED_PLATFORM_TYPES = (
    "Microsoft.Network/azureFirewalls", "Microsoft.Network/networkSecurityGroups",
    "Microsoft.Network/bastionHosts", "Microsoft.Network/virtualNetworkGateways",
    "Microsoft.Network/publicIPAddresses", "Microsoft.OperationalInsights/workspaces",
)


@control(
    id="CL-LOG-005", title="Firewalls, NSGs, Bastion, gateways, public IPs and workspaces send logs to Log Analytics",
    severity="medium", scope="graph", citations=("45 CFR 164.312(b)", "45 CFR 164.308(a)(1)(ii)(D)"),
    types=LOGGED_PLATFORM_TYPES, policy=("7f89b1eb-583c-429a-8828-af049802c1d9",),
    remediation="Add a diagnostic setting on the resource with the allLogs (or audit) category group enabled "
                "and a workspaceId; carelift's components do this through infra/components/diagnostics.py.",
)
def platform_logs_exported(resource: Document, index: ResourceIndex) -> Outcome:
    """Who connected through Bastion, what the firewall and NSGs allowed or denied, and who queried the logs."""
    sent = workspace_logs(index, str(resource.get("id", "")))
    if sent:
        first = sorted(sent)[0]
        return passed(sentence(resource, f"sends its {first} logs to Log Analytics through diagnostic setting "
                                         f"'{sent[first]}'"))
    return failed(sentence(resource, "has no diagnostic setting sending its logs to a Log Analytics workspace, "
                                     "so the activity it sees is not recorded for review"))
