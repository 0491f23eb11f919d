"""The one error model (infra/errors.py): every user-error class is a CareliftError with a title,
problems that print themselves and exit code 2."""

from __future__ import annotations

import pytest

from infra.ai.card import CardError
from infra.ai.documents import RegisterFileError
from infra.arm import ArmTranslationError
from infra.compliance.live import LiveReadError
from infra.compliance.outputs.evidence import EvidenceError
from infra.compliance.sources import SourceError
from infra.compliance.waivers import WaiverError
from infra.config import ConfigError, ConfigIssue
from infra.errors import CareliftError
from migrate.cli.files import OutputError
from migrate.inventory.edits import EditError
from migrate.inventory.filters import FilterError
from migrate.inventory.model import InputError, Problem
from migrate.inventory.store import WorkspaceError
from migrate.planning.assess import OverridesError
from migrate.planning.catalogs import CatalogError
from migrate.planning.model import Infeasibility, InfeasiblePlan
from migrate.planning.settings import SettingsError
from migrate.reports.document import ReportError

USER_ERRORS = [CardError, RegisterFileError, ArmTranslationError, LiveReadError, EvidenceError, SourceError,
               WaiverError, ConfigError, OutputError, EditError, FilterError, InputError, WorkspaceError,
               OverridesError, CatalogError, InfeasiblePlan, SettingsError, ReportError]


@pytest.mark.parametrize("cls", USER_ERRORS, ids=lambda cls: cls.__name__)
def test_every_user_error_is_a_carelift_error_and_a_value_error(cls):
    assert issubclass(cls, CareliftError) and issubclass(cls, ValueError)
    assert cls.exit_code == 2


def test_the_title_defaults_to_the_message_and_can_be_set():
    error = CareliftError("cannot read x.csv: line 3")
    assert (error.title, error.lines(), error.total) == ("cannot read x.csv: line 3", [], None)
    error.title = "something else"
    assert error.title == "something else" and str(error) == "cannot read x.csv: line 3"


def test_a_config_error_lists_its_issues_under_a_one_line_title():
    error = ConfigError("stacks/Pulumi.dev.yaml", [ConfigIssue("carelift:org", "is required"),
                                                   ConfigIssue("carelift:env", "must be dev or prd")])
    assert error.title == "stacks/Pulumi.dev.yaml: 2 configuration problem(s)"
    assert error.lines() == ["carelift:org: is required", "carelift:env: must be dev or prd"]
    assert str(error).splitlines()[1:] == ["  - carelift:org: is required", "  - carelift:env: must be dev or prd"]


def test_titles_say_what_failed_without_repeating_the_problems():
    waivers = WaiverError("w.yaml", ["entry 1 (line 2): control: unknown"])
    assert (waivers.title, waivers.lines()) == ("w.yaml: invalid waivers", ["entry 1 (line 2): control: unknown"])
    settings = SettingsError("plan.yaml", ["waves.max_servers: must be > 0"])
    assert settings.title == "1 problem(s) in the plan settings plan.yaml"
    card = CardError("triage", ["carelift:aiUseCases[0].owner is missing"])
    assert card.title == "use case 'triage' cannot have a model card yet"
    edit = EditError("server 'a' is ambiguous", ("a (identity 1)", "a (identity 2)"))
    assert (edit.title, edit.lines()) == ("server 'a' is ambiguous", ["a (identity 1)", "a (identity 2)"])
    inputs = InputError([Problem("x.csv", "no name", row=3, column="Name")], total=7)
    assert (inputs.title, inputs.total, inputs.lines()) == ("7 problem(s) in the input", 7,
                                                            [str(Problem("x.csv", "no name", row=3, column="Name"))])


def test_an_infeasibility_prints_itself_with_its_first_ten_servers():
    many = Infeasibility("max_servers", "group g has 12 servers", tuple(f"s{i}" for i in range(12)))
    none = Infeasibility("blackout", "no window left")
    assert str(many) == ("max_servers: group g has 12 servers [servers: "
                         + ", ".join(f"s{i}" for i in range(10)) + " … (12 servers)]")
    assert str(none) == "blackout: no window left"
    error = InfeasiblePlan([many, none])
    assert error.title == "the plan is infeasible: 2 constraint(s) cannot be met"
