"""Diagnostic settings: every resource that emits logs sends them to the workspace.

A function, not a component: the setting is an extension resource of its target and
belongs in the target's component tree.
"""

from __future__ import annotations

from typing import Sequence

import pulumi
import pulumi_azure_native.monitor as monitor


def diagnostic_setting(
    name: str,
    *,
    target_id: pulumi.Input[str],
    workspace_id: pulumi.Input[str],
    parent: pulumi.Resource,
    categories: Sequence[str] = (),
    category_groups: Sequence[str] = ("allLogs",),
    metrics: bool = True,
    archive_account_id: pulumi.Input[str] | None = None,
    depends_on: Sequence[pulumi.Resource] = (),
) -> monitor.DiagnosticSetting:
    """Send `target_id`'s logs (by category or category group) and metrics to Log Analytics.

    Retention is set on the workspace, not here: the per-setting retentionPolicy is
    deprecated. With `archive_account_id` the same logs also land in the immutable
    evidence archive.
    """
    logs = [monitor.DiagnosticsLogSettingsArgs(category=c, enabled=True) for c in categories]
    logs += [monitor.DiagnosticsLogSettingsArgs(category_group=g, enabled=True) for g in category_groups]
    return monitor.DiagnosticSetting(
        f"{name}-diag",
        name="send-to-log-analytics",
        resource_uri=target_id,
        workspace_id=workspace_id,
        storage_account_id=archive_account_id,
        log_analytics_destination_type="Dedicated",
        logs=logs,
        metrics=[monitor.DiagnosticsMetricSettingsArgs(category="AllMetrics", enabled=True)] if metrics else None,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on)),
    )
