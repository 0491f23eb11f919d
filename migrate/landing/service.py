"""Landing a plan in a stack: what the CLI, a report or a notebook calls (no click here).

Given the plan (a JSON document), the inventory's facts about its servers and the stack config:
- `land`: placement, the spokes and subnets to propose, the hybrid rules, the steady-state rules of
  the links inside Azure and the permanent rules of the links to servers kept on premises (both from
  the dependencies given) and the overlay's text;
- `landed`: placement (checked) and hybrid rules against the stack as deployed;
- `plan_with_targets`, `wave_runbook`, `azure_migrate_export`: what `plan --stack`, `plan runbook`
  and `plan export --format azure-migrate-csv` write.
Reading the stack file is `stack_path` and `stack_config`; `migrate.workflows.landing` adds the
workspace (the plan stored there, the servers' facts).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from infra.config import Spoke, StackConfig, Subnet
from infra.errors import CareliftError
from infra.landing_overlay import limit_problems
from migrate.inventory.model import Dependency, Server
from migrate.landing.external import ExternalPlan, external_rules
from migrate.landing.factory import WaveExport, wave_csv
from migrate.landing.hybrid import HybridPlan, hybrid_rules, without_ended
from migrate.landing.overlay import overlay_document, overlay_text
from migrate.landing.placement import LandingError, Placement, ServerFacts, place
from migrate.landing.propose import Proposal, propose
from migrate.landing.retained import RetainedPlan, merge_waves, retained_rules
from migrate.landing.runbook import runbook
from migrate.landing.steady import SteadyPlan, steady_rules


class StackFileError(CareliftError):
    """The stack file cannot be read."""


class NoSuchWave(CareliftError):
    """The plan has no wave of the number asked for."""


@dataclass(frozen=True)
class Landing:
    placement: Placement
    proposal: Proposal
    hybrid: HybridPlan
    overlay: str
    """The landing overlay's text (YAML)."""
    steady: SteadyPlan = SteadyPlan((), (), 0)
    """The rules of the links whose two ends both land in Azure (kept after the migration)."""
    retained: RetainedPlan = RetainedPlan((), (), 0, 0, 0)
    """The permanent rules of the links between a landed server and one kept on premises for good."""
    external: ExternalPlan = ExternalPlan((), (), 0, 0)
    """The permanent rules of the links between a landed server and an endpoint outside the inventory."""


def server_facts(servers: Iterable[Server]) -> dict[str, ServerFacts]:
    return {s.name: ServerFacts(s.name, tuple(s.ips), s.data_classification, s.owner, s.os_family)
            for s in servers}


