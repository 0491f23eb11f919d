"""``carelift:entraGroups``: the object ids of the Entra ID groups the AI register names.

Shape rules are config errors naming their key; "every group of a use case in force is mapped" depends on
the day, so it is a governance rule that `infra validate`/`render`/`pulumi up` refuse (exit 2) and that an
out-of-force use case does not trigger.
"""

from __future__ import annotations

import datetime
import json

import pytest
from click.testing import CliRunner

from infra.ai.governance import enforce, stack_governance
from infra.config import ConfigError, parse_stack_config
from migrate.cli import main
from tests.infra.test_config import issues_after, raw_config

TODAY = datetime.date(2026, 12, 6)
KEY = "carelift:entraGroups"


def groups(raw) -> dict:
    return raw["entraGroups"]["groups"]


class TestShape:
    def test_the_shipped_stacks_map_every_group_they_name(self):
        for stack in ("prod", "dev"):
            config = parse_stack_config(raw_config(stack), stack=stack, today=TODAY)
            assert config.entra_groups is not None and config.entra_groups.tenant == "riverbendhealth.onmicrosoft.com"
            for use_case in config.openai.use_cases:
                assert use_case.unmapped_groups == () and len(use_case.group_ids) == len(use_case.intended_users)
            assert stack_governance(config, TODAY) == []

    def test_object_ids_are_read_in_lowercase_and_the_groups_sorted(self):
        def mutate(raw):
            groups(raw)["grp-all-staff"] = "ABCDEF00-0000-4000-8000-0000000000A1"

        raw = raw_config()
        mutate(raw)
        config = parse_stack_config(raw, stack="prod", today=TODAY)
        assert config.entra_groups.object_id("grp-all-staff") == "abcdef00-0000-4000-8000-0000000000a1"
        assert [name for name, _ in config.entra_groups.groups] == sorted(groups(raw))
        helpdesk = next(u for u in config.openai.use_cases if u.id == "it-helpdesk-assistant")
        assert helpdesk.group_ids == (("grp-all-staff", "abcdef00-0000-4000-8000-0000000000a1"),)

    def test_not_a_guid(self):
        issues = issues_after(lambda raw: groups(raw).update({"grp-all-staff": "all-staff"}))
        assert issues == {f"{KEY}.groups.grp-all-staff":
                          "must be the group's Entra ID object id (a GUID); got 'all-staff'"}
        issues = issues_after(lambda raw: groups(raw).update({"grp-all-staff": 42}))
        assert list(issues) == [f"{KEY}.groups.grp-all-staff"]

    def test_one_object_id_for_two_groups(self):
        issues = issues_after(lambda raw: groups(raw).update(
            {"grp-nurse-educators": groups(raw)["grp-all-staff"].upper()}))
        assert issues == {f"{KEY}.groups.grp-nurse-educators": "object id 00000000-0000-4000-8000-0000000000a1 "
                          "is given to group 'grp-all-staff' too: each group has its own"}

    def test_names_differing_only_in_case(self):
        issues = issues_after(lambda raw: groups(raw).update({"GRP-ALL-STAFF": "00000000-0000-4000-8000-0000000000b1"}))
        assert issues == {f"{KEY}.groups.grp-all-staff":
                          "duplicates group 'GRP-ALL-STAFF' (names are compared without case)"} or issues == {
            f"{KEY}.groups.GRP-ALL-STAFF": "duplicates group 'grp-all-staff' (names are compared without case)"}

    def test_tenant_may_be_the_tenant_id_as_allowed_tenants_may_write_it(self):
        raw = raw_config()
        raw["entraGroups"]["tenant"] = "11111111-2222-4333-8444-555555555555"
        config = parse_stack_config(raw, stack="prod", today=TODAY)
        assert config.entra_groups.external_id("00000000-0000-4000-8000-0000000000a1") == (
            "aad://11111111-2222-4333-8444-555555555555/groups/00000000-0000-4000-8000-0000000000a1")

    def test_tenant_is_the_initial_domain_or_the_tenant_id(self):
        issues = issues_after(lambda raw: raw["entraGroups"].update({"tenant": "riverbendhealth.org"}))
        assert list(issues) == [f"{KEY}.tenant"] and "<name>.onmicrosoft.com" in issues[f"{KEY}.tenant"]
        issues = issues_after(lambda raw: raw["entraGroups"].pop("tenant"))
        assert issues == {f"{KEY}.tenant": "is required"}

    def test_unknown_keys_empty_groups_and_wrong_kinds(self):
        issues = issues_after(lambda raw: raw["entraGroups"].update({"objectIds": {}}))
        assert list(issues) == [f"{KEY}.objectIds"]
        issues = issues_after(lambda raw: raw["entraGroups"].update({"groups": {}}))
        assert issues == {f"{KEY}.groups": "needs at least one group name: object id entry"}
        issues = issues_after(lambda raw: raw.update({"entraGroups": ["grp-all-staff"]}))
        assert list(issues) == [KEY]
        issues = issues_after(lambda raw: raw["entraGroups"].update({"groups": ["grp-all-staff"]}))
        assert list(issues) == [f"{KEY}.groups"]

    def test_absent_is_no_shape_error(self):
        raw = raw_config()
        del raw["entraGroups"]
        config = parse_stack_config(raw, stack="prod", today=TODAY)
        assert config.entra_groups is None
        assert all(u.group_ids == () for u in config.openai.use_cases)


