"""The import graph of infra/ and migrate/: no cycles, and the layering of ../shared/DESIGN.md.

Every import counts wherever it is written: at module level, inside a function (a lazy import,
made to keep `carelift --help` fast) or under `if TYPE_CHECKING:`. A lazy import is still a
dependency, and a cycle hidden inside a function is one a maintainer trips over when the import
moves. The graph is read with `ast`, so nothing is imported to draw it.

`import a.b.c` is an edge to `a.b.c`; `from a.b import c` is an edge to the module `a.b.c` when
there is one, else to the package `a.b` (c is a name defined in its __init__). The parent
packages Python initialises on the way are not edges: they are not what the code asks for.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("infra", "migrate")


def module_files(root: Path, packages=PACKAGES) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file under the packages."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path) -> list[tuple[str, int]]:
    """(imported dotted name, line) for every import statement anywhere in the module."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
    return found


def _resolve(target: str, modules: dict[str, Path]) -> str | None:
    """The most specific module of ours that `target` names (a module, or a name in one), or None."""
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target or None


def import_graph(root: Path = ROOT, packages=PACKAGES) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """(internal edges, external imports): module -> {imported module or top-level package: first line}."""
    modules = module_files(root, packages)
    internal: dict[str, dict[str, int]] = {name: {} for name in modules}
    external: dict[str, dict[str, int]] = {name: {} for name in modules}
    for name, path in modules.items():
        for target, line in imports_of(name, path):
            if target.split(".")[0] in packages:
                resolved = _resolve(target, modules)
                if resolved and resolved != name:
                    internal[name].setdefault(resolved, line)
            else:
                external[name].setdefault(target.split(".")[0], line)
    return internal, external


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, ())))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return sorted(found)


def _describe(component: list[str], graph: dict[str, dict[str, int]], modules: dict[str, Path]) -> str:
    members = set(component)
    edges = [f"    {a} -> {b} ({modules[a].relative_to(ROOT)}:{line})"
             for a in component for b, line in sorted(graph[a].items()) if b in members]
    return " <-> ".join(component) + "\n" + "\n".join(edges)


@pytest.fixture(scope="module")
def graph():
    return import_graph()


# -- the walk itself -------------------------------------------------------------------------


def test_the_walk_sees_every_package_and_lazy_and_relative_imports(graph):
    internal, external = graph
    assert {"infra.compliance.engine", "migrate.cli", "migrate.planning.plan", "infra.ai.register"} <= set(internal)
    # Module level, inside a function (plan_report reads the latest plan lazily), and pulumi outside.
    assert "migrate.cli.errors" in internal["migrate.cli.plan_report"]
    assert "migrate.cli.plan_source" in internal["migrate.cli.plan_report"]
    assert "pulumi" in external["infra.program"]
    assert sum(len(edges) for edges in internal.values()) > 500