def plan_digest(plan: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(plan, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


def with_proposal(config: StackConfig, proposal: Proposal) -> StackConfig:
    """The stack as it will be once the overlay's spokes and subnets exist."""
    spokes = list(config.network.spokes)
    for new in proposal.subnets:
        i = next(i for i, s in enumerate(spokes) if s.name == new["spoke"])
        spokes[i] = dataclasses.replace(spokes[i], subnets=(*spokes[i].subnets,
                                                            Subnet(new["name"], new["addressPrefix"])))
    spokes += [Spoke(s["name"], s["addressSpace"], tuple(Subnet(x["name"], x["addressPrefix"]) for x in s["subnets"]))
               for s in proposal.spokes]
    return dataclasses.replace(config, network=dataclasses.replace(config.network, spokes=tuple(spokes)))


def dependencies_digest(dependencies: Sequence[Dependency]) -> str:
    """SHA-256 of the links the steady-state and permanent rules were derived from (ends, protocol, port), in order."""
    links = sorted({(d.source, d.destination, str(d.protocol).lower(), int(d.port)) for d in dependencies})
    return hashlib.sha256(json.dumps(links, separators=(",", ":")).encode("utf-8")).hexdigest()


def land(plan: Mapping[str, Any], facts: Mapping[str, ServerFacts], bare_config: StackConfig,
         dependencies: Sequence[Dependency] = ()) -> Landing:
    """Place, propose what is missing, derive the hybrid rules (the plan's crossing links), the
    steady-state rules (``dependencies`` whose two ends both land), the permanent rules (``dependencies``
    between a landed server and one the plan keeps on premises, or an endpoint outside the inventory:
    a device, an unlisted server) and the overlay. ``bare_config`` is
    the stack without its current overlay: the overlay is regenerated whole, never patched.

    LandingError lists every placement problem, or what the rules would overflow in Azure's limits
    (rule collection groups, network rule combinations, NSG rules and priorities) with the counts:
    an overlay Azure would refuse is never written."""
    first = place(plan, facts, bare_config)
    proposal = propose(first, bare_config)
    problems = [*first.problems, *proposal.problems]
    if problems:
        raise LandingError(f"the plan cannot land in stack {bare_config.stack}", problems)
    proposed = with_proposal(bare_config, proposal)
    landed = place(plan, facts, proposed)
    landed.check(bare_config.stack)
    # A wave signed off after the last wave its links waited for (landing.completedWave) leaves the overlay
    # with its NSG allowances: the stack drops it too, so a stale overlay cannot keep them.
    hybrid = without_ended(hybrid_rules(plan, landed, facts), completed_wave(bare_config))
    steady = steady_rules(plan, landed, dependencies)
    retained = retained_rules(plan, landed, facts, dependencies)
    external = external_rules(plan, landed, facts, dependencies, proposed)
    # All are kept after the migration from their wave on: one steadyStateWaves entry (and one
    # rcg-steady-wave-NN group) per wave holds the three kinds, told apart by name (s.., p.., e..) and
    # description.
    kept = merge_waves(steady.waves, retained.waves, external.waves)
    overflow = limit_problems(list(hybrid.waves), list(kept))
    if overflow:
        raise LandingError(f"the landing rules do not fit Azure's limits in stack {bare_config.stack}", overflow)
    document = overlay_document(bare_config.stack, plan_digest(plan), proposal, hybrid, kept,
                                dependencies_digest(dependencies))
    return Landing(landed, proposal, hybrid, overlay_text(document), steady, retained, external)


def targets_json(plan: Mapping[str, Any], placement: Placement) -> dict[str, Any]:
    """The plan's sections with each landing server's ``target`` (the others: ``target`` null with why)."""
    servers = {}
    for name, server in plan.get("servers", {}).items():
        target = placement.targets.get(name)
        servers[name] = {**server, "target": target.to_json() if target else None,
                         "target_reason": None if target else placement.not_placed.get(name)}
    return {**plan, "servers": servers}


def load_bare_stack(path: Path) -> StackConfig:
    """The stack file validated without its landing overlay (what `plan landing` regenerates from)."""
    from infra.config import PROJECT, config_from_stack_document
    from infra.inputs import read_input_text
    from infra.stackfile import load_stack_yaml

    document = load_stack_yaml(read_input_text(path))
    if isinstance(document, dict) and isinstance(document.get("config"), dict):
        document = {**document, "config": {k: v for k, v in document["config"].items()
                                           if k != f"{PROJECT}:landingOverlay"}}
    stack = path.name[len("Pulumi."):].rsplit(".", 1)[0] if path.name.startswith("Pulumi.") else path.stem
    return config_from_stack_document(document, stack=stack, source=str(path))


def stack_path(stack: str) -> Path:
    """The stack file `stack` names: a path to a YAML file, or a stack name under the project's stacks/."""
    from infra.render import stack_file

    return stack_file(stack)


def stack_config(path: Path, *, bare: bool) -> StackConfig:
    """The stack file validated (ConfigError lists every problem): as deployed, its landing overlay
    included, or `bare` (without it: what `plan landing` regenerates the overlay from)."""
    from infra.render import load_stack_file

    try:
        return load_bare_stack(path) if bare else load_stack_file(path)[2]
    except OSError as error:
        raise StackFileError(f"cannot read {path}: {error.strerror or error}") from None


@dataclass(frozen=True)
class Landed:
    """The plan against the stack as deployed: where each server lands and the hybrid-period rules."""

    placement: Placement
    hybrid: HybridPlan


def place_checked(plan: Mapping[str, Any], facts: Mapping[str, ServerFacts], config: StackConfig) -> Placement:
    """`place`, refusing (LandingError, every problem) a server no rule places, an unknown spoke or
    subnet, or a subnet that would overflow."""
    placement = place(plan, facts, config)
    placement.check(config.stack)
    return placement


def completed_wave(config: StackConfig) -> int | None:
    """``carelift:landing.completedWave``: the last wave signed off, if the stack names one."""
    return config.landing.completed_wave if config.landing else None


def landed(plan: Mapping[str, Any], facts: Mapping[str, ServerFacts], config: StackConfig) -> Landed:
    placement = place_checked(plan, facts, config)
    return Landed(placement, without_ended(hybrid_rules(plan, placement, facts), completed_wave(config)))


def plan_with_targets(plan: Mapping[str, Any], facts: Mapping[str, ServerFacts],
                      config: StackConfig) -> dict[str, Any]:
    """The plan document with each server's landing target in the stack (`targets_json`)."""
    return targets_json(plan, place_checked(plan, facts, config))


def wave_runbook(plan: Mapping[str, Any], wave: int, facts: Mapping[str, ServerFacts], config: StackConfig) -> str:
    """The wave's runbook in Markdown (`runbook.runbook`), once the plan lands in the stack."""
    result = landed(plan, facts, config)
    waves = sorted(w.get("number") for w in plan.get("waves", []))
    if wave not in waves:
        raise NoSuchWave(f"the plan has no wave {wave} (waves: {', '.join(map(str, waves))})")
    kept = next((w for w in config.network.steady_state_waves if w.wave == wave), None)
    return runbook(plan, wave, result.placement, result.hybrid, facts, config.stack, kept)


def azure_migrate_export(plan: Mapping[str, Any], wave: int, facts: Mapping[str, ServerFacts], config: StackConfig,
                         test_vnet: str | None = None) -> WaveExport:
    """One wave's input for Azure Migrate's at-scale scripts (`factory.wave_csv`), once the plan lands
    in the stack; the stack must name its Azure Migrate project (carelift does not invent one)."""
    placement = landed(plan, facts, config).placement
    if wave not in {w.get("number") for w in plan.get("waves", [])}:
        raise NoSuchWave(f"the plan has no wave {wave}")
    project = config.landing.azure_migrate if config.landing else None
    if project is None:
        raise LandingError(f"stack {config.stack} names no Azure Migrate project: set carelift:landing.azureMigrate "
                           f"(subscriptionId, resourceGroup, project[, assessment]); carelift does not invent one", [])
    return wave_csv(plan, wave, placement, facts, project, config.base_tags, test_vnet)
