"""Offline render: run the real Pulumi program under Pulumi's mock engine.

No Pulumi CLI, no Azure credentials. The mocks answer the way Azure Resource Manager
would for the handful of values the program reads back (resource ids, the firewall's
private address, identities' principal ids, the vault URI, key URIs), so the rendered
inputs are those `pulumi up` would send.

Usage: ``render_stack_file(Path("stacks/Pulumi.prod.yaml"))`` returns a `Rendering`.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import json
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, TypeVar

import pulumi
import yaml
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime.stack import run_pulumi_func

# ARM's tables and the offline identities live in infra/arm/types.py (the ARM translation and the
# policy pack read them without importing the renderer); re-exported here for the callers.
from infra.arm.types import (_NS, ARM_TYPES, OFFLINE_OBJECT_ID, OFFLINE_SUBSCRIPTION_ID,  # noqa: F401
                              OFFLINE_TENANT_ID, _guid, arm_id)
from infra.config import PROJECT, ConfigError, ConfigIssue, StackConfig, config_from_stack_document, utc_today
from infra.stackfile import load_stack_yaml
from infra.inputs import read_input_text



@dataclass(frozen=True)
class RenderedResource:
    """One resource the program registered, with the inputs Pulumi would send."""

    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    inputs: Mapping[str, Any]
    id: str | None = None
    depends_on: tuple[str, ...] = ()
    outputs: Mapping[str, Any] = field(default_factory=dict)
    """The state the mocks answered: the inputs plus the values Azure computes (ids, addresses, URIs)."""
    ignore_changes: tuple[str, ...] = ()
    """Input paths a later `pulumi up` leaves as they were created (not part of the JSON output)."""

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "name": self.name, "urn": self.urn, "parent": self.parent,
                "custom": self.custom, "id": self.id, "dependsOn": list(self.depends_on),
                "inputs": self.inputs}


@dataclass(frozen=True)
class Rendering:
    stack: str
    resources: tuple[RenderedResource, ...]
    config: StackConfig | None = field(default=None, compare=False)

    @property
    def custom_resources(self) -> tuple[RenderedResource, ...]:
        return tuple(r for r in self.resources if r.custom)

    def of_type(self, token: str) -> list[RenderedResource]:
        return [r for r in self.resources if r.type == token]

    def named(self, name: str) -> RenderedResource:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}")
        return matches[0]

    def by_urn(self, urn: str) -> RenderedResource:
        return next(r for r in self.resources if r.urn == urn)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.custom_resources:
            out[r.type] = out.get(r.type, 0) + 1
        return dict(sorted(out.items()))

    def to_json(self) -> dict[str, Any]:
        return {"stack": self.stack, "resources": [r.to_json() for r in self.resources]}


# ---------------------------------------------------------------------------- stack files


def find_project_dir(start: Path | None = None) -> Path | None:
    """The nearest directory at or above `start` holding carelift's Pulumi.yaml."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / "Pulumi.yaml"
        if candidate.is_file():
            try:
                document = yaml.safe_load(candidate.read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError):
                continue
            if isinstance(document, dict) and document.get("name") == PROJECT:
                return directory
    return None


def stack_file(stack: str, project_dir: Path | None = None) -> Path:
    """Resolve ``--stack`` to a file: a path to a YAML file, or a stack name under stacks/."""
    as_path = Path(stack)
    if as_path.suffix in (".yaml", ".yml"):
        return as_path
    project = project_dir or find_project_dir()
    if project is None:
        raise ConfigError(stack, [ConfigIssue(
            "--stack", "no carelift Pulumi.yaml found in this directory or above; run from the "
                       "repository or pass a path to a Pulumi.<stack>.yaml file")])
    return project / "stacks" / f"Pulumi.{stack}.yaml"


def load_stack_file(path: Path, today: datetime.date | None = None) -> tuple[str, dict[str, Any], StackConfig]:
    """Read and validate a stack file; return (stack name, raw carelift keys, config).

    `today` is the deploy date the config is judged against (default: the UTC date).
    """
    name = path.name
    stack = name[len("Pulumi."):].rsplit(".", 1)[0] if name.startswith("Pulumi.") else path.stem
    try:
        text = read_input_text(path)
    except FileNotFoundError:
        raise ConfigError(str(path), [ConfigIssue("--stack", f"stack file {path} does not exist")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), [ConfigIssue("--stack", f"cannot read {path}: {exc}")]) from None
    try:
        document = load_stack_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(str(path), [ConfigIssue("config", f"is not valid YAML{where}: {getattr(exc, 'problem', exc)}")]) from None
    document = _with_overlay(document, path)
    config = config_from_stack_document(document, stack=stack, source=str(path), today=today)
    raw = {k.partition(":")[2]: v for k, v in document["config"].items() if str(k).startswith(f"{PROJECT}:")}
    # Already merged: the program under the mock engine must not merge the overlay a second time.
    raw.pop("landingOverlay", None)
    return stack, raw, config


