"""ARM documents from a file: a deployment template, `az group export` output, or a resource list.

Teams on Bicep or hand-written ARM, and anyone holding an export of what is deployed, get the
same catalog as the Pulumi program. Accepted shapes:

- a deployment template (`$schema`, `resources`) — also `az group export` and `az bicep build`
  output, and the `{"template": ...}` answer of ARM's exportTemplate API. Each resource becomes
  a document shaped like Azure's GET answer, with an id built from the template: subscription
  00000000-0000-0000-0000-000000000000 and resource group "template" unless the template says
  otherwise (a literal `id`, a nested deployment's `resourceGroup`, a `scope`). Nested child
  resources, "parent/child" names, extension resources (`scope`, or the older
  `<type>/providers/<extension type>` naming) and inline nested deployments are followed.
  Expressions are evaluated as far as the file allows (expressions.py); what stays unknown is
  kept as written and listed in the notes.
- a JSON array of resources as `az resource list` returns it, or `{"value": [...]}` from the REST API;
- Azure Resource Graph results, `{"data": [...]}` (`az graph query`), as objects or a columns/rows table.
"""

from __future__ import annotations

import codecs
import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from infra.compliance.expressions import Context, Opaque, evaluate, is_expression, is_known, unescape
from infra.compliance.model import Gap, InputProblem, Unknown
from infra.errors import CareliftError
from infra.inputs import read_input_bytes

PLACEHOLDER_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
DEFAULT_RESOURCE_GROUP = "template"
DEFAULT_MANAGEMENT_GROUP = "template"

# Template keys that say how to deploy a resource rather than what it is.
_NOT_PROPERTIES = frozenset({"id", "type", "name", "resources", "dependsOn", "condition", "copy", "comments",
                             "scope", "existing", "metadata"})
_SCOPES = (("subscriptiondeploymenttemplate", "subscription"), ("managementgroupdeploymenttemplate", "managementGroup"),
           ("tenantdeploymenttemplate", "tenant"))
_NOTED_LOCATIONS = 3
_MAX_COPIES = 800
"""ARM's own limit on a copy loop's count; a loop of a known count up to it is expanded."""


class SourceError(CareliftError):
    """The file cannot be read as ARM documents; names the file and where in it (line/column or resource)."""

    def __init__(self, path: str | Path, message: str, location: str = ""):
        self.path, self.message, self.location = str(path), message, location
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path}: {self.location}: {self.message}" if self.location else f"{self.path}: {self.message}"


@dataclass(frozen=True)
class ArmSource:
    path: str
    shape: str
    """template, resource list or resource graph."""
    documents: tuple[dict[str, Any], ...]
    notes: tuple[str, ...] = ()
    """What the reader could not settle: expressions kept as written, defaults used, truncated results."""
    problems: tuple[InputProblem, ...] = ()
    """Resources that could not be read (each becomes one `error` finding); the others are still audited."""
    gaps: tuple[Gap, ...] = ()
    """Parts not audited: linked templates, unexpanded copy loops, conditions, and what they hide."""
    origins: tuple[str, ...] = ()
    """For a template, where each document comes from ("resources[2]", "resources[0].resources[1]"), in order."""


def load_arm_file(path: str | Path) -> list[dict[str, Any]]:
    return list(read_arm_file(path).documents)


def read_arm_file(path: str | Path, *, subscription_id: str = PLACEHOLDER_SUBSCRIPTION,
                  resource_group: str = DEFAULT_RESOURCE_GROUP, parameters: str | Path | None = None,
                  location: str | None = None) -> ArmSource:
    """`parameters` is an ARM parameters file (parameters.json) for a template; `location` is what
    resourceGroup().location and deployment().location evaluate to (else they stay unknown)."""
    path = Path(path)
    values = read_parameters_file(Path(parameters)) if parameters is not None else None
    return documents_from_json(_parse(path, _read_text(path)), path, subscription_id=subscription_id,
                               resource_group=resource_group, parameters=values, location=location)


