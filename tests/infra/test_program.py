"""The Pulumi entry point's config reading: what `pulumi up` refuses before registering anything."""

from __future__ import annotations

import datetime
import json

import pulumi
import pytest

from infra.config import PROJECT, ConfigError
from infra.program import config_from_pulumi
from tests.conftest import load_stack

MARCH_2027 = datetime.date(2027, 3, 17)


@pytest.fixture
def pulumi_config(monkeypatch):
    """Set the stack's config as the Pulumi engine hands it to the program (values as JSON text)."""
    monkeypatch.delenv("PULUMI_CONFIG", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_SECRET_KEYS", raising=False)
    # Not set_mocks: it leaves a root stack registration pending, and later renders wait on it.
    monkeypatch.setattr(pulumi, "get_stack", lambda: "dev")

    def configure(extra: dict[str, str], secret_keys: list[str]) -> None:
        config = {key: value if isinstance(value, str) else json.dumps(value)
                  for key, value in load_stack("dev")["config"].items() if key.startswith(f"{PROJECT}:")}
        pulumi.runtime.set_all_config({**config, **extra}, secret_keys=secret_keys)

    yield configure
    pulumi.runtime.set_all_config({}, secret_keys=[])


def test_the_shipped_config_reads_as_pulumi_hands_it_over(pulumi_config):
    pulumi_config({}, [])
    config = config_from_pulumi(MARCH_2027)
    assert config.stack == "dev"
    assert config.governance.budget.start_date == "2027-03-01"


def test_a_plaintext_provider_secret_stops_pulumi_up(pulumi_config):
    pulumi_config({"azure-native:clientSecret": "Xy7~s3cr3t"}, [])
    with pytest.raises(ConfigError) as caught:
        config_from_pulumi(MARCH_2027)
    assert [issue.key for issue in caught.value.issues] == ["azure-native:clientSecret"]
    assert "s3cr3t" not in str(caught.value)


def test_a_secret_pulumi_holds_encrypted_is_accepted(pulumi_config):
    pulumi_config({"azure-native:clientSecret": "Xy7~s3cr3t"}, ["azure-native:clientSecret"])
    assert config_from_pulumi(MARCH_2027).stack == "dev"


def test_non_finite_numbers_from_pulumi_s_json_are_config_errors(pulumi_config):
    monitoring = load_stack("dev")["config"]["carelift:monitoring"]
    pulumi_config({"carelift:monitoring": json.dumps({**monitoring, "logRetentionDays": float("nan")})}, [])
    with pytest.raises(ConfigError) as caught:
        config_from_pulumi(MARCH_2027)
    assert {issue.key for issue in caught.value.issues} == {"carelift:monitoring.logRetentionDays"}
