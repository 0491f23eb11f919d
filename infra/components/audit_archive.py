"""STUB: replaced by the real component."""
from __future__ import annotations

import pulumi


class AuditArchiveArgs:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


class AuditArchive(pulumi.ComponentResource):
    def __init__(self, name: str, args: AuditArchiveArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("carelift:stub:AuditArchive", name, None, opts)
        self.account_id = pulumi.Output.from_input('stub-account_id')
        self.account_name = pulumi.Output.from_input('stub-account_name')
        self.register_outputs({})