def read_parameters_file(path: Path) -> dict[str, Any]:
    """Lower-cased name -> value of an ARM parameters file; a Key Vault `reference` stays unknown."""
    data = _parse(path, _read_text(path))
    if not isinstance(data, dict) or not isinstance(data.get("parameters"), dict):
        raise SourceError(path, "is not an ARM parameters file (an object with \"parameters\": {name: {\"value\": "
                                "...}})")
    values: dict[str, Any] = {}
    for name, spec in data["parameters"].items():
        if isinstance(spec, dict) and "value" in spec:
            values[name.lower()] = spec["value"]
        elif isinstance(spec, dict) and "reference" in spec:  # a secret from Key Vault: only known at deployment
            values[name.lower()] = Opaque(f"[parameters('{name}')]")
        else:
            raise SourceError(path, "each parameter needs a \"value\" (or a Key Vault \"reference\")",
                              f"parameters.{name}")
    return values


def documents_from_json(data: Any, path: str | Path, *, subscription_id: str = PLACEHOLDER_SUBSCRIPTION,
                        resource_group: str = DEFAULT_RESOURCE_GROUP, parameters: dict[str, Any] | None = None,
                        location: str | None = None) -> ArmSource:
    """ARM documents from parsed JSON of any accepted shape; `path` only names the source in errors."""
    if parameters is not None and not (isinstance(data, dict) and ("resources" in data or "template" in data)):
        raise SourceError(path, "--parameters applies to an ARM template, and this file is not one")
    if isinstance(data, list):
        return _listed(path, "resource list", data, "", subscription_id, resource_group)
    if not isinstance(data, dict):
        raise SourceError(path, "is not an ARM template, a resource list or a Resource Graph result")
    schema = str(data.get("$schema", "")).lower()
    if "deploymentparameters" in schema:
        raise SourceError(path, "is an ARM parameters file, not a template: audit the template it belongs to")
    if "resources" in data:
        return _TemplateReader(path, location=location).read_file(data, "", subscription_id, resource_group,
                                                                  parameters)
    if isinstance(data.get("template"), dict) and "resources" in data["template"]:
        return _TemplateReader(path, location=location).read_file(data["template"], "template.", subscription_id,
                                                                  resource_group, parameters)
    if "data" in data:
        return _graph(path, data, subscription_id, resource_group)
    if isinstance(data.get("value"), list):
        source = _listed(path, "resource list", data["value"], "value", subscription_id, resource_group)
        return _with_notes(source, ["The file holds one page of a longer list (it has a nextLink): "
                                    "resources on later pages are not audited."] if data.get("nextLink") else [])
    if ("type" in data and "id" in data) or "ResourceType" in data:  # one resource (`az resource show`, Get-AzResource)
        return _listed(path, "resource list", [data], "", subscription_id, resource_group)
    raise SourceError(path, "is not an ARM template (no \"resources\"), a resource list (a JSON array or "
                            "\"value\") or a Resource Graph result (\"data\")")


def _read_text(path: Path) -> str:
    try:
        raw = read_input_bytes(path)
    except FileNotFoundError:
        raise SourceError(path, "no such file") from None
    except IsADirectoryError:
        raise SourceError(path, "is a directory, not a file") from None
    except OSError as error:
        raise SourceError(path, f"cannot be read: {error.strerror}") from None
    # Windows PowerShell redirects `az ... > file.json` as UTF-16 with a byte-order mark.
    encoding = "utf-8"
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            encoding = name
            break
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise SourceError(path, f"is not UTF-8 text (undecodable byte at offset {error.start})") from None


def _parse(path: Path, text: str) -> Any:
    """JSON as ARM reads it: `//` and `/* */` comments, raw newlines inside strings and trailing commas
    are allowed (Azure's parser accepts them; Enterprise-Scale's eslzArm.json and some quickstart
    templates use them)."""
    if not text.strip():
        raise SourceError(path, "is empty")
    try:
        return json.loads(text, strict=False)
    except json.JSONDecodeError:
        pass
    try:
        return json.loads(_without_trailing_commas(_without_comments(text)), strict=False)
    except json.JSONDecodeError as error:
        hint = ""
        if path.suffix.lower() == ".bicep":
            hint = f" (a Bicep file: compile it with `az bicep build --file {path.name}` and audit the JSON)"
        raise SourceError(path, f"is not valid JSON: {error.msg}{hint}",
                          f"line {error.lineno}, column {error.colno}") from None


