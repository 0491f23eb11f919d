"""Storage account controls, including blob services and immutability reached through child ids."""

from __future__ import annotations

from infra.compliance.controls import storage
from infra.compliance.model import Status, Unknown
from tests.infra.compliance.arm import controls_of, extension, messages, rendered_statuses, resource, statuses

ACCOUNT = "Microsoft.Storage/storageAccounts"
BLOB_SERVICE = "Microsoft.Storage/storageAccounts/blobServices"
CONTAINER = "Microsoft.Storage/storageAccounts/blobServices/containers"
POLICY = "Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies"
FLOW_LOG = "Microsoft.Network/networkWatchers/flowLogs"
DIAG = "Microsoft.Insights/diagnosticSettings"


def account(name: str, kind: str = "StorageV2", **properties) -> dict:
    return resource(ACCOUNT, name, properties, kind=kind, sku={"name": "Standard_GRS"})


def blob_service(account_name: str, **properties) -> dict:
    return resource(BLOB_SERVICE, f"{account_name}/default", properties)


def container(account_name: str, name: str, **properties) -> dict:
    return resource(CONTAINER, f"{account_name}/default/{name}", properties)


def worm(account_name: str, container_name: str, days: float) -> dict:
    return resource(POLICY, f"{account_name}/default/{container_name}/default",
                    {"immutabilityPeriodSinceCreationInDays": days})


def flow_log(target: dict, name: str = "fl-hub") -> dict:
    return resource(FLOW_LOG, f"NetworkWatcher_eastus2/{name}", {"storageId": target["id"], "enabled": True},
                    rg="NetworkWatcherRG")


class TestHttpsOnly:
    def test_pass(self):
        assert statuses(storage.https_only, [account("sthttps", supportsHttpsTrafficOnly=True)]) == {
            "sthttps": Status.PASS}

    def test_fail_when_false(self):
        documents = [account("sthttp", supportsHttpsTrafficOnly=False), account("sttext", supportsHttpsTrafficOnly="False")]
        assert statuses(storage.https_only, documents) == {"sthttp": Status.FAIL, "sttext": Status.FAIL}
        assert messages(storage.https_only, documents[:1]) == [
            "Storage account 'sthttp' does not require HTTPS, so data can travel unencrypted over HTTP."]

    def test_unset_is_judged_by_the_api_versions_default(self):
        """Azure made HTTPS-only the default in API version 2019-04-01; older versions default to HTTP allowed."""
        documents = [{**account("stnew"), "apiVersion": "2023-05-01"}, {**account("stold"), "apiVersion": "2018-07-01"},
                     account("stnoversion")]
        assert statuses(storage.https_only, documents) == {
            "stnew": Status.PASS, "stold": Status.FAIL, "stnoversion": Status.PASS}
        assert messages(storage.https_only, documents[:2]) == [
            "Storage account 'stnew' accepts HTTPS traffic only (supportsHttpsTrafficOnly unset: Azure's default is "
            "true from API version 2019-04-01).",
            "Storage account 'stold' does not require HTTPS (supportsHttpsTrafficOnly unset: Azure's default is false "
            "before API version 2019-04-01), so data can travel unencrypted over HTTP."]

    def test_empty(self):
        assert statuses(storage.https_only, []) == {}


