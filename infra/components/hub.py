"""STUB: replaced by the real component."""
from __future__ import annotations

import pulumi


class HubNetworkArgs:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


class HubNetwork(pulumi.ComponentResource):
    def __init__(self, name: str, args: HubNetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("carelift:stub:HubNetwork", name, None, opts)
        self.vnet_id = pulumi.Output.from_input('stub-vnet_id')
        self.vnet_name = pulumi.Output.from_input('stub-vnet_name')
        self.resource_group_name = pulumi.Output.from_input('stub-resource_group_name')
        self.firewall_private_ip = pulumi.Output.from_input('stub-firewall_private_ip')
        self.dns_inbound_ip = pulumi.Output.from_input('stub-dns_inbound_ip')
        self.register_outputs({})