def _without_trailing_commas(text: str) -> str:
    """`text` with each comma that ends an object or array (`[1, 2,]`) blanked out, outside strings."""
    out, at, size = list(text), 0, len(text)
    while at < size:
        char = text[at]
        if char == '"':
            at += 1
            while at < size and text[at] != '"':
                at += 2 if text[at] == "\\" else 1
        elif char == ",":
            ahead = at + 1
            while ahead < size and text[ahead] in " \t\r\n":
                ahead += 1
            if ahead < size and text[ahead] in "}]":
                out[at] = " "
        at += 1
    return "".join(out)


def _without_comments(text: str) -> str:
    """`text` with comments outside strings blanked out (newlines kept, so error positions still match)."""
    out, at, size = [], 0, len(text)
    while at < size:
        char = text[at]
        if char == '"':
            end = at + 1
            while end < size and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            out.append(text[at:end + 1])
            at = end + 1
        elif text.startswith("//", at):
            end = text.find("\n", at)
            end = size if end < 0 else end
            out.append(" " * (end - at))
            at = end
        elif text.startswith("/*", at):
            end = text.find("*/", at + 2)
            end = size if end < 0 else end + 2
            out.append("".join(c if c == "\n" else " " for c in text[at:end]))
            at = end
        else:
            out.append(char)
            at += 1
    return "".join(out)


def _listed(path: str | Path, shape: str, items: list[Any], where: str, subscription: str,
            group: str) -> ArmSource:
    documents, problems, without_properties, truncated = [], [], 0, 0
    for index, item in enumerate(items):
        location = f"{where}[{index}]"
        if isinstance(item, dict) and "type" not in item and "ResourceType" in item:
            truncated += _cut_by_convert_to_json(item.get("Properties"))
            item = _from_powershell(item)
        if not isinstance(item, dict):
            problems.append(InputProblem("", "", location, "is not a JSON object (a resource)"))
            continue
        arm_type = item.get("type")
        if not isinstance(arm_type, str) or not arm_type.strip():
            problems.append(InputProblem(str(item.get("id") or ""), "", location, "resource has no type"))
            continue
        document = _unflattened(item)
        resource_id = document.get("id")
        if resource_id is None or resource_id == "":
            name = document.get("name")
            if not isinstance(name, str) or not name:
                problems.append(InputProblem("", arm_type, location, "resource has neither an id nor a name"))
                continue
            namespace, *types = arm_type.split("/")
            prefix = (f"/subscriptions/{document.get('subscriptionId') or subscription}"
                      f"/resourceGroups/{document.get('resourceGroup') or group}")
            document["id"] = f"{prefix}/providers/{namespace}/{_pairs(types, name.split('/'))}"
        elif not isinstance(resource_id, str):
            problems.append(InputProblem("", arm_type, f"{location}.id", "resource id is not a string"))
            continue
        if not isinstance(document.get("properties"), dict):
            # `az resource list` leaves properties out: what the file does not hold is unknown, not absent.
            without_properties += 1
            document["properties"] = Unknown("(not in this export)", "properties",
                                             "is not in this export (`az resource list` leaves properties out)")
        documents.append(document)
    notes = []
    if truncated:
        notes.append(f"{truncated} of {len(documents)} resources have properties that ConvertTo-Json cut at its "
                     "default depth (values such as \"@{defaultAction=Deny}\"): controls cannot read them; export "
                     "with `Get-AzResource -ExpandProperties | ConvertTo-Json -Depth 20`.")
    if without_properties:
        notes.append(f"{without_properties} of {len(documents)} resources have no properties (`az resource list` "
                     "leaves them out), so controls that read properties report them `manual`: export with Resource "
                     "Graph (`az graph query -q Resources`) or audit the subscription live.")
    return ArmSource(str(path), shape, tuple(documents), tuple(notes), tuple(problems))


# `Get-AzResource | ConvertTo-Json`: PascalCase envelope, properties as Azure returns them.
_POWERSHELL_KEYS = {"resourceid": "id", "id": "id", "name": "name", "resourcename": "name", "resourcetype": "type",
                    "location": "location", "kind": "kind", "sku": "sku", "tags": "tags", "properties": "properties",
                    "identity": "identity", "resourcegroupname": "resourceGroup", "subscriptionid": "subscriptionId",
                    "managedby": "managedBy", "plan": "plan", "zones": "zones", "extendedlocation": "extendedLocation"}