def _with_overlay(document: Any, path: Path) -> Any:
    """The stack document with its landing overlay (``carelift:landingOverlay``) merged into its keys."""
    from infra.landing_overlay import apply_overlay

    if not isinstance(document, Mapping) or not isinstance(document.get("config"), Mapping):
        return document
    prefix = f"{PROJECT}:"
    raw = {k[len(prefix):]: v for k, v in document["config"].items() if str(k).startswith(prefix)}
    if "landingOverlay" not in raw:
        return document
    base = find_project_dir(path.resolve().parent) or path.resolve().parent
    merged = apply_overlay(raw, base, str(path))
    others = {k: v for k, v in document["config"].items() if not str(k).startswith(prefix)}
    return {**document, "config": {**others, **{f"{prefix}{k}": v for k, v in merged.items()}}}


def render_stack_file(path: Path, today: datetime.date | None = None) -> Rendering:
    """Validate and render a stack file as deployed on `today` (default: the UTC date).

    The date only decides defaults such as the budget's first month (the first day of the
    current month), so renders within one month are byte-for-byte identical.
    """
    today = today or utc_today()
    stack, raw, config = load_stack_file(path, today)
    return render(stack, raw, config, today)


# ---------------------------------------------------------------------------- the engine


def render(stack: str, raw: Mapping[str, Any], config: StackConfig | None = None,
           today: datetime.date | None = None) -> Rendering:
    """Run the Pulumi program for `stack` with the raw ``carelift:`` config under mocks, as
    deployed on `today` (default: the UTC date)."""
    today = today or utc_today()
    from infra import program

    rendering, _ = run_under_mocks(stack, lambda: program.main(today, governance=False), config=config, raw=raw)
    return rendering


T = TypeVar("T")


def run_under_mocks(stack: str, body: Callable[[], T], *, config: StackConfig | None = None,
                    raw: Mapping[str, Any] | None = None) -> tuple[Rendering, T]:
    """Run `body` (which constructs resources: the whole program, or one component in a test) as the
    Pulumi program of `stack` under the offline mocks, with the raw ``carelift:`` config `raw` set.
    Returns what was registered (sorted by URN, component resources included; the Rendering carries
    `config`) and what `body` returned."""
    records: list[dict[str, Any]] = []
    mocks = AzureMocks()
    returned: list[T] = []

    class RecordingMonitor(pulumi_mocks.MockMonitor):
        def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
            response = super().RegisterResource(request)
            if request.type != "pulumi:pulumi:Stack":
                records.append({"urn": response.urn, "type": request.type, "name": request.name,
                                "inputs": _plain(mocks.last_inputs), "outputs": _plain(mocks.last_outputs),
                                "parent": request.parent or None, "custom": bool(request.custom),
                                "id": response.id or None, "dependsOn": tuple(sorted(request.dependencies)),
                                "ignoreChanges": tuple(request.ignoreChanges)})
            return response

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        monitor = RecordingMonitor(mocks)
        # A fresh root stack per render: set_mocks reuses an existing one, and with it the
        # previous render's stack transformations (its default tags would win).
        pulumi.runtime.settings.set_root_resource(None)  # type: ignore[arg-type]
        pulumi_mocks.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
        pulumi.runtime.set_all_config({
            f"{PROJECT}:{key}": value if isinstance(value, str) else json.dumps(value)
            for key, value in (raw or {}).items()
        })

        def run() -> None:
            # Aliases only matter against existing state; computing ~60 per azure-native
            # resource made the offline render fifteen times slower.
            pulumi.runtime.register_stack_transformation(_drop_aliases)
            returned.append(body())

        loop.run_until_complete(run_pulumi_func(run))
    finally:
        loop.close()
        asyncio.set_event_loop(None)

    resources = tuple(
        RenderedResource(urn=r["urn"], type=r["type"], name=r["name"], parent=r["parent"], custom=r["custom"],
                         inputs=r["inputs"], id=r["id"], depends_on=r["dependsOn"], outputs=r["outputs"],
                         ignore_changes=r["ignoreChanges"])
        for r in sorted(records, key=lambda r: r["urn"])
    )
    return Rendering(stack=stack, resources=resources, config=config), returned[0]


def _drop_aliases(args):
    if args.opts.aliases:
        args.opts.aliases = None
        return pulumi.ResourceTransformationResult(args.props, args.opts)
    return None


