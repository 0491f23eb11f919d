"""Columns that look like credentials are dropped on import with a warning, never stored as tags."""

from __future__ import annotations

import pytest

from migrate.inventory.importers import parse
from migrate.inventory.importers.fields import is_credential_header


@pytest.mark.parametrize("header", [
    "password", "Admin Password", "AdminPassword", "root_pwd", "passwd", "Passphrase", "client_secret",
    "Secret", "Bearer token", "API token", "api_key", "API Key", "apikey", "ssh-key", "License key",
    "Product Key", "privateKey", "Private key", "Access Key ID", "storage account key", "BitLocker Recovery Key",
    "key", "Credentials", "iLO credential", "Connection string", "u_local_admin_password", "PIN",
])
def test_credential_headers(header):
    assert is_credential_header(header)


@pytest.mark.parametrize("header", [
    "Primary Key", "Disk Key", "min Required EVC Mode Key", "Sort key", "Foreign key", "Key Vault", "keyboard",
    "Monkey patch", "owner", "cost-center", "Pinned", "Tokyo", "passenger", "Secretary", "name", "",
])
def test_ordinary_headers(header):
    assert not is_credential_header(header)


def test_generic_csv_drops_credential_columns_and_keeps_the_rest(tmp_path):
    path = tmp_path / "servers.csv"
    path.write_text("name,cores,Admin Password,api_key,Primary Key,cost center\n"
                    "epic-db01,8,Hunter2!,sk-live-123,42,4410\n", encoding="utf-8")
    parsed = parse(path, "csv")
    assert parsed.servers[0].tags == (("cost-center", "4410"), ("primary-key", "42"))
    assert parsed.warnings == (
        "column 'Admin Password' looks like a credential: dropped, not stored as a tag (rename the column if it "
        "is not one)",
        "column 'api_key' looks like a credential: dropped, not stored as a tag (rename the column if it is not "
        "one)")
    assert not any("Hunter2" in w or "sk-live" in w for w in parsed.warnings)


def test_yaml_tags_named_like_credentials_are_dropped(tmp_path):
    path = tmp_path / "servers.yaml"
    path.write_text("servers:\n  - name: epic-db01\n    tags: {bmc_password: Hunter2!, rack: A12}\n", encoding="utf-8")
    parsed = parse(path, "yaml")
    assert parsed.servers[0].tags == (("rack", "A12"),)
    assert parsed.warnings == ("tag 'bmc_password' looks like a credential: dropped, not stored (rename it if it "
                               "is not one)",)


def test_cmdb_custom_fields_named_like_credentials_are_dropped(tmp_path):
    path = tmp_path / "cmdb_ci_server.csv"
    path.write_text("name,ip_address,os,cpu_core_count,ram,u_rack,u_ilo_password\n"
                    "EPICDB01,10.0.0.1,Windows Server 2019,8,16384,A12,Hunter2!\n", encoding="utf-8")
    parsed = parse(path, "cmdb")
    assert dict(parsed.servers[0].tags) == {"u_rack": "A12"}
    assert any("'u_ilo_password' looks like a credential" in w for w in parsed.warnings)


def test_application_mapping_drops_credential_columns(tmp_path):
    path = tmp_path / "mapping.csv"
    path.write_text("server,application,environment,service account password,support team\n"
                    "epic-db01,Epic,prd,Hunter2!,EHR\n", encoding="utf-8")
    parsed = parse(path, "appmap")
    assert dict(parsed.servers[0].tags) == {"support-team": "EHR"}
    assert len(parsed.warnings) == 1 and "service account password" in parsed.warnings[0]
