"""Landing a plan in a stack: what the CLI, a report or a notebook calls (no click here)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from infra.config import Spoke, StackConfig, Subnet
from migrate.inventory.model import Server
from migrate.landing.hybrid import HybridPlan, hybrid_rules
from migrate.landing.overlay import overlay_document, overlay_text
from migrate.landing.placement import LandingError, Placement, ServerFacts, place
from migrate.landing.propose import Proposal, propose


@dataclass(frozen=True)
class Landing:
    placement: Placement
    proposal: Proposal
    hybrid: HybridPlan
    overlay: str
    """The landing overlay's text (YAML)."""


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


def land(plan: Mapping[str, Any], facts: Mapping[str, ServerFacts], bare_config: StackConfig) -> Landing:
    """Place, propose what is missing, derive the hybrid rules and the overlay. ``bare_config`` is the
    stack without its current overlay: the overlay is regenerated whole, never patched."""
    first = place(plan, facts, bare_config)
    proposal = propose(first, bare_config)
    problems = [*first.problems, *proposal.problems]
    if problems:
        raise LandingError(f"the plan cannot land in stack {bare_config.stack}", problems)
    landed = place(plan, facts, with_proposal(bare_config, proposal))
    landed.check(bare_config.stack)
    hybrid = hybrid_rules(plan, landed, facts)
    text = overlay_text(overlay_document(bare_config.stack, plan_digest(plan), proposal, hybrid))
    return Landing(landed, proposal, hybrid, text)


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
