"""Parity with Checkov's own ARM test suite, and tolerance on real templates (issue 9 §4).

    python benchmarks/bench_parity.py --fixtures DIR [--checks DIR] [--real DIR ...] [--json OUT] [--verbose]

`--fixtures` is Checkov's `tests/arm/checks/resource` folder as in its repository: `test_<Check>.py`
files beside `example_<Check>/*.json`. `--checks` is Checkov's `checkov/arm/checks/resource`
(default: found from the fixtures' repository layout); it gives each check's id and resource types.

Expected verdicts, per resource, come from the test file: its `passing_resources` /
`failing_resources` sets where it names them ("Type.name"), otherwise the fixture's file name
(`pass*.json` → pass, `fail*.json` → fail; other files are not compared). Only Checkov ids that
carelift's catalog maps are compared. A resource agrees when carelift's mapped control passes
where Checkov passes, or fails where Checkov fails; a disagreement listed in README.md's table
"Differences from Checkov" (Checkov id, fixture file, resource name) counts as agreement, with its
reason. Every other outcome — an opposite verdict, `manual` (an unknown value), `error`, or no
finding at all — is a disagreement, printed with its reason.

Also reported over every fixture file: valid-JSON files carelift rejects whole, and tracebacks
(any exception that is not carelift's own input error). `--real DIR` (repeatable) audits every
*.json below DIR (quickstart templates, Enterprise-Scale, Verified Modules...) and reports files
rejected, resources read, parts not audited, findings left manual by unknown values, and errors.
Third-party files stay outside the repository.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from infra.compliance.catalog import all_controls  # noqa: E402
from infra.compliance.engine import evaluate  # noqa: E402
from infra.compliance.catalog import controls_with_scope  # noqa: E402
from infra.compliance.model import Scope, Status  # noqa: E402
from infra.compliance.sources import (SourceError, _without_comments, _without_trailing_commas,  # noqa: E402
                                      read_arm_file)

README = Path(__file__).resolve().parents[1] / "README.md"


@dataclass(frozen=True)
class Check:
    module: str
    id: str
    types: tuple[str, ...]


@dataclass
class Tally:
    compared: int = 0
    agreed: int = 0
    accepted: int = 0
    """Agreements only because README's table lists the difference."""
    disagreements: list[str] = field(default_factory=list)


def checkov_checks(directory: Path) -> dict[str, Check]:
    """Module name -> Check, read from Checkov's source (id and supported_resources literals)."""
    texts = {path.stem: path.read_text(encoding="utf-8") for path in sorted(directory.glob("*.py"))}

    def types_of(module: str, seen: int = 0) -> tuple[str, ...]:
        text = texts.get(module, "")
        types = re.search(r"supported_resources\s*=\s*[(\[]([^)\]]*)[)\]]", text)
        if types:
            return tuple(re.findall(r"""["']([^"']+)["']""", types.group(1)))
        base = re.search(r"^class \w+\((\w+)\)", text, re.M)  # a port check inherits its base's types
        return types_of(base.group(1), seen + 1) if base and seen < 3 else ()

    found = {}
    for module, text in texts.items():
        ident = re.search(r"""\b(?:check_)?id\s*=\s*["'](CKV2?_AZURE_\d+)["']""", text)
        types = types_of(module)
        if ident and types:
            found[module] = Check(module, ident.group(1), types)
    return found


def expected_sets(test_file: Path) -> dict[str, str]:
    """"Type.name" -> pass/fail from a test's passing_resources / failing_resources literals."""
    verdicts: dict[str, str] = {}
    try:
        tree = ast.parse(test_file.read_text(encoding="utf-8"))
    except SyntaxError:
        return verdicts
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id.lower()
            verdict = "pass" if "pass" in name else "fail" if "fail" in name else None
            if verdict and "resources" in name and isinstance(node.value, (ast.Set, ast.List, ast.Tuple)):
                for element in node.value.elts:
                    if isinstance(element, ast.Constant) and isinstance(element.value, str):
                        verdicts[element.value] = verdict
    return verdicts


def differences() -> dict[tuple[str, str, str], str]:
    """(Checkov id, fixture file, resource name) -> reason, from README's "Differences from Checkov" table."""
    text = README.read_text(encoding="utf-8")
    start = text.find("Differences from Checkov")
    listed = {}
    if start < 0:
        return listed
    for line in text[start:].splitlines()[1:]:
        if line.startswith("#"):
            break
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[0].startswith("CKV"):
            listed[(cells[0], cells[1], cells[2])] = cells[-1]
    return listed


def _key_type_name(key: str) -> tuple[str, str]:
    head, _, tail = key.rpartition("/")
    short, _, name = tail.partition(".")
    return f"{head}/{short}", name


