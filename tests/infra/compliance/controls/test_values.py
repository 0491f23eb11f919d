"""Reading ARM values the way Azure does, and the dated file of Azure's documented defaults."""

from __future__ import annotations

import datetime
import re

import pytest
import yaml

from infra.compliance.controls import values
from infra.compliance.controls.values import boolean, canonical, defaults, number, same, setting, shown
from infra.compliance.model import Unknown


class TestComparisons:
    def test_enums_compare_ignoring_case_and_spaces(self):
        assert same("disabled", "Disabled") and same(" DENY ", "Allow", "Deny")
        assert not same("Enabled", "Disabled") and not same(None, "Disabled") and not same(False, "False")
        assert canonical("tls1_2", ("TLS1_2", "TLS1_3")) == "TLS1_2"
        assert canonical("TLS1_0", ("TLS1_2",)) is None and canonical(12, ("12",)) is None

    def test_booleans_and_numbers_given_as_strings(self):
        assert boolean("True") is True and boolean(" false ") is False and boolean(True) is True
        assert boolean("yes") is None and boolean(1) is None and boolean(None) is None
        assert number("90") == 90.0 and number(" 1.2 ") == 1.2 and number(365) == 365.0
        assert number(True) is None and number("ninety") is None and number(None) is None
        assert number("inf") is None and number("nan") is None and number(float("inf")) is None

    def test_shown_as_arm_writes_it(self):
        assert shown(True) == "true" and shown(90.0) == "90" and shown(1.2) == "1.2" and shown("Deny") == "Deny"

    def test_an_unknown_value_never_matches(self):
        unknown = Unknown("[parameters('access')]", "properties.publicNetworkAccess")
        assert not same(unknown, "Disabled") and boolean(unknown) is None and number(unknown) is None


STORAGE = "Microsoft.Storage/storageAccounts"


class TestSetting:
    def test_a_stated_value_is_used_as_is(self):
        found = setting({"type": STORAGE, "properties": {"supportsHttpsTrafficOnly": False}},
                        "properties.supportsHttpsTrafficOnly")
        assert found.value is False and not found.is_default and found.note == ""

    def test_an_unset_value_takes_the_default_of_the_documents_api_version(self):
        path = "properties.supportsHttpsTrafficOnly"
        new = setting({"type": STORAGE, "apiVersion": "2023-05-01", "properties": {}}, path)
        old = setting({"type": STORAGE, "apiVersion": "2018-07-01", "properties": {}}, path)
        live = setting({"type": STORAGE, "properties": {}}, path)
        assert (new.value, old.value, live.value) == (True, False, True)
        assert new.note == " (supportsHttpsTrafficOnly unset: Azure's default is true from API version 2019-04-01)"
        assert old.default_note == "supportsHttpsTrafficOnly unset: Azure's default is false before API version 2019-04-01"

    def test_no_default_is_assumed_where_azure_documents_none(self):
        before = setting({"type": STORAGE, "apiVersion": "2022-09-01"}, "properties.allowBlobPublicAccess")
        unlisted = setting({"type": STORAGE}, "properties.isHnsEnabled")
        assert (before.value, before.note, unlisted.value, unlisted.note) == (None, "", None, "")

    def test_types_match_ignoring_case(self):
        found = setting({"type": "microsoft.keyvault/VAULTS"}, "properties.softDeleteRetentionInDays")
        assert found.value == 90 and found.is_default


class TestDefaultsFile:
    def test_is_dated_and_every_entry_names_its_source(self):
        data = yaml.safe_load(values.DEFAULTS_FILE.read_text(encoding="utf-8"))
        assert isinstance(data["as_of"], datetime.date)
        assert isinstance(data["supported_runtimes"]["as_of"], datetime.date)
        for entry in data["defaults"]:
            assert set(entry) <= {"type", "property", "value", "api_from", "before", "source"}, entry
            assert re.fullmatch(r"Microsoft\.\w+(/\w+)+", entry["type"]), entry
            assert entry["property"].startswith("properties."), entry
            assert len(str(entry["source"]).split()) >= 5, entry
            if "api_from" in entry:
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry["api_from"]), entry

    def test_one_entry_per_type_and_property(self):
        keys = [(d.type.lower(), d.property) for d in defaults()]
        assert len(keys) == len(set(keys))

    @pytest.mark.parametrize("language", ["python", "php", "node", "java", "dotnet"])
    def test_runtime_table_covers_the_languages_app_service_reads(self, language):
        as_of, oldest = values.supported_runtimes()
        assert re.fullmatch(r"\d+(\.\d+)?", oldest[language]) and as_of == str(values.defaults_as_of())