def test_a_lazy_or_type_checking_import_cycle_is_found(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("from .b import thing\n")
    (package / "a.py").write_text("from pkg.sub import b\n")
    (package / "sub" / "b.py").write_text("def thing():\n    from .. import c\n")
    (package / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.a\n")
    (package / "d.py").write_text("import pkg.a\n")
    internal, _ = import_graph(tmp_path, ("pkg",))
    assert internal["pkg.sub"] == {"pkg.sub.b": 1}
    assert cycles(internal) == [["pkg.a", "pkg.c", "pkg.sub.b"]]


# -- no cycles -------------------------------------------------------------------------------


def test_no_import_cycles(graph):
    internal, _ = graph
    modules = module_files(ROOT)
    found = cycles(internal)
    assert not found, "import cycles (break each by moving what both need one layer down):\n" + "\n".join(
        _describe(component, internal, modules) for component in found)


# -- layering (../shared/DESIGN.md, "Dependencies point one way") ------------------------------

# (rule, modules it applies to, modules or packages they must not import)
RULES = [
    ("infra never imports migrate (migrate builds on infra)", ("infra",), ("migrate",)),
    ("planning never imports the CLI, the workspace store or the import", ("migrate.planning",),
     ("migrate.cli", "migrate.inventory.store", "migrate.inventory.ingest", "migrate.inventory.edits", "click",
      "rich")),
    ("inventory never imports planning or the CLI", ("migrate.inventory",), ("migrate.planning", "migrate.cli")),
    ("compliance reads ARM documents, never Pulumi objects or the renderer",
     ("infra.compliance",),
     ("pulumi", "pulumi_azure_native", "pulumi_policy", "infra.render", "infra.components", "infra.program",
      "infra.policy")),
    ("the policy pack reads the catalog and ARM tables, never the renderer", ("infra.policy", "infra.arm.types"),
     ("infra.render",)),
    ("components know the config, never the audit, the renderer or the policy pack", ("infra.components",),
     ("infra.compliance", "infra.render", "infra.policy", "infra.program")),
    ("only the CLI imports the CLI, click or rich (services stay usable from a notebook or a report)",
     ("infra", "migrate.inventory", "migrate.planning", "migrate.reports", "migrate.landing", "migrate.estate",
      "migrate.workflows"),
     ("migrate.cli", "click", "rich")),
    ("the packages the workflows join never import them (workflows sit between the CLI and them)",
     ("infra", "migrate.inventory", "migrate.planning", "migrate.landing", "migrate.reports", "migrate.estate"),
     ("migrate.workflows",)),
    ("the CLI calls services: it never imports, plans, or reads a source to audit by itself",
     ("migrate.cli",),
     ("migrate.inventory.ingest", "migrate.inventory.merge", "migrate.planning.build", "migrate.planning.waves",
      "migrate.planning.waves_construct", "migrate.planning.waves_improve", "infra.compliance.sources",
      "infra.compliance.live", "sqlite3")),
]

# What a command may not do itself, by name (the rules above see modules; these are the workflow steps
# that live in modules a command may read a type from): the services call them.
CLI_FORBIDDEN_NAMES = frozenset({"Workspace", "build_plan", "evaluate", "render_stack_file", "load_stack_file",
                                 "to_arm_documents", "export_template", "load_waivers", "read_subscription"})

# Breaches that exist today and are owned by an open issue: each must still exist (so the entry
# is deleted when it is fixed) and nothing else may be added to it silently. None today.
KNOWN: dict[tuple[str, str, str], str] = {}


def _within(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def breaches(graph) -> dict[tuple[str, str, str], int]:
    internal, external = graph
    found = {}
    for rule, sources, forbidden in RULES:
        for module in internal:
            if not _within(module, sources):
                continue
            for target, line in {**external[module], **internal[module]}.items():
                if _within(target, forbidden):
                    found[(rule, module, target)] = line
    return found


@pytest.mark.parametrize("rule", [rule for rule, _, _ in RULES])
def test_layering(graph, rule):
    modules = module_files(ROOT)
    found = [f"  {module} imports {target} ({modules[module].relative_to(ROOT)}:{line})"
             for (name, module, target), line in sorted(breaches(graph).items())
             if name == rule and (name, module, target) not in KNOWN]
    assert not found, f"{rule}:\n" + "\n".join(found)


def test_known_breaches_still_exist_so_the_list_shrinks_when_they_are_fixed(graph):
    gone = set(KNOWN) - set(breaches(graph))
    assert not gone, f"fixed, so delete from KNOWN: {sorted(gone)}"


def test_the_cli_names_no_workflow_step():
    found = []
    for name, path in module_files(ROOT, ("migrate",)).items():
        if not _within(name, ("migrate.cli",)):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.ImportFrom):
                found += [f"  {path.relative_to(ROOT)}:{node.lineno} imports {alias.name}" for alias in node.names
                          if alias.name in CLI_FORBIDDEN_NAMES]
    assert not found, "a command calls a workflow step instead of a service:\n" + "\n".join(found)


def test_the_rules_see_a_breach(tmp_path):
    # The checker itself: a planning module importing the CLI lazily is reported.
    for folder in ("migrate", "migrate/planning", "migrate/cli", "infra"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "__init__.py").write_text("")
    (tmp_path / "migrate" / "planning" / "plan.py").write_text("def f():\n    from migrate.cli import errors\n")
    (tmp_path / "migrate" / "cli" / "errors.py").write_text("import click\n")
    found = breaches(import_graph(tmp_path))
    assert ("planning never imports the CLI, the workspace store or the import", "migrate.planning.plan",
            "migrate.cli.errors") in found