class TestMinimumTls:
    """Azure Storage stopped accepting TLS 1.0 and 1.1 on every account on 3 February 2026: an unset minimum
    (the API's "default interpretation" TLS 1.0) is TLS 1.2 in effect on an audit day from then on, and
    still TLS 1.0 on an earlier one. The suite's day is CARELIFT_AS_OF=2026-12-06 (tests/conftest.py)."""

    UNSET_AFTER = ("Storage account 'stunset' requires TLS1_2 or later (minimumTlsVersion unset: Azure's default is "
                   "TLS1_0, and from 2026-02-03 Azure Storage refuses TLS 1.0 and 1.1 on every account, so the "
                   "effective value is TLS1_2).")

    def test_pass_with_tls12_or_13(self):
        documents = [account("sttls12", minimumTlsVersion="TLS1_2"), account("sttls13", minimumTlsVersion="TLS1_3")]
        assert statuses(storage.minimum_tls, documents) == {"sttls12": Status.PASS, "sttls13": Status.PASS}
        assert messages(storage.minimum_tls, documents[:1]) == ["Storage account 'sttls12' requires TLS1_2 or later."]

    def test_pass_when_unset_as_of_today_saying_which_default(self):
        assert messages(storage.minimum_tls, [account("stunset")]) == [self.UNSET_AFTER]
        assert statuses(storage.minimum_tls, [account("stunset")]) == {"stunset": Status.PASS}

    def test_pass_when_unset_from_the_retirement_day(self, monkeypatch):
        monkeypatch.setenv("CARELIFT_AS_OF", "2026-02-03")
        assert messages(storage.minimum_tls, [account("stunset")]) == [self.UNSET_AFTER]

    def test_fail_with_old_tls_stated_whatever_the_day(self, monkeypatch):
        documents = [account("sttls10", minimumTlsVersion="TLS1_0"), account("sttls11", minimumTlsVersion="tls1_1")]
        assert statuses(storage.minimum_tls, documents) == {"sttls10": Status.FAIL, "sttls11": Status.FAIL}
        assert messages(storage.minimum_tls, documents) == [
            "Storage account 'sttls10' accepts TLS1_0; TLS1_2 is the minimum.",
            "Storage account 'sttls11' accepts tls1_1; TLS1_2 is the minimum."]
        monkeypatch.setenv("CARELIFT_AS_OF", "2025-06-01")
        assert statuses(storage.minimum_tls, documents) == {"sttls10": Status.FAIL, "sttls11": Status.FAIL}

    def test_fail_when_unset_as_of_a_day_before_the_retirement(self, monkeypatch):
        for day in ("2025-06-01", "2026-02-02"):
            monkeypatch.setenv("CARELIFT_AS_OF", day)
            assert messages(storage.minimum_tls, [account("stunset")]) == [
                "Storage account 'stunset' accepts TLS1_0 (minimumTlsVersion unset: Azure's default is TLS1_0 "
                "before 2026-02-03); TLS1_2 is the minimum."], day

    def test_an_expression_is_not_taken_for_unset(self):
        tls = Unknown("[parameters('tls')]", "properties.minimumTlsVersion")
        assert statuses(storage.minimum_tls, [account("stparam", minimumTlsVersion=tls)]) == {"stparam": Status.MANUAL}

    def test_empty(self):
        assert statuses(storage.minimum_tls, []) == {}


class TestNoAnonymousAccess:
    def test_pass(self):
        assert statuses(storage.no_anonymous_access, [account("stclosed", allowBlobPublicAccess=False)]) == {
            "stclosed": Status.PASS}

    def test_fail_when_true(self):
        documents = [account("stpublic", allowBlobPublicAccess=True), account("sttext", allowBlobPublicAccess="true")]
        assert statuses(storage.no_anonymous_access, documents) == {"stpublic": Status.FAIL, "sttext": Status.FAIL}

    def test_unset_is_judged_by_the_api_versions_default(self):
        documents = [{**account("stnew"), "apiVersion": "2023-01-01"}, {**account("stold"), "apiVersion": "2022-09-01"}]
        assert statuses(storage.no_anonymous_access, documents) == {"stnew": Status.PASS, "stold": Status.FAIL}
        assert messages(storage.no_anonymous_access, documents[:1]) == [
            "Storage account 'stnew' forbids anonymous blob access (allowBlobPublicAccess unset: Azure's default is "
            "false from API version 2023-01-01)."]

    def test_empty(self):
        assert statuses(storage.no_anonymous_access, []) == {}


