"""The control registry: scopes, order, duplicates, and the catalog as its content.

Tests that need controls of their own register them in a local `Registry()`, never in `CATALOG`,
so nothing here changes the catalog other tests (and the CLI snapshots) see.
"""

from __future__ import annotations

import dis
import json
import random
import subprocess
import sys
import textwrap

import pytest

from infra.compliance.catalog import all_controls, controls_with_scope
from infra.compliance.controls import keyvault
from infra.compliance.model import SUBSCRIPTION_TYPE, Control, Scope, passed
from infra.compliance.registry import CATALOG, Registry, RegistryError

VAULT = "Microsoft.KeyVault/vaults"

LOCAL = Registry()


@LOCAL.control(id="CL-TST-900", title="Vaults are named kv-*", severity="low", scope="resource",
               citations=("45 CFR 164.312(b)",), types=(VAULT,), remediation="Rename the vault.")
def named_kv(document, index):
    """A vault's name says what it is."""
    return passed("named")


def reads_the_index(control: Control) -> bool:
    """Whether the check's own code loads its second argument (the ResourceIndex).

    The policy pack no longer looks at code; this is the test that a declared scope is honest.
    A resource policy hands the check one resource, so a `resource` control that reads the index
    would be judged on a graph of one document and pass or fail wrongly.
    """
    code = control.check.__code__
    index_name = code.co_varnames[1]
    for instruction in dis.get_instructions(control.check):
        # 3.13 fuses loads (LOAD_FAST_LOAD_FAST): argval is then a tuple of names.
        names = instruction.argval if isinstance(instruction.argval, tuple) else (instruction.argval,)
        if instruction.opname.startswith(("LOAD_FAST", "LOAD_DEREF", "LOAD_CLOSURE")) and index_name in names:
            return True
    return False


@pytest.mark.parametrize("control", all_controls(), ids=lambda c: c.id)
def test_every_control_declares_the_scope_its_check_reads(control):
    assert isinstance(control.scope, Scope)
    if SUBSCRIPTION_TYPE in control.resource_types:
        assert control.scope is Scope.SUBSCRIPTION and control.resource_types == (SUBSCRIPTION_TYPE,)
    elif reads_the_index(control):
        assert control.scope is Scope.GRAPH, "the check reads other documents through the index"
    else:
        assert control.scope is Scope.RESOURCE, "the check reads only its own document"


def test_every_scope_is_used_and_the_scopes_partition_the_catalog():
    by_scope = {scope: controls_with_scope(scope) for scope in Scope}
    assert all(by_scope.values())
    assert sorted(c.id for controls in by_scope.values() for c in controls) == [c.id for c in all_controls()]


def test_the_catalog_is_the_registry_in_id_order():
    controls = all_controls()
    assert controls == CATALOG.controls() == tuple(CATALOG)
    assert [c.id for c in controls] == sorted(c.id for c in controls)
    assert len(set(c.id for c in controls)) == len(controls) == len(CATALOG)
    assert all_controls() is controls  # built once, not re-sorted per call


def test_the_order_does_not_depend_on_the_order_of_registration():
    shuffled = list(all_controls())
    random.Random(11).shuffle(shuffled)
    orders = []
    for sequence in (shuffled, list(reversed(shuffled))):
        registry = Registry()
        for control in sequence:
            registry.register(control)
        orders.append(registry.controls())
    assert orders[0] == orders[1] == all_controls()


def test_a_control_in_a_test_module_joins_its_own_registry_not_the_catalog():
    assert LOCAL.controls() == (named_kv,)
    assert LOCAL["CL-TST-900"] is named_kv
    assert named_kv.scope is Scope.RESOURCE and named_kv.description == "A vault's name says what it is."
    assert LOCAL.defined_in(__name__) == (named_kv,)
    assert "CL-TST-900" not in CATALOG and named_kv not in all_controls()


def test_a_duplicate_id_is_refused_naming_both_checks():
    registry = Registry()

    @registry.control(id="CL-TST-901", title="first", severity="low", scope="resource", citations=(),
                      types=(VAULT,), remediation="r")
    def first(document, index):
        return passed("first")

    with pytest.raises(RegistryError, match=r"duplicate control id CL-TST-901: .*second.* and .*first"):
        @registry.control(id="CL-TST-901", title="second", severity="low", scope="resource", citations=(),
                          types=(VAULT,), remediation="r")
        def second(document, index):
            return passed("second")

    assert registry.controls() == (first,) and registry["CL-TST-901"].title == "first"


def test_registering_the_same_check_again_replaces_it_instead_of_counting_it_twice():
    # What importlib.reload does: the same function of the same module registers under its id again.
    registry = Registry()
    registry.register(keyvault.purge_protection)
    registry.register(keyvault.purge_protection)
    assert registry.controls() == (keyvault.purge_protection,)


@pytest.mark.parametrize("scope, types", [("resource", (SUBSCRIPTION_TYPE,)), ("graph", (SUBSCRIPTION_TYPE,)),
                                          ("subscription", (VAULT,)), ("subscription", (SUBSCRIPTION_TYPE, VAULT))])
def test_a_scope_its_types_contradict_is_refused(scope, types):
    registry = Registry()
    with pytest.raises(RegistryError, match="CL-TST-902"):
        @registry.control(id="CL-TST-902", title="t", severity="low", scope=scope, citations=(), types=types,
                          remediation="r")
        def check(document, index):
            return passed("fine")
    assert len(registry) == 0


def test_an_unknown_scope_is_refused():
    with pytest.raises(ValueError, match="'stack' is not a valid Scope"):
        Registry().control(id="CL-TST-903", title="t", severity="low", scope="stack", citations=(), types=(VAULT,),
                           remediation="r")(lambda document, index: passed("fine"))


def test_a_module_reusing_a_catalog_id_fails_at_import_and_leaves_the_catalog_alone(tmp_path, monkeypatch):
    (tmp_path / "rogue_controls.py").write_text(textwrap.dedent('''
        from infra.compliance.model import passed
        from infra.compliance.registry import control

        @control(id="CL-KV-001", title="another rule", severity="low", scope="resource", citations=(),
                 types=("Microsoft.KeyVault/vaults",), remediation="r")
        def impostor(document, index):
            return passed("fine")
        '''), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = all_controls()
    with pytest.raises(RegistryError, match="duplicate control id CL-KV-001: rogue_controls.impostor and "
                                            "infra.compliance.controls.keyvault.purge_protection"):
        import rogue_controls  # noqa: F401
    assert CATALOG["CL-KV-001"] is keyvault.purge_protection and all_controls() is before


def test_importing_the_controls_package_registers_every_control_once_and_a_reload_adds_none():
    # A fresh interpreter, so reloading does not swap the control objects other tests hold.
    script = textwrap.dedent('''
        import importlib, json, pkgutil
        import infra.compliance.controls as package
        from infra.compliance.registry import CATALOG
        first = [c.id for c in CATALOG.controls()]
        modules = [importlib.import_module(f"{package.__name__}.{m.name}") for m in pkgutil.iter_modules(package.__path__)]
        for module in modules:
            importlib.reload(module)
        importlib.reload(package)
        from infra.compliance.catalog import all_controls
        from infra.compliance.controls import keyvault
        print(json.dumps({"first": first, "reloaded": [c.id for c in all_controls()], "count": len(CATALOG),
                          "current": CATALOG["CL-KV-001"] is keyvault.purge_protection}))
        ''')
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    expected = [c.id for c in all_controls()]
    assert json.loads(run.stdout) == {"first": expected, "reloaded": expected, "count": len(expected), "current": True}
