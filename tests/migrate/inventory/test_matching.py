"""The matching rules on their own, over an in-memory estate (no workspace)."""

from __future__ import annotations

from migrate.inventory.matching import EstateIndex, Match, compatible, match, shared_uuid
from migrate.inventory.model import Server

UUID = "4211a1b2-0000-1111-2222-333344445555"


def vm(name, vcenter=None, uuid=UUID, qualifier=None):
    tags = tuple(sorted({**({"vcenter": vcenter} if vcenter else {}),
                         **({"name-qualifier": qualifier} if qualifier else {})}.items()))
    return Server(name=name, vm_uuid=uuid, tags=tags)


ESTATE = EstateIndex({1: vm("iasimov", "vc-a"), 2: vm("iasimov_old", "vc-b"), 3: vm("web01", uuid=None),
                      4: vm("app01", uuid=None, qualifier="North"), 5: vm("app01", uuid=None, qualifier="South")})


def test_the_same_identity_is_certain():
    assert match(ESTATE, vm("IASIMOV", "VC-A")) == Match(1)


def test_the_same_vcenter_and_uuid_under_a_new_name_is_a_rename_unless_this_file_gave_that_server():
    assert match(ESTATE, vm("iasimov-new", "vc-a")) == Match(1, renamed=True)
    assert match(ESTATE, vm("iasimov-new", "vc-a"), touched={1: None}) == Match(None)


def test_a_uuid_in_another_vcenter_under_another_name_is_a_new_server_sharing_it():
    incoming = vm("iasimov_dr", "vc-c")
    assert match(ESTATE, incoming) == Match(None)
    assert [s.name for s in shared_uuid(ESTATE, incoming)] == ["iasimov", "iasimov_old"]


def test_a_uuid_and_name_without_a_vcenter_finds_the_one_server_of_that_name():
    assert match(ESTATE, vm("iasimov")) == Match(1)
    assert match(ESTATE, vm("iasimov", "vc-c")) == Match(None)   # another vCenter contradicts


def test_a_name_alone_matches_when_nothing_contradicts_and_several_fits_change_nothing():
    assert match(ESTATE, vm("WEB01", uuid="u-9")) == Match(3)    # adopts the UUID a later export gives
    assert match(ESTATE, vm("app01", uuid=None)) == Match(None, candidates=(4, 5))
    assert match(ESTATE, vm("app01", uuid=None, qualifier="South")) == Match(5)


def test_compatibility_needs_a_contradiction_to_fail():
    stored = vm("x", "vc-a", qualifier="north")
    assert compatible(stored, None, None, None)
    assert not compatible(stored, "vc-b", None, None)
    assert not compatible(stored, None, "south", None)
    assert not compatible(stored, None, None, "other-uuid")