class TestNoSharedKey:
    def test_pass(self):
        assert statuses(storage.no_shared_key, [account("stentra", allowSharedKeyAccess=False)]) == {
            "stentra": Status.PASS}

    def test_fail_when_true_or_absent(self):
        documents = [account("stkeys", allowSharedKeyAccess=True), account("stunset")]
        assert statuses(storage.no_shared_key, documents) == {"stkeys": Status.FAIL, "stunset": Status.FAIL}

    def test_empty(self):
        assert statuses(storage.no_shared_key, []) == {}


class TestPrivateNetwork:
    def test_pass(self):
        st = account("stprivate", publicNetworkAccess="Disabled", networkAcls={"defaultAction": "Deny"})
        assert statuses(storage.private_network, [st]) == {"stprivate": Status.PASS}

    def test_fail_each_way(self):
        documents = [account("stpublic", publicNetworkAccess="Enabled", networkAcls={"defaultAction": "Deny"}),
                     account("stallow", publicNetworkAccess="Disabled", networkAcls={"defaultAction": "Allow"}),
                     account("stunset")]
        assert statuses(storage.private_network, documents) == {
            "stpublic": Status.FAIL, "stallow": Status.FAIL, "stunset": Status.FAIL}
        assert messages(storage.private_network, documents[1:2]) == [
            "Storage account 'stallow' does not deny by default in its network ACLs, so it is reachable from "
            "public networks."]

    def test_empty(self):
        assert statuses(storage.private_network, []) == {}


class TestInfrastructureEncryption:
    def test_pass(self):
        st = account("stdouble", encryption={"keySource": "Microsoft.Storage", "requireInfrastructureEncryption": True})
        assert statuses(storage.infrastructure_encryption, [st]) == {"stdouble": Status.PASS}

    def test_fail_when_false_or_absent(self):
        documents = [account("stsingle", encryption={"requireInfrastructureEncryption": False}),
                     account("stunset", encryption={"keySource": "Microsoft.Storage"})]
        assert statuses(storage.infrastructure_encryption, documents) == {
            "stsingle": Status.FAIL, "stunset": Status.FAIL}

    def test_empty(self):
        assert statuses(storage.infrastructure_encryption, []) == {}


class TestBlobRecovery:
    def test_pass(self):
        documents = [account("strecover"),
                     blob_service("strecover", deleteRetentionPolicy={"enabled": True, "days": 365},
                                  isVersioningEnabled=True)]
        assert statuses(storage.blob_recovery, documents) == {"strecover": Status.PASS}

    def test_file_storage_has_no_blob_service(self):
        assert statuses(storage.blob_recovery, [account("stfiles", kind="FileStorage")]) == {"stfiles": Status.PASS}

    def test_fail_each_way(self):
        documents = [account("stnoservice"),
                     account("stnosoftdelete"), blob_service("stnosoftdelete", isVersioningEnabled=True),
                     account("stnoversions"),
                     blob_service("stnoversions", deleteRetentionPolicy={"enabled": True, "days": 7}),
                     account("stother"),
                     # Settings on another account's blob service do not count for stother.
                     blob_service("stnoservice2", deleteRetentionPolicy={"enabled": True}, isVersioningEnabled=True)]
        assert statuses(storage.blob_recovery, documents) == {
            "stnoservice": Status.FAIL, "stnosoftdelete": Status.FAIL, "stnoversions": Status.FAIL,
            "stother": Status.FAIL}
        assert messages(storage.blob_recovery, [account("stbare"), blob_service("stbare")]) == [
            "Storage account 'stbare' does not enable blob soft delete or versioning, so deleted or overwritten "
            "blobs cannot be recovered."]

    def test_empty(self):
        assert statuses(storage.blob_recovery, []) == {}


