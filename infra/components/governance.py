"""STUB: replaced by the real component."""
from __future__ import annotations

import pulumi


class GovernanceArgs:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


class Governance(pulumi.ComponentResource):
    def __init__(self, name: str, args: GovernanceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("carelift:stub:Governance", name, None, opts)
        self.policy_assignment_ids = pulumi.Output.from_input('stub-policy_assignment_ids')
        self.register_outputs({})
