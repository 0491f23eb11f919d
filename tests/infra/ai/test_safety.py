from infra.ai.safety import TIERS, shortfalls, tier_for


def test_riskiest_use_case_sets_the_tier():
    assert tier_for(["low", "high", "medium"]).risk_level == "high"
    assert tier_for([]).risk_level == "low"


def test_a_tier_meets_itself_and_anything_weaker():
    for tier in TIERS.values():
        assert shortfalls(tier, tier.content_filters()) == []
    assert shortfalls(TIERS["low"], TIERS["high"].content_filters()) == []


def test_weaker_filters_fall_short_with_reasons():
    medium_filters = TIERS["medium"].content_filters()
    missing = shortfalls(TIERS["high"], medium_filters)
    assert "hate in prompts at low severity" in missing and len(missing) == 8


def test_values_compare_like_arm_does():
    filters = [{**f, "name": str(f["name"]).upper(), "enabled": "true", "blocking": "True",
                "severityThreshold": str(f.get("severityThreshold", "")).lower()}
               for f in TIERS["high"].content_filters()]
    assert shortfalls(TIERS["high"], filters) == []


def test_missing_shield_is_named():
    filters = [f for f in TIERS["medium"].content_filters() if f["name"] != "Indirect Attack"]
    assert shortfalls(TIERS["medium"], filters) == ["indirect attack blocking"]
    assert shortfalls(TIERS["medium"], []) != []