class TestEvidenceImmutable:
    def test_pass_with_six_year_container_policy(self):
        st = account("starchive")
        documents = [st, flow_log(st), container("starchive", "evidence"), worm("starchive", "evidence", 2190.0)]
        assert messages(storage.evidence_immutable, documents) == [
            "Storage account 'starchive' keeps evidence write-once for 2190 days in container 'evidence'."]

    def test_pass_with_policy_embedded_in_a_live_container(self):
        st = account("stlive")
        archive_setting = {"storageAccountId": st["id"], "logs": [{"category": "AuditEvent", "enabled": True}]}
        documents = [st, extension(resource("Microsoft.KeyVault/vaults", "kv-a"), DIAG, "archive", archive_setting),
                     container("stlive", "insights-logs-auditevent", hasImmutabilityPolicy=True, immutabilityPolicy={
                         "properties": {"immutabilityPeriodSinceCreationInDays": 2555, "state": "Locked"}})]
        assert statuses(storage.evidence_immutable, documents) == {"stlive": Status.PASS}

    def test_pass_with_account_level_policy(self):
        st = account("staccount", immutableStorageWithVersioning={
            "enabled": True, "immutabilityPolicy": {"immutabilityPeriodSinceCreationInDays": 2190}})
        assert statuses(storage.evidence_immutable, [st, flow_log(st)]) == {"staccount": Status.PASS}

    def test_accounts_that_receive_no_logs_are_not_archives(self):
        assert statuses(storage.evidence_immutable, [account("stapp")]) == {"stapp": Status.PASS}

    def test_fail_when_logs_land_without_worm_or_retention_is_short(self):
        sink, short = account("stsink"), account("stshort")
        documents = [sink, flow_log(sink), short, container("stshort", "evidence"), worm("stshort", "evidence", 365)]
        assert statuses(storage.evidence_immutable, documents) == {"stsink": Status.FAIL, "stshort": Status.FAIL}
        assert messages(storage.evidence_immutable, documents[:2]) == [
            "Storage account 'stsink' receives logs from fl-hub but has no time-based immutability policy, so the "
            "evidence can be altered or deleted."]

    def test_a_policy_on_another_account_does_not_count(self):
        sink = account("stsink")
        documents = [sink, flow_log(sink), container("stother", "evidence"), worm("stother", "evidence", 2190)]
        assert statuses(storage.evidence_immutable, documents) == {"stsink": Status.FAIL}

    def test_empty(self):
        assert statuses(storage.evidence_immutable, []) == {}


def blob_diagnostics(account_name: str, name: str = "diag-blob", workspace: str | None = "/w", **log) -> dict:
    """A diagnostic setting on the account's blob service (an extension of blobServices/default)."""
    target = blob_service(account_name)
    return extension(target, DIAG, name, {"workspaceId": workspace, "logs": [{"enabled": True, **log}]})


class TestBlobAccessLogged:
    def test_pass_with_the_category_group_or_all_three_categories(self):
        grouped, listed = account("stgroup"), account("stlisted")
        setting = blob_diagnostics("stlisted", categoryGroup=None)
        setting["properties"]["logs"] = [{"category": c, "enabled": "true"}
                                         for c in ("StorageRead", "StorageWrite", "StorageDelete")]
        documents = [grouped, listed, blob_diagnostics("stgroup", categoryGroup="allLogs"), setting]
        assert statuses(storage.blob_access_logged, documents) == {"stgroup": Status.PASS, "stlisted": Status.PASS}
        assert messages(storage.blob_access_logged, documents[:1] + documents[2:3]) == [
            "Storage account 'stgroup' sends access logs to Log Analytics for blob (alllogs category group, "
            "diagnostic setting 'diag-blob')."]

    def test_fail_without_a_setting_or_with_a_partial_one(self):
        partial, storage_only = account("stpartial"), account("ststorage")
        documents = [partial, storage_only, account("stbare"),
                     blob_diagnostics("stpartial", category="StorageWrite"),
                     blob_diagnostics("ststorage", workspace=None, categoryGroup="allLogs")]
        assert statuses(storage.blob_access_logged, documents) == {
            "stpartial": Status.FAIL, "ststorage": Status.FAIL, "stbare": Status.FAIL}
        assert messages(storage.blob_access_logged, documents[:1] + documents[3:4]) == [
            "Storage account 'stpartial' does not send StorageRead, StorageWrite and StorageDelete logs of its blob "
            "service to a Log Analytics workspace, so access to its data is not recorded."]

    def test_azure_files_shares_need_file_service_logs(self):
        """The planner moves file servers to Azure Files: share access is logged like blob access."""
        files, mixed = account("stfiles", kind="FileStorage"), account("stmixed")
        file_logs = extension(resource(f"{ACCOUNT}/fileServices", "stfiles/default"), DIAG, "diag-file",
                              {"workspaceId": "/w", "logs": [{"categoryGroup": "audit", "enabled": True}]})
        documents = [files, mixed, file_logs, blob_diagnostics("stmixed", categoryGroup="allLogs"),
                     resource(f"{ACCOUNT}/fileServices/shares", "stmixed/default/profiles")]
        assert messages(storage.blob_access_logged, documents) == [
            "Storage account 'stfiles' sends access logs to Log Analytics for file (audit category group, "
            "diagnostic setting 'diag-file').",
            "Storage account 'stmixed' does not send StorageRead, StorageWrite and StorageDelete logs of its file "
            "service to a Log Analytics workspace, so access to its data is not recorded."]

    def test_empty(self):
        assert statuses(storage.blob_access_logged, []) == {}


