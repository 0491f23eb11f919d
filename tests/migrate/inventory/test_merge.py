"""Merge rules for a server seen again, and how changes read in `inventory history`."""

from __future__ import annotations

from migrate.inventory.merge import differences, display, merge_server
from migrate.inventory.model import Disk, Server

STORED = Server(name="pacs01", fqdn="pacs01.riverbend.local", os_family="windows", cores=8, power_state="on",
                owner="Imaging", sources=("rvtools",), tags=(("rack", "a1"), ("site", "north")))


def test_empty_incoming_values_never_erase_what_another_export_said():
    merged = merge_server(STORED, Server(name="pacs01", os_family="unknown", power_state="unknown", owner=""))
    assert merged == STORED


def test_non_empty_incoming_values_win_sources_union_and_tags_merge_by_key():
    merged = merge_server(STORED, Server(name="pacs01", cores=16, sources=("cmdb",), tags=(("site", "south"),)))
    assert merged.cores == 16
    assert merged.sources == ("cmdb", "rvtools")
    assert merged.tags == (("rack", "a1"), ("site", "south"))


def test_tier_zero_is_a_value_not_an_empty_one():
    assert merge_server(Server(name="x", tier=2), Server(name="x", tier=0)).tier == 0


def test_a_mapping_never_renames_nor_changes_identity_fields():
    merged = merge_server(STORED, Server(name="PACS01", fqdn="other", vm_uuid="u-9", owner="Radiology"),
                          annotate_only=True)
    assert (merged.name, merged.fqdn, merged.vm_uuid, merged.owner) == ("pacs01", "pacs01.riverbend.local", None,
                                                                       "Radiology")


def test_differences_are_field_by_field_with_readable_values():
    new = merge_server(STORED, Server(name="pacs01", cores=16, disks=(Disk("d1", 100), Disk("d2", 50, shared=True))))
    assert differences(STORED, new) == [("cores", "8", "16"), ("disks", None, "2 disks, 150 GB (1 shared)")]


def test_display_of_values():
    assert display("ips", ("10.0.0.1", "10.0.0.2")) == "10.0.0.1, 10.0.0.2"
    assert display("template", True) == "yes"
    assert display("rto_hours", 4.0) == "4"
    assert display("owner", None) is None
    assert display("os_family", "unknown") == "unknown"