def _raw_resources(path: Path) -> list[tuple[str, dict]]:
    """(location, raw resource) of a template's top-level and nested resources, in reading order."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"), strict=False)
    except (ValueError, UnicodeDecodeError):
        return []
    found: list[tuple[str, dict]] = []

    def walk(resources, where: str, parent_type: str = "") -> None:
        items = resources.items() if isinstance(resources, dict) else enumerate(resources or [])
        for key, raw in items:
            if not isinstance(raw, dict):
                continue
            location = f"{where}resources[{key!r}]" if isinstance(resources, dict) else f"{where}resources[{key}]"
            arm_type = str(raw.get("type", ""))
            if parent_type and "." not in arm_type.split("/", 1)[0]:
                arm_type = f"{parent_type}/{arm_type}"
            found.append((location, {**raw, "type": arm_type}))
            if isinstance(raw.get("resources"), list):
                walk(raw["resources"], f"{location}.", arm_type)

    if isinstance(data, dict):
        walk(data.get("resources"), "")
    return found


def parity(fixtures: Path, checks: dict[str, Check], verbose: bool) -> dict:
    mapped: dict[str, list[str]] = defaultdict(list)
    for control in all_controls():
        for checkov_id in control.checkov_ids:
            mapped[checkov_id].append(control.id)
    catalog = {c.id: c for c in all_controls()}
    listed = differences()
    tallies: dict[str, Tally] = defaultdict(Tally)
    for test_file in sorted(fixtures.glob("test_*.py")):
        module = re.search(r"checkov\.arm\.checks\.resource\.(\w+) import", test_file.read_text(encoding="utf-8"))
        check = checks.get(module.group(1)) if module else None
        if check is None or check.id not in mapped:
            continue
        folder = fixtures / f"example_{check.module}"
        named = expected_sets(test_file)
        for fixture in sorted(folder.glob("*.json")):
            default = _verdict_of_name(fixture.stem)
            try:
                source = read_arm_file(fixture)
            except SourceError as error:
                tallies[check.id].disagreements.append(f"{fixture.name}: file rejected: {error.message}")
                continue
            result = evaluate(source.documents, [catalog[c] for c in mapped[check.id]],
                              problems=source.problems)
            documents = dict(zip(source.origins, source.documents))
            for location, raw in _raw_resources(fixture):
                if raw["type"].lower() not in {t.lower() for t in check.types}:
                    continue
                key = f"{raw['type']}.{raw.get('name')}"
                expected = named.get(key) if named else default
                if named and expected is None:
                    expected = next((v for k, v in named.items() if k.lower() == key.lower()), None)
                if expected is None:
                    continue
                tally = tallies[check.id]
                tally.compared += 1
                document = documents.get(location)
                # Checkov judges an NSG with its inline rules as one resource; carelift judges each rule.
                inline = f"{document['id']}/securityrules/".lower() if document is not None else None
                findings = [f for f in result.findings if document is not None
                            and (f.resource_id.lower() == str(document["id"]).lower()
                                 or f.resource_id.lower().startswith(inline))]
                unread = [p for p in source.problems if p.location == location or p.location.startswith(f"{location}.")]
                got = "error" if document is None and unread else _verdict(findings)
                if got == expected:
                    tally.agreed += 1
                    continue
                reason = listed.get((check.id, fixture.name, str(raw.get("name"))))
                if reason:
                    tally.agreed += 1
                    tally.accepted += 1
                    continue
                why = "; ".join(f"{f.control} {f.status.value}: {f.message}" for f in findings) or (
                    f"not read: {unread[0].message}" if unread else "not read" if document is None else
                    f"no finding: {', '.join(mapped[check.id])} does not cover {raw['type']}")
                tally.disagreements.append(f"{fixture.name} {raw.get('name')}: expected {expected}, got {got} — {why}")
    compared = sum(t.compared for t in tallies.values())
    agreed = sum(t.agreed for t in tallies.values())
    accepted = sum(t.accepted for t in tallies.values())
    print(f"Parity with Checkov's ARM fixtures: {agreed}/{compared} resources agree "
          f"({100 * agreed / max(compared, 1):.1f} %) over {len(tallies)} Checkov ids carelift maps; "
          f"{accepted} of them only because README's 'Differences from Checkov' lists the difference "
          f"(same verdict as Checkov: {agreed - accepted}/{compared}, "
          f"{100 * (agreed - accepted) / max(compared, 1):.1f} %)")
    for checkov_id in sorted(tallies, key=lambda k: int(re.sub(r"\D", "", k))):
        tally = tallies[checkov_id]
        extra = f" ({tally.accepted} listed differences)" if tally.accepted else ""
        print(f"  {checkov_id:<14} {', '.join(mapped[checkov_id]):<22} {tally.agreed}/{tally.compared} agree{extra}")
        for line in tally.disagreements:
            print(f"      ✗ {line[:400]}")
    return {"compared": compared, "agreed": agreed, "acceptedDifferences": accepted,
            "byId": {k: {"controls": mapped[k], "compared": t.compared, "agreed": t.agreed, "accepted": t.accepted,
                         "disagreements": t.disagreements} for k, t in sorted(tallies.items())}}


def _verdict_of_name(stem: str) -> str | None:
    """Checkov's fixture names: pass.json, fail2.json, storageAccount-PASSED.json, ...-SKIPPED.json (not compared)."""
    lowered = stem.lower()
    if "skip" in lowered or "unknown" in lowered:
        return None
    return "fail" if "fail" in lowered else "pass" if "pass" in lowered else None