def classified(name: str, level: str | None, sku: str) -> dict:
    document = {**account(name), "sku": {"name": sku}}
    document["tags"] = {"data-classification": level} if level else {}
    return document


class TestPhiGeoRedundant:
    def test_pass_when_geo_redundant_or_not_phi(self):
        documents = [classified("stphi", "phi", "standard_ragzrs"), classified("stpublic", "public", "Standard_LRS")]
        assert messages(storage.phi_geo_redundant, documents) == [
            "Storage account 'stphi' keeps a copy in a second region (Standard_RAGZRS).",
            "Storage account 'stpublic' holds data classified public, not PHI, so Standard_LRS replication inside one "
            "region suffices."]

    def test_fail_for_phi_or_unclassified_in_one_region(self):
        documents = [classified("stphi", "PHI", "Standard_ZRS"), classified("stnotag", None, "Premium_LRS")]
        assert messages(storage.phi_geo_redundant, documents) == [
            "Storage account 'stnotag' has no data-classification tag, so it may hold PHI, but uses Premium_LRS, "
            "which keeps no copy outside its region.",
            "Storage account 'stphi' holds PHI but uses Standard_ZRS, which keeps no copy outside its region."]

    def test_empty(self):
        assert statuses(storage.phi_geo_redundant, []) == {}


class TestContainerPrivate:
    def test_pass_when_none_or_unset(self):
        documents = [container("stdata", "explicit", publicAccess="none"), container("stdata", "unset")]
        assert messages(storage.container_private, documents) == [
            "Blob container 'explicit' is private (publicAccess None).",
            "Blob container 'unset' is private (publicAccess None) (publicAccess unset: Azure's default is None)."]

    def test_fail_per_container_even_when_the_account_forbids_anonymous_access(self):
        documents = [account("stopen", allowBlobPublicAccess=True), container("stopen", "web", publicAccess="Blob"),
                     account("stclosed", allowBlobPublicAccess=False),
                     container("stclosed", "listing", publicAccess="container")]
        assert messages(storage.container_private, documents) == [
            "Blob container 'listing' sets publicAccess Container; its account forbids anonymous access today, but "
            "allowing it on the account would open this container to anyone.",
            "Blob container 'web' sets publicAccess Blob, so anyone with the URL can read its blobs."]

    def test_empty(self):
        assert statuses(storage.container_private, []) == {}


def test_rendered_stacks_pass_every_control(rendering):
    """The landing zone's own resources, translated to ARM, pass each control here, and each judged something."""
    assert rendered_statuses(rendering, controls_of(storage)) == {c.id: {Status.PASS} for c in controls_of(storage)}
