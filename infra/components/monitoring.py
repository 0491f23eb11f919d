"""STUB: replaced by the real component."""
from __future__ import annotations

import pulumi


class MonitoringArgs:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


class Monitoring(pulumi.ComponentResource):
    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("carelift:stub:Monitoring", name, None, opts)
        self.workspace_id = pulumi.Output.from_input('stub-workspace_id')
        self.workspace_customer_id = pulumi.Output.from_input('stub-workspace_customer_id')
        self.resource_group_name = pulumi.Output.from_input('stub-resource_group_name')
        self.action_group_id = pulumi.Output.from_input('stub-action_group_id')
        self.register_outputs({})
