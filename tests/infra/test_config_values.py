"""Impossible values and plaintext secrets in stack files, and the budget's start month.

Stack files are written as text here (not dumped from Python) so that YAML's own spellings
(`2027-02-30` unquoted, `.nan`, `.inf`) reach the reader exactly as a user types them.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from infra.config import ConfigError
from infra.render import load_stack_file
from migrate.cli import main
from tests.conftest import STACKS

MARCH_2027 = datetime.date(2027, 3, 17)
BUDGET_LINE = "    budget:\n"


def dev_stack(tmp_path: Path, *, budget: str = "", replace: tuple[str, str] | None = None,
              extra: str = "") -> Path:
    """The shipped dev stack with lines added under `budget:`, one text replacement, or extra config."""
    text = (STACKS / "Pulumi.dev.yaml").read_text(encoding="utf-8")
    assert text.count(BUDGET_LINE) == 1
    text = text.replace(BUDGET_LINE, BUDGET_LINE + budget)
    if replace:
        assert text.count(replace[0]) == 1, replace[0]
        text = text.replace(*replace)
    text = text.replace("config:\n", "config:\n" + extra, 1)
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def issues(path: Path, today: datetime.date = MARCH_2027) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        load_stack_file(path, today)
    found: dict[str, str] = {}
    for issue in caught.value.issues:
        found[issue.key] = f"{found[issue.key]} | {issue.message}" if issue.key in found else issue.message
    return found


# ---------------------------------------------------------------------------- budget start


def test_without_a_start_date_the_budget_starts_in_the_deploy_month(tmp_path):
    _, _, config = load_stack_file(dev_stack(tmp_path), MARCH_2027)
    assert config.governance.budget.start_date == "2027-03-01"
    assert config.governance.budget.start_date_given is False


def test_an_explicit_start_in_the_current_or_a_later_month_is_kept(tmp_path):
    for start in ("2027-03-01", "2028-03-01"):
        _, _, config = load_stack_file(dev_stack(tmp_path, budget=f"      startDate: {start}\n"), MARCH_2027)
        assert config.governance.budget.start_date == start
        assert config.governance.budget.start_date_given is True


def test_an_explicit_past_month_is_rejected_with_what_to_do(tmp_path):
    found = issues(dev_stack(tmp_path, budget='      startDate: "2027-02-01"\n'))
    message = found["carelift:governance.budget.startDate"]
    assert "before the current month (2027-03)" in message
    assert "remove startDate" in message


def test_a_start_more_than_twelve_months_ahead_is_rejected(tmp_path):
    found = issues(dev_stack(tmp_path, budget="      startDate: 2028-04-01\n"))
    assert "13 months ahead" in found["carelift:governance.budget.startDate"]


def test_an_impossible_unquoted_date_is_an_input_error_naming_the_key(tmp_path):
    # PyYAML's own date constructor raises ValueError on 2027-02-30; the stack reader keeps
    # dates as text (as the Pulumi CLI does) and the key's rule judges it.
    found = issues(dev_stack(tmp_path, budget="      startDate: 2027-02-30\n"))
    assert found == {"carelift:governance.budget.startDate": "is not a real date; got '2027-02-30'"}


def test_an_impossible_date_under_a_string_key_is_judged_by_that_key(tmp_path):
    path = dev_stack(tmp_path, replace=("carelift:environment: dev", "carelift:environment: 2027-02-30"))
    assert "carelift:environment" in issues(path)


def test_a_start_that_is_not_the_first_of_a_month_is_rejected(tmp_path):
    found = issues(dev_stack(tmp_path, budget="      startDate: 2027-04-15\n"))
    assert "first day of a month" in found["carelift:governance.budget.startDate"]


# ---------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("spelling, shown", [(".nan", ".nan"), (".inf", ".inf"), ("-.inf", "-.inf"), (".NaN", ".nan")])
def test_non_finite_budget_amounts_are_reported_once_with_yaml_s_spelling(tmp_path, spelling, shown):
    path = dev_stack(tmp_path, replace=("      amount: 15000", f"      amount: {spelling}"))
    assert issues(path) == {"carelift:governance.budget.amount": f"is {shown}, not a number any setting accepts"}


def test_non_finite_numbers_are_refused_under_any_key(tmp_path):
    path = dev_stack(tmp_path, replace=("    logRetentionDays: 90", "    logRetentionDays: .nan"))
    assert issues(path) == {"carelift:monitoring.logRetentionDays": "is .nan, not a number any setting accepts"}


def test_an_absurd_budget_amount_is_rejected(tmp_path):
    path = dev_stack(tmp_path, replace=("      amount: 15000", "      amount: 1.5e+12"))
    assert "at most 1,000,000,000" in issues(path)["carelift:governance.budget.amount"]


def test_huge_integers_meet_each_key_s_maximum(tmp_path):
    path = dev_stack(tmp_path, replace=("    archiveImmutabilityDays: 2190",
                                        "    archiveImmutabilityDays: 99999999999999999999999999"))
    assert "at most 146000" in issues(path)["carelift:monitoring.archiveImmutabilityDays"]


# ---------------------------------------------------------------------------- secrets


def test_a_plaintext_provider_secret_is_a_validation_error_that_never_echoes_it(tmp_path):
    path = dev_stack(tmp_path, extra="  azure-native:clientSecret: Xy7~s3cr3t-value\n")
    found = issues(path)
    assert list(found) == ["azure-native:clientSecret"]
    assert "pulumi config set --secret" in found["azure-native:clientSecret"]
    assert "s3cr3t" not in str(found)


def test_a_plaintext_password_nested_in_carelift_config_is_reported_at_its_key(tmp_path):
    path = dev_stack(tmp_path, replace=("    cost-center: CC-4410-ITINFRA",
                                        "    cost-center: CC-4410-ITINFRA\n    adminPassword: hunter2"))
    assert "plaintext secret" in issues(path)["carelift:tags.adminPassword"]


def test_encrypted_values_and_look_alike_keys_are_accepted(tmp_path):
    path = dev_stack(tmp_path, extra="  azure-native:clientSecret:\n    secure: v1:AAABAJ0xZmFrZQ==\n"
                                     "  other:apiToken:\n    secure: v1:AAABAJ0xZmFrZQ==\n"
                                     "  other:settings: {secretName: cmk-rotation, tokensPerMinute: 1000}\n")
    load_stack_file(path, MARCH_2027)


def test_secrets_are_reported_together_with_the_other_problems(tmp_path):
    path = dev_stack(tmp_path, budget='      startDate: "2027-01-01"\n',
                     extra="  azure-native:clientSecret: plain\n")
    assert set(issues(path)) == {"azure-native:clientSecret", "carelift:governance.budget.startDate"}


# ---------------------------------------------------------------------------- YAML and the CLI


def test_many_aliases_are_refused_before_they_expand(tmp_path):
    lines = ["  other:a: &a [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"  other:b{i}: &b{i} [{', '.join([f'*a'] * 10)}]" for i in range(6)]
    path = dev_stack(tmp_path, extra="\n".join(lines) + "\n")
    found = issues(path)
    assert "more than 50 aliases" in found["config"]


def test_the_cli_exits_2_naming_the_key_without_a_traceback(tmp_path):
    path = dev_stack(tmp_path, budget="      startDate: 2027-02-30\n",
                     replace=("      amount: 15000", "      amount: .inf"))
    result = CliRunner().invoke(main, ["infra", "validate", "--stack", str(path)])
    assert result.exit_code == 2
    assert "carelift:governance.budget.startDate" in result.output
    assert "carelift:governance.budget.amount" in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, ValueError)


def test_messages_quote_at_most_a_short_part_of_a_huge_value(tmp_path):
    huge = "x" * 100_000
    path = dev_stack(tmp_path, replace=("  carelift:location: eastus2", f"  carelift:location: {huge}"))
    found = issues(path)
    assert "carelift:location" in found
    assert all(len(message) < 400 for message in found.values())
