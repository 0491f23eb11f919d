"""The landing overlay: what `carelift plan landing` adds to a stack, in a file of its own.

The stack names it explicitly (``carelift:landingOverlay: stacks/Pulumi.prod.landing.yaml``, relative
to the project directory); it is generated, never edited by hand. It adds spokes and subnets sized for the plan's servers and, per wave, the firewall rules
and NSG allowances its split dependencies need. The offline render and the Pulumi program both merge
it into the stack's ``carelift:`` keys before validation, so every overlay value is held to the
same rules as the stack file's own (and reported under the key it lands on).

Imports neither pulumi nor azure-native.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Mapping

from infra.config import ConfigError, ConfigIssue

OVERLAY_KEYS = ("plan", "stack", "generatedBy", "spokes", "subnets", "hybridWaves")
KEY = "landingOverlay"


def overlay_path(stack_file: Path) -> Path:
    """``Pulumi.prod.yaml`` -> ``Pulumi.prod.landing.yaml`` in the same directory (where `plan landing` writes)."""
    stem = stack_file.name.removesuffix(".yaml").removesuffix(".yml")
    return stack_file.with_name(f"{stem}.landing.yaml")


def apply_overlay(raw: Mapping[str, Any], base_dir: Path, source: str) -> dict[str, Any]:
    """``raw`` with the overlay its ``landingOverlay`` key names merged in (unchanged without the key).

    The key is rewritten to the overlay's absolute path, so a program run from elsewhere (the
    offline render) finds the same file.
    """
    import yaml

    from infra.inputs import read_input_text
    from infra.stackfile import load_stack_yaml

    named = raw.get(KEY)
    if named is None:
        return dict(raw)
    if not isinstance(named, str) or not named:
        raise ConfigError(source, [ConfigIssue(f"carelift:{KEY}", "must be the path of a landing overlay file")])
    path = Path(named) if Path(named).is_absolute() else base_dir / named
    try:
        document = load_stack_yaml(read_input_text(path))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as error:
        raise ConfigError(source, [ConfigIssue(f"carelift:{KEY}", f"cannot read the landing overlay {path}: "
                                                                  f"{getattr(error, 'strerror', None) or error}")]) from None
    merged = merge_overlay(raw, document, str(path))
    merged[KEY] = str(path.resolve())
    return merged


def merge_overlay(raw: Mapping[str, Any], document: Any, source: str) -> dict[str, Any]:
    """The stack's ``carelift:`` keys (namespace stripped) with the overlay's additions merged in."""
    if not isinstance(document, Mapping) or not isinstance(document.get("overlay"), Mapping):
        raise ConfigError(source, [ConfigIssue("overlay", "the landing overlay needs a top-level overlay: mapping")])
    overlay = document["overlay"]
    unknown = sorted(set(map(str, overlay)) - set(OVERLAY_KEYS))
    if unknown:
        raise ConfigError(source, [ConfigIssue(f"overlay.{k}", "is not a known overlay key") for k in unknown])
    merged = copy.deepcopy(dict(raw))
    network = merged.setdefault("network", {})
    if not isinstance(network, dict):
        return merged  # the stack's own error is reported by validation
    spokes = network.setdefault("spokes", [])
    issues = []
    spokes.extend(overlay.get("spokes") or [])
    by_name = {s.get("name"): s for s in spokes if isinstance(s, dict)}
    for i, subnet in enumerate(overlay.get("subnets") or []):
        target = by_name.get(subnet.get("spoke")) if isinstance(subnet, Mapping) else None
        if target is None:
            issues.append(ConfigIssue(f"overlay.subnets[{i}].spoke", "names no spoke of the stack or the overlay"))
            continue
        target.setdefault("subnets", []).append({k: v for k, v in subnet.items() if k != "spoke"})
    if issues:
        raise ConfigError(source, issues)
    if overlay.get("hybridWaves"):
        network["hybridWaves"] = overlay["hybridWaves"]
    return merged