def _cut_by_convert_to_json(node: Any) -> bool:
    """True when ConvertTo-Json flattened a nested object into PowerShell's "@{key=value}" text."""
    if isinstance(node, str):
        return node.startswith("@{") or node.startswith("System.Collections.")
    if isinstance(node, dict):
        return any(_cut_by_convert_to_json(value) for value in node.values())
    if isinstance(node, list):
        return any(_cut_by_convert_to_json(value) for value in node)
    return False


def _from_powershell(item: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in item.items():
        target = _POWERSHELL_KEYS.get(key.lower())
        if target is None or (target in document and target == "name"):
            continue
        if target in ("sku", "identity", "plan") and isinstance(value, dict):
            value = {k[:1].lower() + k[1:]: v for k, v in value.items()}
        document[target] = value
    return document


# Envelope keys of a resource; anything else at the top level of a list item is a flattened property.
_ENVELOPE = frozenset({"id", "name", "type", "location", "kind", "sku", "tags", "identity", "properties", "plan",
                       "zones", "managedBy", "resourceGroup", "subscriptionId", "extendedLocation", "etag",
                       "systemData", "tenantId", "apiVersion", "managedByExtended", "changedTime", "createdTime",
                       "provisioningState"})
# `az storage account list/show` prints the SDK's names for a few ARM properties.
_SDK_NAMES = {"microsoft.storage/storageaccounts": {"enableHttpsTrafficOnly": "supportsHttpsTrafficOnly",
                                                    "networkRuleSet": "networkAcls"}}


def _unflattened(item: dict[str, Any]) -> dict[str, Any]:
    """The item in ARM's shape: `az storage account list/show` (and other service commands) print the
    properties at the top level, with no "properties" object; they are moved under "properties"."""
    document = dict(item)
    if isinstance(document.get("properties"), dict):
        return document
    flattened = {key: document.pop(key) for key in list(document) if key not in _ENVELOPE}
    if not flattened:
        return document
    if "provisioningState" in document:
        flattened["provisioningState"] = document.pop("provisioningState")
    renames = _SDK_NAMES.get(str(document.get("type", "")).lower(), {})
    document["properties"] = {renames.get(key, key): value for key, value in flattened.items()}
    return document


def _graph(path: str | Path, data: dict[str, Any], subscription: str, group: str) -> ArmSource:
    rows = data["data"]
    if isinstance(rows, dict) and isinstance(rows.get("columns"), list) and isinstance(rows.get("rows"), list):
        names = [column.get("name") if isinstance(column, dict) else None for column in rows["columns"]]
        table = []
        for index, row in enumerate(rows["rows"]):
            if not isinstance(row, list) or len(row) != len(names):
                raise SourceError(path, f"row does not have one value per column ({len(names)})", f"data.rows[{index}]")
            table.append(dict(zip(names, row, strict=True)))
        source = _listed(path, "resource graph", table, "data.rows", subscription, group)
    elif isinstance(rows, list):
        source = _listed(path, "resource graph", rows, "data", subscription, group)
    else:
        raise SourceError(path, "Resource Graph \"data\" is neither a list of objects nor a columns/rows table", "data")
    token = data.get("skip_token") or data.get("skipToken") or data.get("$skipToken")
    return _with_notes(source, ["The query result is truncated (it has a skip token): only its first page is "
                                "audited; query with --first 1000 and follow the skip token."] if token else [])


def _with_notes(source: ArmSource, notes: list[str]) -> ArmSource:
    return dataclasses.replace(source, notes=source.notes + tuple(notes))


def _pairs(types: Iterable[str], names: Iterable[str]) -> str:
    # A name with fewer segments than the type pairs as far as it goes (the id check reports the rest).
    return "/".join(f"{t}/{n}" for t, n in zip(types, names, strict=False))


def _segments(name: str) -> list[str]:
    """Split "vault/key" on slashes outside unevaluated "[...]" parts."""
    parts, current, depth = [], "", 0
    for char in name:
        depth += (char == "[") - (char == "]" and depth > 0)
        if char == "/" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return parts + [current]


@dataclass(frozen=True)
class _Parent:
    type: str
    names: tuple[str, ...]


@dataclass
class _TemplateReader:
    path: str | Path
    location: str | None = None
    """resourceGroup().location / deployment().location, when the user gave one."""
    documents: list[dict[str, Any]] = field(default_factory=list)
    unknown: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    _defaults: list[tuple[Context, dict[str, str]]] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)
    _produced: set[str] = field(default_factory=set)
    _conditional: set[str] = field(default_factory=set)
    """Lower-cased ids of resources deployed only under a condition the file cannot settle."""

    def read_file(self, template: dict[str, Any], where: str, subscription: str, group: str,
                  parameters: dict[str, Any] | None = None) -> ArmSource:
        kind = _scope_kind(template)
        self.read(template, self._context(template, subscription, group, kind, parameters, where), where)
        for expression, places in self.unknown.items():
            shown = ", ".join(places[:_NOTED_LOCATIONS])
            more = f" and {len(places) - _NOTED_LOCATIONS} more" if len(places) > _NOTED_LOCATIONS else ""
            self.notes.append(f"{expression} cannot be evaluated offline and was kept as written ({shown}{more}).")
        used = sorted({names[key] for context, names in self._defaults
                       for key in context.used_parameters if key in names})
        if used:
            self.notes.append(f"Parameters took their default values ({', '.join(used)}); "
                              "a parameters file used at deployment may change them.")
        return ArmSource(str(self.path), "template", tuple(self.documents), tuple(self.notes),
                         tuple(self.problems), tuple(self.gaps), tuple(self.origins))

    def read(self, template: dict[str, Any], context: Context, where: str) -> None:
        resources = template.get("resources")
        if isinstance(resources, dict):  # languageVersion 2.0: symbolic name -> resource
            items = [(f"{where}resources['{key}']", value) for key, value in resources.items()]
        elif isinstance(resources, list):
            items = [(f"{where}resources[{index}]", value) for index, value in enumerate(resources)]
        else:
            raise SourceError(self.path, "\"resources\" must be a list (or an object of symbolic names)",
                              f"{where}resources")
        for location, raw in items:
            self._guarded(raw, context, location, None)

    def _guarded(self, raw: Any, context: Context, location: str, parent: _Parent | None) -> None:
        """Read one resource; one that cannot be read is one problem, and the others are still read."""
        try:
            self._resource(raw, context, location, parent)
        except SourceError as error:
            arm_type = raw.get("type") if isinstance(raw, dict) else None
            self.problems.append(InputProblem("", arm_type if isinstance(arm_type, str) else "",
                                              error.location or location, error.message))

    def _context(self, template: dict[str, Any], subscription: str, group: str | None, kind: str,
                 passed: dict[str, Any] | None, where: str) -> Context:
        declared, variables = template.get("parameters") or {}, template.get("variables") or {}
        if not isinstance(declared, dict):
            raise SourceError(self.path, "\"parameters\" must be an object", f"{where}parameters")
        if not isinstance(variables, dict):
            raise SourceError(self.path, "\"variables\" must be an object", f"{where}variables")
        values, defaults = {}, {}
        for name, spec in declared.items():
            key = name.lower()
            if passed is not None and key in passed:
                values[key] = passed[key]
            elif isinstance(spec, dict) and "defaultValue" in spec:
                values[key], defaults[key] = spec["defaultValue"], name
            elif isinstance(spec, dict) and spec.get("nullable") is True:
                values[key] = None  # a nullable parameter given no value is null, not unknown
        group = (group or DEFAULT_RESOURCE_GROUP) if kind == "resourceGroup" else None
        scope_id = {"resourceGroup": f"/subscriptions/{subscription}/resourceGroups/{group}",
                    "subscription": f"/subscriptions/{subscription}",
                    "managementGroup": f"/providers/Microsoft.Management/managementGroups/{DEFAULT_MANAGEMENT_GROUP}",
                    "tenant": ""}[kind]
        context = Context(subscription, group, scope_id, values, {k.lower(): v for k, v in variables.items()},
                          location=self.location)
        self._defaults.append((context, defaults))
        return context

    def _resource(self, raw: Any, context: Context, location: str, parent: _Parent | None) -> None:
        if not isinstance(raw, dict):
            raise SourceError(self.path, "resource is not a JSON object", location)
        if not isinstance(raw.get("type"), str) or not raw["type"].strip():
            raise SourceError(self.path, "resource has no type", location)
        if raw.get("existing") is True:  # a reference to a resource deployed elsewhere
            return
        copy = raw.get("copy")
        if isinstance(copy, dict) and "count" in copy:
            count = evaluate(copy["count"], context)
            loop = str(copy.get("name", "")).lower()
            if isinstance(count, int) and not isinstance(count, bool) and 0 <= count <= _MAX_COPIES:
                for number in range(count):
                    looped = Context(**{**context.__dict__, "copy_index": {**context.copy_index, loop: number,
                                                                           "": number}})
                    self._one(raw, looped, f"{location}[copy {number}]", parent)
                return
            self.gaps.append(Gap(location, f"copy loop '{copy.get('name', '')}' with a count only known at "
                                           f"deployment ({copy['count']}): audited as one resource",
                                 (f"{raw['type']} {raw.get('name')} (the other copies)",)))
        self._one(raw, context, location, parent)

    def _one(self, raw: dict[str, Any], context: Context, location: str, parent: _Parent | None) -> None:
        condition = evaluate(raw.get("condition", True), context)
        if condition is False or (isinstance(condition, str) and condition.strip().lower() == "false"):
            self.gaps.append(Gap(location, "not deployed: its condition is false", (f"{raw['type']} {raw.get('name')}",)))
            return
        conditional = not (condition is True or (isinstance(condition, str) and condition.strip().lower() == "true"))
        arm_type = str(self._partial(raw["type"], context, f"{location}.type")).strip("/")
        if "." not in arm_type.split("/", 1)[0]:
            if parent is None:
                raise SourceError(self.path, f"type '{arm_type}' has no namespace and the resource is not nested "
                                             "in a parent", location)
            arm_type = f"{parent.type}/{arm_type}"
        if arm_type.lower() == "microsoft.resources/deployments":
            self._deployment(raw, context, location)
            return
        name = self._partial(raw.get("name"), context, f"{location}.name")
        if not isinstance(name, str) or not name.strip():
            given = isinstance(raw.get("name"), str) and raw["name"].strip()
            if not given:
                raise SourceError(self.path, "resource has no name", location)
            hint = f" ({raw['name'].strip()} with the template's defaults: give its value with --parameters)" \
                if is_expression(raw["name"].strip()) else ""
            raise SourceError(self.path, f"name evaluates to an empty string{hint}", location)
        document_type, resource_id, names = self._identify(arm_type, name, raw, context, location, parent)
        if "[" in resource_id and resource_id.lower() in self._produced:
            # Copies whose names are only known at deployment spell out the same id: not a provable duplicate.
            self.gaps.append(Gap(location, "same id as an earlier resource once its unknown name is spelled out "
                                           "(a copy whose name is only known at deployment): audited once",
                                 (resource_id,)))
            return
        self._produced.add(resource_id.lower())
        if conditional:
            if resource_id.lower() in self._conditional:  # if/else pair of one resource: audit the first
                self.gaps.append(Gap(location, f"deployed only under a condition ({raw.get('condition')}) and "
                                               "defines the same resource as an earlier one: not audited",
                                     (resource_id,)))
                return
            self._conditional.add(resource_id.lower())
            self.gaps.append(Gap(location, f"deployed only if {raw.get('condition')}: audited as if deployed",
                                 ()))
        document: dict[str, Any] = {"id": resource_id, "name": str.__str__(names[-1]), "type": document_type}
        for key, value in raw.items():
            if key not in _NOT_PROPERTIES:
                document[key] = self._value(value, context, f"{location}.{key}", key)
        self.documents.append(_with_read_only(document, raw.get("metadata")))
        self.origins.append(location)
        children = raw.get("resources") or []
        if not isinstance(children, list):
            raise SourceError(self.path, "nested \"resources\" must be a list", f"{location}.resources")
        for index, child in enumerate(children):
            self._guarded(child, context, f"{location}.resources[{index}]", _Parent(arm_type, tuple(names)))

    def _identify(self, arm_type: str, name: str, raw: dict[str, Any], context: Context, location: str,
                  parent: _Parent | None) -> tuple[str, str, list[str]]:
        """(document type, id, name segments) of a template resource."""
        namespace, *types = arm_type.split("/")
        lowered = [t.lower() for t in types]
        extension = lowered.index("providers") if "providers" in lowered else None
        target_types = types[:extension] if extension is not None else types
        extension_types = types[extension + 1:] if extension is not None else []
        expected = len(target_types) + (1 + len(extension_types) if extension is not None else 0)
        if not target_types or (extension is not None and not extension_types):
            raise SourceError(self.path, f"type '{arm_type}' is not Namespace/type[/childType...]", f"{location}.type")
        names = _segments(name)
        if len(names) < expected and parent is not None:
            names = list(parent.names[:expected - len(names)]) + names
        if len(names) != expected:
            if not isinstance(name, Opaque):
                raise SourceError(self.path, f"name '{name}' has {len(names)} segment(s) but type '{arm_type}' needs "
                                             f"{expected}", f"{location}.name")
            names = ["[unknown]"] * (expected - len(names)) + names if len(names) < expected else \
                names[:expected - 1] + ["/".join(names[expected - 1:])]
        count = len(target_types)
        document_type = f"{names[count]}/{'/'.join(extension_types)}" if extension is not None else arm_type
        explicit = evaluate(raw.get("id"), context) if raw.get("id") else None
        if isinstance(explicit, str) and is_known(explicit) and explicit.startswith("/"):
            return document_type, explicit, names  # the template says (carelift's export keeps Azure's ids)
        if raw.get("scope"):
            base = self._scope(raw["scope"], context, location)
        elif arm_type.lower() == "microsoft.resources/resourcegroups":
            return document_type, f"/subscriptions/{context.subscription_id}/resourceGroups/{names[0]}", names
        elif arm_type.lower() == "microsoft.management/managementgroups":
            return document_type, f"/providers/Microsoft.Management/managementGroups/{names[0]}", names
        else:
            base = context.scope_id
        resource_id = f"{base}/providers/{namespace}/{_pairs(target_types, names)}"
        if extension is not None:  # "<target type>/providers/<extension type>" named "<target>/<namespace>/<name>"
            resource_id += f"/providers/{names[count]}/{_pairs(extension_types, names[count + 1:])}"
        return document_type, resource_id, names

    def _scope(self, raw: Any, context: Context, location: str) -> str:
        """The id of the resource an extension resource's `scope` names."""
        scope = self._partial(raw, context, f"{location}.scope")
        if isinstance(scope, str) and scope.startswith("/"):
            return scope.rstrip("/")
        parts = _segments(str(scope))
        if len(parts) >= 3 and len(parts) % 2 == 1 and "." in parts[0]:
            return f"{context.scope_id}/providers/{'/'.join(parts)}"
        if isinstance(scope, Opaque):
            self.notes.append(f"{location}.scope is only known at deployment: the extension resource is not "
                              "linked to its target.")
            return context.scope_id
        raise SourceError(self.path, f"scope '{scope}' is neither a resource id nor Namespace/type/name",
                          f"{location}.scope")

    def _deployment(self, raw: dict[str, Any], context: Context, location: str) -> None:
        """Resources of an inline nested deployment (Bicep modules compile to these)."""
        properties = raw.get("properties")
        if not isinstance(properties, dict):
            properties = {}
        template = properties.get("template")
        if not isinstance(template, dict):
            link = (properties.get("templateLink") or {}).get("uri") or (properties.get("templateLink") or {}).get("id")
            self.gaps.append(Gap(location, f"linked template ({link or 'not in this file'}): its resources are not "
                                           "in this file and were not audited", (str(link or raw.get("name")),)))
            return
        subscription = self._partial(raw["subscriptionId"], context, f"{location}.subscriptionId") \
            if raw.get("subscriptionId") else context.subscription_id
        group = self._partial(raw["resourceGroup"], context, f"{location}.resourceGroup") \
            if raw.get("resourceGroup") else context.resource_group
        kind = _scope_kind(template)
        where = f"{location}.properties.template."
        options = properties.get("expressionEvaluationOptions") or {}
        if str(options.get("scope", "outer")).lower() == "inner":
            # A value from a Key Vault reference ({"reference": ...}) is only known at deployment.
            passed = {name.lower(): evaluate(spec["value"], context) if "value" in spec
                      else Opaque(f"[parameters('{name}')]")
                      for name, spec in (properties.get("parameters") or {}).items() if isinstance(spec, dict)}
            inner = self._context(template, str(subscription), group, kind, passed, where)
        else:
            # Outer scope: the nested template's expressions see the parent's parameters and variables.
            inner = self._context({}, str(subscription), group, kind, None, where)
            inner.parameters, inner.variables, inner.used_parameters = \
                context.parameters, context.variables, context.used_parameters
        try:
            self.read(template, inner, where)
        except SourceError as error:  # a broken nested template is one problem, not a rejected file
            self.problems.append(InputProblem("", "Microsoft.Resources/deployments", error.location, error.message))

    def _partial(self, value: Any, context: Context, location: str) -> Any:
        """Evaluate a name-like value; unknown parts stay spelled out and are noted."""
        result = evaluate(value, context)
        if not is_known(result):
            self.unknown.setdefault(str.__str__(str(value)), []).append(location)
        return result

    def _value(self, value: Any, context: Context, location: str, where: str) -> Any:
        """A property value: known parts evaluated, unknown ones as `Unknown` carrying their path `where`."""
        if isinstance(value, str):
            if not is_expression(value):
                return unescape(value)
            result = evaluate(value, context)
            if is_known(result):
                return result
            self.unknown.setdefault(value, []).append(location)
            parts = where.split(".")
            if isinstance(result, Opaque) and (result.startswith("/") or (
                    len(parts) > 2 and parts[-1] == "name" and parts[-2].isdigit())):
                # A resource id with spelled-out unknown parts (".../networkSecurityGroups/[parameters('nsg')]"):
                # every reference in the file spells it the same way, so links between resources still hold.
                # The same for the name of an inline child (properties.subnets.0.name): it is an identity.
                return str.__str__(result)
            if isinstance(result, (dict, list)):
                return _marked(result, where)
            return Unknown(value, where)
        if isinstance(value, dict):
            if isinstance(value.get("copy"), list):
                value = self._property_copies(value, context, location)
            return {key: self._value(item, context, f"{location}.{key}", f"{where}.{key}")
                    for key, item in value.items()}
        if isinstance(value, list):
            return [self._value(item, context, f"{location}[{index}]", f"{where}.{index}")
                    for index, item in enumerate(value)]
        return value

    def _property_copies(self, value: dict[str, Any], context: Context, location: str) -> dict[str, Any]:
        """Property-level copy (`"copy": [{"name": "subnets", "count": n, "input": {...}}]`) expanded into lists."""
        expanded = {key: item for key, item in value.items() if key != "copy"}
        for loop in value["copy"]:
            if not isinstance(loop, dict) or not isinstance(loop.get("name"), str) or "input" not in loop:
                raise SourceError(self.path, "a property copy needs a name, a count and an input", f"{location}.copy")
            count = evaluate(loop.get("count"), context)
            if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= _MAX_COPIES:
                self.gaps.append(Gap(f"{location}.copy", f"property copy '{loop['name']}' with a count only known "
                                                         f"at deployment ({loop.get('count')}): left unexpanded",
                                     (loop["name"],)))
                expanded[loop["name"]] = Unknown(str(loop.get("count")), loop["name"])
                continue
            name = loop["name"].lower()
            items = []
            for number in range(count):
                looped = Context(**{**context.__dict__, "copy_index": {**context.copy_index, name: number}})
                items.append(evaluate(loop["input"], looped))
            expanded[loop["name"]] = items
        return expanded


