from __future__ import annotations

from migrate.landing.hybrid import hybrid_rules
from migrate.landing.placement import place
from migrate.landing.runbook import replication_days, runbook
from migrate.landing.propose import propose
from migrate.landing.service import with_proposal
from tests.migrate.landing.conftest import FACTS


def test_replication_days_follow_bandwidth_and_utilisation():
    assert replication_days(1.5, 1000, 0.5) == 1  # 24,000 s
    assert replication_days(40, 100, 0.5) == 75  # 6.4 Ms at 50 Mbit/s
    assert replication_days(0, 1000, 0.5) == 1


def test_runbook_names_window_rule_group_targets_links_and_owners(plan, prod_bare):
    config = with_proposal(prod_bare, propose(place(plan, FACTS, prod_bare), prod_bare))
    placement = place(plan, FACTS, config)
    text = runbook(plan, 2, placement, hybrid_rules(plan, placement, FACTS), FACTS, "prod")
    assert "Cutover window: **Tuesday 2027-04-06 00:00 to 06:00 (America/Chicago, UTC-0600)**" in text
    assert "`rcg-migration-wave-02` deployed (2 rule(s)" in text
    assert "| ehr-prd-app01 | rehost | rg-rbh-prod-clinical / vnet-rbh-prod-clinical / snet-ehr-app | EHR team |" in text
    assert "| hl7-prd-eng01 | ehr-prd-app01 | 2575 | 4 |" in text
    assert "After wave 4 is signed off (both ends of every split link have moved): set `carelift:landing.completedWave: 4`" in text


def test_hostile_owner_cannot_break_the_table(plan, prod_bare):
    facts = {**FACTS, "ehr-prd-app01": FACTS["ehr-prd-app01"].__class__("ehr-prd-app01", owner="a | b `c`")}
    placement = place(plan, facts, prod_bare)
    text = runbook(plan, 2, placement, hybrid_rules(plan, placement, facts), facts, "prod")
    assert "a \\| b 'c'" in text
