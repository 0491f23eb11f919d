"""A small audit with every status and severity class, shared by the report-format tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from infra.compliance.controls import keyvault
from infra.compliance.engine import AuditResult, evaluate
from infra.compliance.index import get
from infra.compliance.model import Control, Waiver, failed, passed
from infra.compliance.outputs import AuditMeta
from infra.compliance.registry import Registry
from tests.infra.compliance.arm import extension, resource

VAULT = "Microsoft.KeyVault/vaults"
STORAGE = "Microsoft.Storage/storageAccounts"
META = AuditMeta(source="stack test (offline render)", generated_at="2026-03-01T12:00:00Z", tool_version="0.1.0")
# A registry of this module's own: its test controls must never join the catalog.
control = Registry().control


@control(id="CL-TST-001", title="Storage accounts carry a data-classification tag", severity="low", scope="resource",
         citations=("45 CFR 164.310(d)(1)",), types=(STORAGE,),
         remediation="Add the data-classification tag.")
def classified(document, index):
    """Media holding PHI is identifiable."""
    if get(document, "tags.data-classification"):
        return passed(f"Storage account '{document['name']}' carries a data-classification tag.")
    return failed(f"Storage account '{document['name']}' has no data-classification tag.")


@control(id="CL-TST-002", title="SQL servers are audited", severity="medium", scope="resource",
         citations=("45 CFR 164.312(b)",), types=("Microsoft.Sql/servers",), remediation="Enable auditing.")
def sql_audited(document, index):
    """No resource of this type exists in the sample: a not-applicable control."""
    return failed("never called")


CONTROLS: tuple[Control, ...] = (keyvault.purge_protection, keyvault.audit_events_logged, classified, sql_audited)
WAIVER = Waiver(control="CL-KV-001", resource="*/vaults/kv-lab-*", justification="Synthetic data only (RR-112).",
                approver="jane.doe@riverbend.example", category="mitigated", expires="2026-06-30")


@dataclass(frozen=True)
class Sample:
    documents: list[dict]
    result: AuditResult
    controls: tuple[Control, ...]
    meta: AuditMeta


def make_sample(extra: list[dict] | None = None) -> Sample:
    good = resource(VAULT, "kv-good", {"enablePurgeProtection": True})
    documents = [
        good,
        extension(good, "Microsoft.Insights/diagnosticSettings", "to-law",
                  {"workspaceId": "/w", "logs": [{"category": "AuditEvent", "enabled": True}]}),
        resource(VAULT, "kv-bad", {}),
        resource(VAULT, "kv-lab-01", {}),
        resource(STORAGE, "stgood", {}, tags={"data-classification": "phi"}),
        resource(STORAGE, "stbad", {}),
        *(extra or []),
    ]
    return Sample(documents, evaluate(documents, CONTROLS, [WAIVER]), CONTROLS, META)


@pytest.fixture
def sample() -> Sample:
    return make_sample()