def _marked(value: Any, where: str) -> Any:
    """An evaluated object with unknown parts: each `Opaque` inside becomes an `Unknown` with its path."""
    if isinstance(value, Opaque):
        return Unknown(str.__str__(value), where)
    if isinstance(value, dict):
        return {key: _marked(item, f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, list):
        return [_marked(item, f"{where}.{index}") for index, item in enumerate(value)]
    return value


def _with_read_only(document: dict[str, Any], metadata: Any) -> dict[str, Any]:
    """carelift's own export files the values Azure computes (principal ids, URIs, an
    assignment's scope) under a resource's ``metadata.carelift.readOnly``, apart from its
    configuration: put them back where a GET shows them (infra/arm/template.py writes them)."""
    carelift = metadata.get("carelift") if isinstance(metadata, dict) else None
    read_only = carelift.get("readOnly") if isinstance(carelift, dict) else None
    return _merged(document, read_only) if isinstance(read_only, dict) else document


def _merged(node: Any, part: Any) -> Any:
    if isinstance(node, dict) and isinstance(part, dict):
        return {**node, **{key: _merged(node[key], value) if key in node else value for key, value in part.items()}}
    if isinstance(node, list) and isinstance(part, list) and len(node) == len(part):
        return [_merged(a, b) for a, b in zip(node, part, strict=True)]
    return part


def _scope_kind(template: dict[str, Any]) -> str:
    schema = str(template.get("$schema", "")).lower()
    return next((kind for marker, kind in _SCOPES if marker in schema), "resourceGroup")
