"""migrate.workflows sits between the CLI and the packages it joins: it never imports the CLI, click or
rich (a notebook calls it), and planning and landing never import it (they stay below it)."""

from __future__ import annotations

from tests.test_imports import import_graph


def test_workflows_never_import_the_cli_click_or_rich_and_nothing_below_imports_them():
    internal, external = import_graph()
    workflows = [m for m in internal if m == "migrate.workflows" or m.startswith("migrate.workflows.")]
    assert {"migrate.workflows.plan", "migrate.workflows.landing", "migrate.workflows.sources"} <= set(workflows)
    for module in workflows:
        assert not [t for t in internal[module] if t.startswith("migrate.cli")], module
        assert not {"click", "rich"} & set(external[module]), module
    below = [m for m in internal if m.startswith(("migrate.planning", "migrate.landing", "migrate.inventory"))]
    assert not [(m, t) for m in below for t in internal[m] if t.startswith("migrate.workflows")]
