"""STUB: replaced by the real component."""
from __future__ import annotations

import pulumi


class NetworkFlowLogsArgs:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


class NetworkFlowLogs(pulumi.ComponentResource):
    def __init__(self, name: str, args: NetworkFlowLogsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("carelift:stub:NetworkFlowLogs", name, None, opts)

        self.register_outputs({})