def _plain(value: Any) -> Any:
    """Inputs as JSON values (sorted keys for deterministic output)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


class AzureMocks(pulumi_mocks.Mocks):
    """Answers like Azure Resource Manager for the values the program reads back."""

    def __init__(self) -> None:
        # Per thread: the engine registers resources from a thread pool, and a shared
        # "last inputs" let the recorder pair one resource with another's inputs.
        self._local = threading.local()
        self._subnet_prefixes: dict[str, str] = {}

    @property
    def last_inputs(self) -> dict[str, Any]:
        """Inputs of the resource this thread registered last."""
        return getattr(self._local, "inputs", {})

    @property
    def last_outputs(self) -> dict[str, Any]:
        """State answered for the resource this thread registered last."""
        return getattr(self._local, "outputs", {})

    def call(self, args):
        if args.token == "azure-native:authorization:getClientConfig":
            return {"clientId": OFFLINE_OBJECT_ID, "objectId": OFFLINE_OBJECT_ID,
                    "subscriptionId": OFFLINE_SUBSCRIPTION_ID, "tenantId": OFFLINE_TENANT_ID}, []
        return {}, []

    def new_resource(self, args):
        inputs = dict(args.inputs)
        self._local.inputs = inputs
        self._local.outputs = {}
        if not args.custom:
            return None, {}
        resource_id = arm_id(args.typ, inputs, args.name)
        state = dict(inputs)
        name_key = ARM_TYPES.get(args.typ, ("", "name"))[1]
        state["name"] = inputs.get(name_key) or args.name
        self._fill_computed(args.typ, args.name, inputs, state, resource_id)
        self._local.outputs = state
        return resource_id, state

    def _fill_computed(self, typ: str, name: str, inputs: dict[str, Any], state: dict[str, Any],
                       resource_id: str) -> None:
        identity = inputs.get("identity")
        if isinstance(identity, Mapping) and "SystemAssigned" in str(identity.get("type", "")):
            state["identity"] = {**identity, "principalId": _guid("principal", resource_id),
                                 "tenantId": OFFLINE_TENANT_ID}
        if isinstance(identity, Mapping) and isinstance(identity.get("userAssignedIdentities"), list):
            # Inputs list the identity ids; Azure answers with a map id -> {principalId, clientId}.
            state["identity"] = {**state.get("identity", identity), "userAssignedIdentities": {
                str(uai): {"principalId": _guid("principal", str(uai)), "clientId": _guid("client", str(uai))}
                for uai in identity["userAssignedIdentities"]}}
        if typ == "azure-native:network:Subnet" and inputs.get("addressPrefix"):
            self._subnet_prefixes[resource_id.lower()] = inputs["addressPrefix"]
        elif typ == "azure-native:network:AzureFirewall":
            configs = []
            for config in inputs.get("ipConfigurations") or []:
                subnet_id = str((config.get("subnet") or {}).get("id", "")).lower()
                prefix = self._subnet_prefixes.get(subnet_id)
                # Azure gives the firewall the first usable address (x.x.x.4) of its subnet.
                address = str(ipaddress.ip_network(prefix)[4]) if prefix else None
                configs.append({**config, "privateIPAddress": address})
            state["ipConfigurations"] = configs
        elif typ == "azure-native:keyvault:Vault":
            vault = inputs.get("vaultName") or name
            state["properties"] = {**(inputs.get("properties") or {}), "vaultUri": f"https://{vault}.vault.azure.net/"}
        elif typ == "azure-native:keyvault:Key":
            uri = f"https://{inputs.get('vaultName')}.vault.azure.net/keys/{inputs.get('keyName') or name}"
            version = uuid.uuid5(_NS, resource_id).hex
            state.update(keyUri=uri, keyUriWithVersion=f"{uri}/{version}")
        elif typ == "azure-native:managedidentity:UserAssignedIdentity":
            state.update(principalId=_guid("principal", resource_id), clientId=_guid("client", resource_id),
                         tenantId=OFFLINE_TENANT_ID)
        elif typ == "azure-native:cognitiveservices:Account":
            sub = (inputs.get("properties") or {}).get("customSubDomainName") or name
            state["properties"] = {**(inputs.get("properties") or {}),
                                   "endpoint": f"https://{sub}.openai.azure.com/"}
        elif typ == "azure-native:apimanagement:ApiManagementService":
            subnet_id = str((inputs.get("virtualNetworkConfiguration") or {}).get("subnetResourceId", "")).lower()
            prefix = self._subnet_prefixes.get(subnet_id)
            # Internal mode: Azure answers with the gateway's private address in its subnet.
            state["privateIPAddresses"] = [str(ipaddress.ip_network(prefix)[4])] if prefix else []
        elif typ == "azure-native:operationalinsights:Workspace":
            state["customerId"] = _guid("workspace", resource_id)
