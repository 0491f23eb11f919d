"""The control registry: a control registers itself through its decorator, with its scope.

A new control is one decorated function in one module of `infra.compliance.controls`::

    @control(id="CL-KV-011", title="...", severity="high", scope="resource",
             citations=("45 CFR 164.312(a)(1)",), types=VAULTS, remediation="...")
    def something(vault: Document, index: ResourceIndex) -> Outcome: ...

`control` registers into `CATALOG`, the catalog every command, report and the policy pack read
(`infra.compliance.catalog.all_controls`, which imports every controls module first). A test that
defines controls of its own uses a `Registry()` of its own and its `control` decorator, so the
catalog never sees them.

Registering is checked at import: a control id taken by another check is an error, and so is a
scope that contradicts the control's types (a subscription-wide control is exactly the one judging
`SUBSCRIPTION_TYPE`). Importing a module again (`importlib.reload`) registers its controls again
under the same ids: each replaces its earlier self, so nothing is counted twice.
"""

from __future__ import annotations

from typing import Callable, Iterator

from infra.compliance.model import SUBSCRIPTION_TYPE, CheckFn, Control, Scope, Severity


class RegistryError(RuntimeError):
    """A control module is wrong (a duplicate id, a scope its types contradict): a bug, raised at import."""


def _origin(control: Control) -> str:
    """Where the check is defined; the same origin registering an id again is a re-import, not a duplicate."""
    check = control.check
    return f"{getattr(check, '__module__', '?')}.{getattr(check, '__qualname__', repr(check))}"


def _check_scope(control: Control) -> None:
    subscription = [t for t in control.resource_types if t.lower() == SUBSCRIPTION_TYPE.lower()]
    if control.scope is Scope.SUBSCRIPTION and (not subscription or len(control.resource_types) > 1):
        raise RegistryError(f"{control.id} has scope subscription: its only type must be {SUBSCRIPTION_TYPE}, "
                            f"not {', '.join(control.resource_types) or 'none'}")
    if control.scope is not Scope.SUBSCRIPTION and subscription:
        raise RegistryError(f"{control.id} judges {SUBSCRIPTION_TYPE}: its scope must be subscription, "
                            f"not {control.scope.value}")


class Registry:
    """Controls by id; iterated, like the catalog has always been listed, in id order."""

    def __init__(self) -> None:
        self._controls: dict[str, Control] = {}
        self._origins: dict[str, str] = {}
        self._ordered: tuple[Control, ...] | None = None

    def register(self, control: Control) -> Control:
        _check_scope(control)
        origin = _origin(control)
        known = self._origins.get(control.id)
        if known is not None and known != origin:
            raise RegistryError(f"duplicate control id {control.id}: {origin} and {known}")
        self._controls[control.id] = control
        self._origins[control.id] = origin
        self._ordered = None
        return control

    def control(self, *, id: str, title: str, severity: Severity | str, scope: Scope | str,
                citations: tuple[str, ...], types: tuple[str, ...], remediation: str, policy: tuple[str, ...] = (),
                checkov: tuple[str, ...] = (), description: str = "") -> Callable[[CheckFn], Control]:
        """Turn a check function into a registered Control carrying its metadata (Checkov/Prowler style).

        The description defaults to the check's docstring."""

        def wrap(check: CheckFn) -> Control:
            return self.register(Control(
                id=id, title=title, severity=Severity(severity), scope=Scope(scope), citations=tuple(citations),
                resource_types=tuple(types), remediation=remediation, check=check,
                azure_policy_ids=tuple(policy), checkov_ids=tuple(checkov),
                description=description or (check.__doc__ or "").strip()))

        return wrap

    def controls(self) -> tuple[Control, ...]:
        """Every registered control, sorted by id (whatever order the modules were imported in)."""
        if self._ordered is None:
            self._ordered = tuple(sorted(self._controls.values(), key=lambda c: c.id))
        return self._ordered

    def with_scope(self, scope: Scope | str) -> tuple[Control, ...]:
        wanted = Scope(scope)
        return tuple(c for c in self.controls() if c.scope is wanted)

    def defined_in(self, module: str) -> tuple[Control, ...]:
        """The controls whose checks a module (dotted name) defines, in id order."""
        return tuple(c for c in self.controls() if getattr(c.check, "__module__", None) == module)

    def __getitem__(self, control_id: str) -> Control:
        return self._controls[control_id]

    def __contains__(self, control_id: object) -> bool:
        return control_id in self._controls

    def __iter__(self) -> Iterator[Control]:
        return iter(self.controls())

    def __len__(self) -> int:
        return len(self._controls)


CATALOG = Registry()
"""The catalog's registry: every control of `infra.compliance.controls`, once each."""

control = CATALOG.control
"""The decorator the controls modules use: builds the Control and registers it in `CATALOG`."""