def _verdict(findings) -> str:
    statuses = {f.status for f in findings}
    if not statuses:
        return "nothing"
    for status in (Status.ERROR, Status.MANUAL, Status.FAIL):
        if status in statuses:
            return status.value
    return "pass"


def tolerance(paths: list[Path], label: str) -> dict:
    """Every JSON file: rejected whole (only counted when it is valid JSON), tracebacks, and what was read."""
    stats = {"files": 0, "validJson": 0, "rejected": [], "tracebacks": [], "resources": 0, "notAudited": 0,
             "manual": 0, "errors": 0, "failed": 0, "passed": 0, "subscriptionFindings": 0, "notArm": 0}
    subscription_wide = {c.id for c in controls_with_scope(Scope.SUBSCRIPTION)}
    controls = all_controls()
    for path in paths:
        stats["files"] += 1
        try:  # JSON as ARM reads it: comments, raw newlines in strings and trailing commas allowed
            data = json.loads(_without_trailing_commas(_without_comments(path.read_text(encoding="utf-8-sig"))),
                              strict=False)
            valid = True
        except (ValueError, UnicodeDecodeError):
            data, valid = None, False
        stats["validJson"] += valid
        if valid and not _looks_like_arm(data):  # a UI definition, a parameters file, app settings...
            stats["notArm"] += 1
            continue
        try:
            source = read_arm_file(path)
            result = evaluate(source.documents, controls, problems=source.problems, not_audited=source.gaps)
        except SourceError as error:
            if valid:
                stats["rejected"].append(f"{path}: {error}")
            continue
        except Exception:  # noqa: BLE001 - the benchmark counts crashes instead of stopping at the first
            stats["tracebacks"].append(f"{path}: {traceback.format_exc(limit=3)}")
            continue
        summary = result.summary()
        stats["subscriptionFindings"] += sum(f.control in subscription_wide for f in result.findings)
        stats["resources"] += summary["resources"]
        stats["notAudited"] += summary["notAudited"]
        for key in ("manual", "errors", "failed", "passed"):
            stats[key] += summary[key]
    print(f"{label}: {stats['files']} files ({stats['validJson']} valid JSON, {stats['notArm']} of them not ARM "
          f"input: UI definitions, parameter files...), {len(stats['rejected'])} valid-JSON ARM "
          f"files rejected whole, {len(stats['tracebacks'])} tracebacks; {stats['resources']} resources read, "
          f"{stats['notAudited']} parts not audited; findings: {stats['passed']} passed, {stats['failed']} failed, "
          f"{stats['manual']} manual (unknown values), {stats['errors']} errors; "
          f"{stats['subscriptionFindings']} findings of subscription-wide controls")
    for line in stats["rejected"] + stats["tracebacks"]:
        print(f"      ✗ {line[:600]}")
    return stats


def _looks_like_arm(data) -> bool:
    """A template, a resource list or a Resource Graph answer, as far as its top level says."""
    if isinstance(data, list):
        return all(isinstance(item, dict) and ("type" in item or "ResourceType" in item) for item in data)
    if not isinstance(data, dict):
        return False
    schema = str(data.get("$schema", "")).lower()
    if "deploymentparameters" in schema:
        return False
    return "deploymenttemplate" in schema or any(key in data for key in ("resources", "template", "value", "data")) \
        or ("type" in data and "id" in data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fixtures", type=Path, required=True, help="Checkov's tests/arm/checks/resource folder")
    parser.add_argument("--checks", type=Path, help="Checkov's checkov/arm/checks/resource folder")
    parser.add_argument("--real", type=Path, action="append", default=[], help="a folder of real templates")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    checks_dir = args.checks or args.fixtures.parents[3] / "checkov" / "arm" / "checks" / "resource"
    checks = checkov_checks(checks_dir)
    if not checks:
        parser.error(f"no Checkov checks found in {checks_dir} (give --checks)")
    figures = {"parity": parity(args.fixtures, checks, args.verbose),
               "fixtures": tolerance(sorted(args.fixtures.rglob("*.json")), "Checkov's ARM fixtures")}
    for folder in args.real:
        figures[f"real:{folder.name}"] = tolerance(sorted(folder.rglob("*.json")), f"Real templates ({folder})")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
