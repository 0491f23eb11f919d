"""STUB: replaced by the real component."""
from __future__ import annotations

import pulumi


class SpokeNetworkArgs:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


class SpokeNetwork(pulumi.ComponentResource):
    def __init__(self, name: str, args: SpokeNetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("carelift:stub:SpokeNetwork", name, None, opts)
        self.vnet_id = pulumi.Output.from_input('stub-vnet_id')
        self.private_endpoint_subnet_id = pulumi.Output.from_input('stub-private_endpoint_subnet_id')
        self.register_outputs({})
