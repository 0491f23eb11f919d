"""STUB: replaced by the real component."""
from __future__ import annotations

import pulumi


class PrivateOpenAIArgs:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


class PrivateOpenAI(pulumi.ComponentResource):
    def __init__(self, name: str, args: PrivateOpenAIArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("carelift:stub:PrivateOpenAI", name, None, opts)
        self.endpoint = pulumi.Output.from_input('stub-endpoint')
        self.deployment_names = pulumi.Output.from_input('stub-deployment_names')
        self.account_id = pulumi.Output.from_input('stub-account_id')
        self.register_outputs({})