class TestGovernance:
    def config(self, mutate):
        raw = raw_config()
        mutate(raw)
        return parse_stack_config(raw, stack="prod", today=TODAY)

    def test_an_unmapped_group_of_a_use_case_in_force_is_refused_with_its_key(self):
        config = self.config(lambda raw: groups(raw).pop("grp-nurse-educators"))
        with pytest.raises(ConfigError) as caught:
            enforce(config, "stack 'prod'", TODAY)
        (issue,) = caught.value.issues
        assert issue.key == "carelift:openai.useCases[1].intendedUsers"
        assert issue.message == ("use case 'patient-education-drafts' is in force but 'grp-nurse-educators' has no "
                                 "object id in entraGroups.groups: the AI gateway cannot grant it the product")

    def test_every_use_case_is_named_when_entra_groups_is_absent(self):
        config = self.config(lambda raw: raw.pop("entraGroups"))
        keys = [i.key for i in stack_governance(config, TODAY) if i.rule == "intended-users"]
        assert keys == [f"openai.useCases[{i}].intendedUsers" for i in range(4)]

    def test_an_unmapped_group_of_a_use_case_out_of_force_is_fine(self):
        def mutate(raw):
            groups(raw).pop("grp-nurse-educators")
            raw["openai"]["useCases"][1]["status"] = "suspended"

        assert [i for i in stack_governance(self.config(mutate), TODAY) if i.rule == "intended-users"] == []
        # Overdue is out of force too: the review rule names it, not this one.
        late = stack_governance(self.config(lambda raw: groups(raw).pop("grp-nurse-educators")),
                                datetime.date(2027, 3, 16))
        assert [i.key for i in late if i.rule == "intended-users"] == []
        assert "openai.useCases[1].reviewDue" in [i.key for i in late if i.rule == "review"]

    def test_a_stack_without_the_gateway_needs_no_mapping(self):
        def mutate(raw):
            raw.pop("entraGroups")
            raw["openai"].pop("gateway")
            raw["network"]["spokes"][2]["subnets"][1].pop("apiManagement")

        assert [i for i in stack_governance(self.config(mutate), TODAY) if i.rule == "intended-users"] == []

    def test_cli_validate_exits_2_naming_the_key(self, stack_copy, monkeypatch):
        monkeypatch.setenv("CARELIFT_AS_OF", TODAY.isoformat())
        path = stack_copy(lambda cfg: cfg["carelift:entraGroups"]["groups"].pop("grp-utilization-review"))
        result = CliRunner().invoke(main, ["infra", "validate", "--stack", str(path)])
        assert result.exit_code == 2
        assert "carelift:openai.useCases[2].intendedUsers: use case 'prior-auth-letters' is in force" in result.output

    def test_the_audit_reports_it_as_cl_ai_024_instead_of_refusing(self, stack_copy, monkeypatch):
        # The audit renders without enforcing the register, so the auditor gets the finding: the product of the
        # use case whose group has no object id is granted to no group.
        monkeypatch.setenv("CARELIFT_AS_OF", TODAY.isoformat())
        path = stack_copy(lambda cfg: cfg["carelift:entraGroups"]["groups"].pop("grp-nurse-educators"))
        result = CliRunner().invoke(main, ["audit", "--stack", str(path), "--format", "json"])
        assert result.exit_code == 1
        failed = [f for f in json.loads(result.stdout)["findings"] if f["status"] == "fail"]
        assert [(f["control"], f["resourceId"].rsplit("/", 1)[-1]) for f in failed] == [
            ("CL-AI-024", "patient-education-drafts")]
        assert failed[0]["message"].endswith("the register records no object id for grp-nurse-educators.")
