"""Reading ARM values the way Azure does, and the dated file of Azure's documented defaults."""

from __future__ import annotations

import datetime
import re

import pytest
import yaml

from infra.compliance.controls import values
from infra.compliance.controls.values import boolean, canonical, defaults, number, same, setting, shown
from infra.compliance.model import Unknown
from infra.config_errors import ConfigError


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

    def test_a_default_that_changes_on_a_day_is_read_as_of_the_audit_day(self, monkeypatch):
        """Storage's unset minimum TLS: the API says TLS1_0 in every version, the service refuses TLS 1.0 and
        1.1 from 3 February 2026. The day is infra.ai.governance.as_of(): CARELIFT_AS_OF, else today."""
        path, document = "properties.minimumTlsVersion", {"type": STORAGE, "apiVersion": "2019-04-01"}
        for day, value in (("2025-06-01", "TLS1_0"), ("2026-02-02", "TLS1_0"), ("2026-02-03", "TLS1_2"),
                           ("2026-12-06", "TLS1_2")):
            monkeypatch.setenv("CARELIFT_AS_OF", day)
            found = setting(document, path)
            assert (found.value, found.is_default) == (value, True), day
        assert found.default_note == ("minimumTlsVersion unset: Azure's default is TLS1_0, and from 2026-02-03 Azure "
                                      "Storage refuses TLS 1.0 and 1.1 on every account, so the effective value is "
                                      "TLS1_2")
        monkeypatch.setenv("CARELIFT_AS_OF", "2026-02-02")
        assert setting(document, path).default_note == ("minimumTlsVersion unset: Azure's default is TLS1_0 before "
                                                        "2026-02-03")
        # A stated value is never replaced by the default, old or new.
        assert setting({**document, "properties": {"minimumTlsVersion": "TLS1_0"}}, path).value == "TLS1_0"

    def test_the_audit_day_is_the_registers_day(self, monkeypatch):
        monkeypatch.delenv("CARELIFT_AS_OF")
        assert values.audit_day() == datetime.datetime.now(datetime.timezone.utc).date()
        monkeypatch.setenv("CARELIFT_AS_OF", "2026-02-30")
        with pytest.raises(ConfigError, match="CARELIFT_AS_OF"):
            setting({"type": STORAGE}, "properties.minimumTlsVersion")
        # Defaults that do not change by date never need the day, so a bad day does not reach them.
        assert setting({"type": STORAGE}, "properties.allowSharedKeyAccess").value is True

    def test_a_spelling_of_unset_takes_the_default_and_says_so(self):
        found = setting({"type": "Microsoft.Sql/servers", "properties": {"minimalTlsVersion": "none"}},
                        "properties.minimalTlsVersion", unset=("None",))
        assert found.value == "1.2" and found.default_note.startswith(
            "minimalTlsVersion none, the same as unset: Azure's default is None (no minimum), and from 2025-09-01 ")
        stated = setting({"type": "Microsoft.Sql/servers", "properties": {"minimalTlsVersion": "none"}},
                         "properties.minimalTlsVersion")
        assert (stated.value, stated.is_default) == ("none", False)

    def test_types_match_ignoring_case(self):
        found = setting({"type": "microsoft.keyvault/VAULTS"}, "properties.softDeleteRetentionInDays")
        assert found.value == 90 and found.is_default


class TestDefaultsFile:
    def test_is_dated_and_every_entry_names_its_source(self):
        data = yaml.safe_load(values.DEFAULTS_FILE.read_text(encoding="utf-8"))
        assert isinstance(data["as_of"], datetime.date)
        assert isinstance(data["supported_runtimes"]["as_of"], datetime.date)
        for entry in data["defaults"]:
            assert set(entry) <= {"type", "property", "value", "api_from", "before", "source", "changes",
                                  "meaning"}, entry
            assert re.fullmatch(r"Microsoft\.\w+(/\w+)+", entry["type"]), entry
            assert entry["property"].startswith("properties."), entry
            assert len(str(entry["source"]).split()) >= 5, entry
            if "api_from" in entry:
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry["api_from"]), entry
            # A change by date is dated (a YAML date, not text), says what Azure does and where it says so.
            for change in entry.get("changes", []):
                assert set(change) == {"since", "value", "why", "source"}, change
                assert isinstance(change["since"], datetime.date), change
                assert len(str(change["why"]).split()) >= 4 and len(str(change["source"]).split()) >= 5, change
            days = [change["since"] for change in entry.get("changes", [])]
            assert days == sorted(days) and len(days) == len(set(days)), entry

    def test_one_entry_per_type_and_property(self):
        keys = [(d.type.lower(), d.property) for d in defaults()]
        assert len(keys) == len(set(keys))

    @pytest.mark.parametrize("language", ["python", "php", "node", "java", "dotnet"])
    def test_runtime_table_covers_the_languages_app_service_reads(self, language):
        as_of, oldest = values.supported_runtimes()
        assert re.fullmatch(r"\d+(\.\d+)?", oldest[language]) and as_of == str(values.defaults_as_of())
