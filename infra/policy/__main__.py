"""Pulumi CrossGuard entry point: ``pulumi preview --policy-pack infra/policy``.

Pulumi runs this file with the pack directory on sys.path, so imports are absolute and
carelift must be installed in the virtualenv PulumiPolicy.yaml names.
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from infra.policy.crossguard import PACK_NAME, build_policies

PolicyPack(
    name=PACK_NAME,
    # Each policy sets its own level from its control's severity; this is the default for none.
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=build_policies(),
    description="HIPAA Security Rule (45 CFR 164) baseline for carelift's Azure landing zone: "
                "the carelift compliance catalog as CrossGuard policies.",
    display_name="carelift HIPAA baseline",
    provider="azure-native",
    tags=["hipaa", "azure", "compliance"],
)
