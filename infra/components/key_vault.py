"""STUB: replaced by the real component."""
from __future__ import annotations

import pulumi


class SecureKeyVaultArgs:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


class SecureKeyVault(pulumi.ComponentResource):
    def __init__(self, name: str, args: SecureKeyVaultArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("carelift:stub:SecureKeyVault", name, None, opts)
        self.vault_id = pulumi.Output.from_input('stub-vault_id')
        self.vault_uri = pulumi.Output.from_input('stub-vault_uri')
        self.vault_name = pulumi.Output.from_input('stub-vault_name')
        self.cmk_key_name = pulumi.Output.from_input('stub-cmk_key_name')
        self.register_outputs({})
