"""Validate every resource of the stacks' ARM exports against Microsoft's published ARM schemas.

The schemas (github.com/Azure/azure-resource-manager-schemas, `schemas/<apiVersion>/<Namespace>.json`)
are third-party files: check the repository out anywhere and pass its path; nothing of it is kept in
this repository.

    python benchmarks/check_arm_schemas.py --schemas ~/src/azure-resource-manager-schemas [--stack prod --stack dev]

For each resource: the schema of its type at its apiVersion (the resourceDefinitions entry whose
`type` enum names it), validated with jsonschema (draft 4) and the common definitions resolved
locally. A child's name is checked as the template's full path (`parent/child`) and, when only the
name fails, as its last segment (the schemas describe child names both ways). Prints one line per resource type with its count and verdict, every error,
and exits 1 when any resource fails (2 when a schema is missing).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from pathlib import Path

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

COMMON = "https://schema.management.azure.com/schemas/common/definitions.json"


@functools.cache
def _provider_files(root: Path, api_version: str) -> tuple[Path, ...]:
    return tuple(sorted((root / "schemas" / api_version).glob("*.json")))


def find_schema(root: Path, arm_type: str, api_version: str) -> tuple[dict, str] | None:
    """(the schema file, the resourceDefinitions key) that defines `arm_type` at `api_version`."""
    for path in _provider_files(root, api_version):
        document = _load(path)
        for section in ("resourceDefinitions", "extension_resourceDefinitions", "subscription_resourceDefinitions",
                        "tenant_resourceDefinitions", "managementGroup_resourceDefinitions"):
            for key, definition in (document.get(section) or {}).items():
                enum = ((definition.get("properties") or {}).get("type") or {}).get("enum") or []
                if any(str(t).lower() == arm_type.lower() for t in enum):
                    return document, f"{section}/{key}"
    return None


@functools.cache
def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8-sig"))


def validate(root: Path, resource: dict) -> list[str]:
    found = find_schema(root, resource["type"], resource["apiVersion"])
    if found is None:
        return [f"no schema defines {resource['type']} at {resource['apiVersion']}"]
    document, pointer = found
    registry = Registry().with_resources([
        (document["id"].rstrip("#"), Resource.from_contents(document, default_specification=DRAFT4)),
        (COMMON, Resource.from_contents(_load(root / "schemas" / "common" / "definitions.json"),
                                        default_specification=DRAFT4)),
    ])
    schema = {"$ref": f"{document['id'].rstrip('#')}#/{pointer}"}
    body = {k: v for k, v in resource.items() if k not in ("dependsOn", "metadata", "copy", "condition")}
    validator = jsonschema.Draft4Validator(schema, registry=registry)

    def errors(candidate: dict) -> list[str]:
        return [f"{'/'.join(map(str, e.absolute_path)) or '(resource)'}: {e.message[:300]}"
                for e in sorted(validator.iter_errors(candidate), key=lambda e: list(map(str, e.absolute_path)))]

    found = errors(body)
    if found and all(e.startswith("name:") for e in found):
        # Templates name children by their full path; some schemas' name patterns describe the last segment.
        found = errors({**body, "name": str(body.get("name", "")).rsplit("/", 1)[-1]})
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schemas", type=Path, required=True, help="checkout of Azure/azure-resource-manager-schemas")
    parser.add_argument("--stack", action="append", default=None, help="stack name (default: prod and dev)")
    args = parser.parse_args(argv)

    from infra.arm import export_template
    from infra.render import render_stack_file, stack_file

    failures, missing, checked = 0, 0, 0
    for stack in args.stack or ["prod", "dev"]:
        template = export_template(render_stack_file(stack_file(stack)))
        by_type: dict[tuple[str, str], list[list[str]]] = {}
        for resource in template["resources"]:
            by_type.setdefault((resource["type"], resource["apiVersion"]), []).append(validate(args.schemas, resource))
        for (arm_type, version), results in sorted(by_type.items()):
            bad = [r for r in results if r]
            checked += len(results)
            verdict = "ok" if not bad else f"{len(bad)} invalid"
            print(f"{stack:5} {arm_type} @ {version}: {len(results)} resource(s), {verdict}")
            for errors in bad:
                for error in errors:
                    print(f"        {error}")
                    missing += error.startswith("no schema defines")
            failures += len(bad)
    print(f"{checked} resources checked, {failures} invalid")
    return 2 if missing else (1 if failures else 0)


if __name__ == "__main__":
    sys.exit(main())
