"""carelift's Pulumi CrossGuard policy pack, generated from the compliance catalog.

Usage, from the repository root with the Pulumi CLI::

    pulumi preview --stack prod --policy-pack infra/policy
    pulumi up --stack prod --policy-pack infra/policy

Each control of `infra.compliance.catalog` is one policy named by its id (``CL-KV-001``),
mandatory for critical and high severities and advisory otherwise; `crossguard` builds them and
`documents` turns Pulumi resources into the ARM documents the catalog reads. Pulumi runs the
pack with ``infra/policy`` (not the repository root) on ``sys.path``, in the project's
virtualenv (PulumiPolicy.yaml), where carelift is installed: imports are absolute (``infra.…``).

Override a policy's enforcement without editing code, as with any pack:
``pulumi preview --policy-pack infra/policy --policy-pack-config cfg.json`` with
``{"CL-ST-007": "advisory"}``. CrossGuard has no per-resource exemptions; per-resource,
expiring waivers are `carelift audit --waivers`.
"""
