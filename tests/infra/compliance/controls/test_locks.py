"""Deletion locks on vaults, workspaces and audit archives, found on the resource or any scope above it."""

from __future__ import annotations

from infra.compliance.controls import locks
from infra.compliance.model import Status
from tests.infra.compliance.arm import SUB, controls_of, extension, messages, rendered_statuses, resource, statuses

VAULT = "Microsoft.KeyVault/vaults"
WORKSPACE = "Microsoft.OperationalInsights/workspaces"
ACCOUNT = "Microsoft.Storage/storageAccounts"
LOCK = "Microsoft.Authorization/locks"


def lock(target: dict, level: str = "CanNotDelete", name: str = "do-not-delete") -> dict:
    return extension(target, LOCK, name, {"level": level, "notes": "audit evidence"})


def scope_lock(scope_id: str, level: str = "CanNotDelete", name: str = "scope-lock") -> dict:
    return {"type": LOCK, "name": name, "id": f"{scope_id}/providers/{LOCK}/{name}", "properties": {"level": level}}


def evidence_account(name: str) -> dict:
    return resource(ACCOUNT, name, {"immutableStorageWithVersioning": {
        "enabled": True, "immutabilityPolicy": {"immutabilityPeriodSinceCreationInDays": 2190}}})


class TestDeletionLocked:
    def test_pass_with_locks_on_each_type(self):
        kv, ws, st = resource(VAULT, "kv-a"), resource(WORKSPACE, "log-a"), evidence_account("starchive")
        documents = [kv, ws, st, lock(kv), lock(ws, level="ReadOnly"), lock(st)]
        assert statuses(locks.deletion_locked, documents) == {
            "kv-a": Status.PASS, "log-a": Status.PASS, "starchive": Status.PASS}

    def test_pass_with_lock_inherited_from_resource_group_or_subscription(self):
        kv = resource(VAULT, "kv-a", rg="rg-security")
        ws = resource(WORKSPACE, "log-a", rg="rg-management")
        documents = [kv, ws, scope_lock(f"/subscriptions/{SUB}/resourceGroups/rg-security"),
                     scope_lock(f"/subscriptions/{SUB}")]
        assert statuses(locks.deletion_locked, documents) == {"kv-a": Status.PASS, "log-a": Status.PASS}
        assert messages(locks.deletion_locked, documents[:1] + documents[2:3]) == [
            "Key Vault 'kv-a' is protected by CanNotDelete lock 'scope-lock' on resource group 'rg-security'."]
        assert messages(locks.deletion_locked, documents[1:2] + documents[3:]) == [
            "Log Analytics workspace 'log-a' is protected by CanNotDelete lock 'scope-lock' on its subscription."]

    def test_storage_without_evidence_needs_no_lock(self):
        assert statuses(locks.deletion_locked, [resource(ACCOUNT, "stapp", {})]) == {"stapp": Status.PASS}

    def test_fail_without_lock_or_with_a_lock_elsewhere(self):
        kv, ws, st = resource(VAULT, "kv-a"), resource(WORKSPACE, "log-a"), evidence_account("starchive")
        other_rg = resource(VAULT, "kv-other", rg="rg-other")
        documents = [kv, ws, st, other_rg, scope_lock(f"/subscriptions/{SUB}/resourceGroups/rg-other"),
                     # A lock on a neighbour in the same group protects only that neighbour.
                     lock(resource(VAULT, "kv-neighbour"))]
        assert statuses(locks.deletion_locked, documents) == {
            "kv-a": Status.FAIL, "log-a": Status.FAIL, "starchive": Status.FAIL, "kv-other": Status.PASS}

    def test_an_unknown_lock_level_does_not_protect(self):
        kv = resource(VAULT, "kv-a")
        assert statuses(locks.deletion_locked, [kv, lock(kv, level="NotSpecified")]) == {"kv-a": Status.FAIL}

    def test_message(self):
        assert messages(locks.deletion_locked, [resource(WORKSPACE, "log-a")]) == [
            "Log Analytics workspace 'log-a' has no CanNotDelete or ReadOnly lock, so a single delete destroys "
            "the audit trail."]

    def test_empty(self):
        assert statuses(locks.deletion_locked, []) == {}


def test_rendered_stacks_pass_every_control(rendering):
    """The landing zone's own resources, translated to ARM, pass each control here, and each judged something."""
    assert rendered_statuses(rendering, controls_of(locks)) == {c.id: {Status.PASS} for c in controls_of(locks)}
