"""ARM template expressions ("[concat(parameters('vault'), '/cmk')]"), evaluated as far as a file allows.

Azure evaluates a template's expressions at deployment. Offline, a value is known when it
comes from literals, parameters' default values, variables and pure functions (concat,
format, resourceId, ...). Anything else — reference(), uniqueString(), resourceGroup().location,
a parameter without a default — is only known at deployment: it evaluates to an `Opaque`
text spelling the expression, so names and ids keep their structure
(".../vaults/[parameters('vault')]/keys/cmk") and the caller can keep the literal and say so.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from infra.compliance.model import Unknown

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<name>[A-Za-z_]\w*)"
                    r"|(?P<sym>[(),.\[\]]))")


class Opaque(Unknown):
    """A value only known at deployment, spelled as the expression that computes it: "[parameters('x')]".

    It is a `model.Unknown`, so documents can carry it and a check that uses it is reported `manual`.
    """


class ExpressionSyntaxError(ValueError):
    pass


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("[") and not value.startswith("[[") and value.endswith("]")


def unescape(value: str) -> str:
    """A literal that starts with "[[" stands for text starting with "["."""
    return value[1:] if value.startswith("[[") else value


def is_known(value: Any) -> bool:
    if isinstance(value, Opaque):
        return False
    if isinstance(value, Mapping):
        return all(is_known(v) for v in value.values())
    if isinstance(value, list):
        return all(is_known(v) for v in value)
    return True


@dataclass
class Context:
    """What a template's expressions can see: its deployment scope, parameters and variables."""

    subscription_id: str
    resource_group: str | None
    scope_id: str
    """Id prefix of resources the template deploys ("/subscriptions/<s>/resourceGroups/<rg>", "" at tenant scope)."""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    """Lower-cased name -> value (a default or a value passed to a nested deployment) or an Opaque."""
    variables: Mapping[str, Any] = field(default_factory=dict)
    used_parameters: set[str] = field(default_factory=set)
    location: str | None = None
    """resourceGroup().location and deployment().location (carelift audit --location), else unknown."""
    copy_index: dict[str, int] = field(default_factory=dict)
    """Loop name -> current index while a copy loop is expanded ("" is the resource's own loop)."""
    _resolving: set[str] = field(default_factory=set)

    def parameter(self, name: str) -> Any:
        key = name.lower()
        if key not in self.parameters:
            return Opaque(f"[parameters('{name}')]")
        if isinstance(self.parameters[key], Opaque):
            # A nested deployment passed an unknown value: keep the caller's spelling, so two modules
            # given different unknown names do not collapse into one "[parameters('name')]" id.
            return self.parameters[key]
        value = self._resolve(f"p:{key}", self.parameters[key], f"[parameters('{name}')]")
        if is_known(value):
            self.used_parameters.add(key)
        return value

    def variable(self, name: str) -> Any:
        key = name.lower()
        if key not in self.variables:
            return Opaque(f"[variables('{name}')]")
        return self._resolve(f"v:{key}", self.variables[key], f"[variables('{name}')]")

    def _resolve(self, key: str, raw: Any, spelled: str) -> Any:
        if key in self._resolving:  # a cycle: Azure rejects it, offline it stays unknown
            return Opaque(spelled)
        self._resolving.add(key)
        try:
            return evaluate(raw, self)
        finally:
            self._resolving.discard(key)


def evaluate(value: Any, context: Context) -> Any:
    """Evaluate every expression inside a JSON value; unknown parts become Opaque."""
    if isinstance(value, str):
        if not is_expression(value):
            return unescape(value)
        try:
            node = _Parser(value[1:-1]).parse()
        except ExpressionSyntaxError:
            return Opaque(value)
        return _eval(node, context)
    if isinstance(value, Mapping):
        return {k: evaluate(v, context) for k, v in value.items()}
    if isinstance(value, list):
        return [evaluate(v, context) for v in value]
    return value


# --- parsing: expr := primary ('.' name | '[' expr ']')* ; primary := string | number | name '(' args ')'


@dataclass(frozen=True)
class _Node:
    kind: str  # str, num, call, prop, index
    value: Any
    args: tuple[Any, ...]
    source: str


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens: list[tuple[str, str, int, int]] = []
        position = 0
        while position < len(text):
            if text[position:].strip() == "":
                break
            match = _TOKEN.match(text, position)
            if not match:
                raise ExpressionSyntaxError(f"unexpected {text[position:]!r}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind), match.start(kind), match.end()))
            position = match.end()
        self.at = 0

    def parse(self) -> _Node:
        node = self._expr()
        if self.at != len(self.tokens):
            raise ExpressionSyntaxError("trailing text")
        return node

    def _peek(self, value: str | None = None) -> bool:
        return self.at < len(self.tokens) and (value is None or self.tokens[self.at][1] == value)

    def _take(self, value: str | None = None) -> tuple[str, str, int, int]:
        if not self._peek(value):
            raise ExpressionSyntaxError(f"expected {value or 'a value'}")
        self.at += 1
        return self.tokens[self.at - 1]

    def _expr(self) -> _Node:
        start = self.tokens[self.at][2] if self._peek() else len(self.text)
        node = self._primary()
        while self._peek(".") or self._peek("["):
            if self._take()[1] == ".":
                name = self._take()
                node = _Node("prop", name[1], (node,), self.text[start:name[3]].strip())
            else:
                index = self._expr()
                end = self._take("]")[3]
                node = _Node("index", None, (node, index), self.text[start:end].strip())
        return node

    def _primary(self) -> _Node:
        kind, value, start, end = self._take()
        if kind == "str":
            return _Node("str", value[1:-1].replace("''", "'"), (), value)
        if kind == "num":
            return _Node("num", float(value) if "." in value else int(value), (), value)
        if kind != "name":
            raise ExpressionSyntaxError(f"unexpected {value!r}")
        self._take("(")
        args = []
        while not self._peek(")"):
            args.append(self._expr())
            if not self._peek(")"):
                self._take(",")
        end = self._take(")")[3]
        return _Node("call", value, tuple(args), self.text[start:end].strip())


# --- evaluation


def _eval(node: _Node, context: Context) -> Any:
    if node.kind in ("str", "num"):
        return node.value
    if node.kind == "prop":
        return _eval_property(node, context)
    if node.kind == "index":
        return _eval_index(node, context)
    name = node.value.lower()
    if name == "parameters" and len(node.args) == 1 and node.args[0].kind == "str":
        return context.parameter(node.args[0].value)
    if name == "variables" and len(node.args) == 1 and node.args[0].kind == "str":
        return context.variable(node.args[0].value)
    if name in _LAZY:
        return _LAZY[name](node, context)
    args = [_eval(arg, context) for arg in node.args]
    if name in _BUILDERS:
        # Builders splice unknown parts as text, so "/"-separated names keep their shape.
        try:
            result = _BUILDERS[name](context, args)
        except (TypeError, ValueError, IndexError):
            return Opaque(f"[{node.source}]")
        return Opaque(result) if any(isinstance(a, Opaque) for a in args) and isinstance(result, str) else result
    if name in _PURE and all(is_known(a) for a in args):
        try:
            return _PURE[name](context, args)
        except (TypeError, ValueError, IndexError, KeyError):
            pass
    return Opaque(f"[{node.source}]")


def _eval_property(node: _Node, context: Context) -> Any:
    """``base.name``: the property of a known object (names compare case-insensitively, as in ARM)."""
    base = _eval(node.args[0], context)
    if isinstance(base, Mapping):
        for key, value in base.items():
            if key.lower() == node.value.lower():
                return value
    return Opaque(f"[{node.source}]")


def _eval_index(node: _Node, context: Context) -> Any:
    """``base[index]``: an item of a known list or a key of a known object."""
    base, index = _eval(node.args[0], context), _eval(node.args[1], context)
    if isinstance(base, list) and isinstance(index, int) and 0 <= index < len(base):
        return base[index]
    if isinstance(base, Mapping) and isinstance(index, str) and not isinstance(index, Opaque) and index in base:
        return base[index]
    return Opaque(f"[{node.source}]")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise TypeError("not text")


def _concat(context: Context, args: list[Any]) -> Any:
    if args and all(isinstance(a, list) for a in args):
        return [item for a in args for item in a]
    return "".join(_text(a) for a in args)


def _format(context: Context, args: list[Any]) -> str:
    template, values = _text(args[0]), args[1:]

    def field(match: re.Match) -> str:
        if match.group(0) in ("{{", "}}"):
            return match.group(0)[0]
        if match.group(2):  # a .NET format specifier ({0:N2}): not worth guessing
            raise ValueError("format specifier")
        return _text(values[int(match.group(1))])

    return re.sub(r"\{\{|\}\}|\{(\d+)(:[^}]*)?\}", field, template)


def _path(types: list[str], names: list[Any]) -> str:
    if len(types) != len(names):
        raise ValueError("resource type and name segments differ")
    return "/".join(f"{t}/{_text(n)}" for t, n in zip(types, names, strict=True))


def _split_type(args: list[Any], before: int) -> tuple[list[Any], str, list[str], list[Any]]:
    """(scope args, namespace, type segments, names) of a *ResourceId call; the type is the first
    argument after `before` optional scope arguments that looks like Namespace/type."""
    for at in range(min(before, len(args) - 1) + 1):
        candidate = args[at]
        if isinstance(candidate, str) and not isinstance(candidate, Opaque) and "/" in candidate \
                and "." in candidate.split("/", 1)[0]:
            namespace, *types = candidate.strip("/").split("/")
            return args[:at], namespace, types, args[at + 1:]
    raise ValueError("no resource type")


def _resource_id(context: Context, args: list[Any]) -> str:
    scope, namespace, types, names = _split_type(args, 2)
    subscription = _text(scope[0]) if len(scope) == 2 else context.subscription_id
    group = _text(scope[-1]) if scope else context.resource_group
    prefix = f"/subscriptions/{subscription}" + (f"/resourceGroups/{group}" if group else "")
    return f"{prefix}/providers/{namespace}/{_path(types, names)}"


def _subscription_resource_id(context: Context, args: list[Any]) -> str:
    scope, namespace, types, names = _split_type(args, 1)
    subscription = _text(scope[0]) if scope else context.subscription_id
    return f"/subscriptions/{subscription}/providers/{namespace}/{_path(types, names)}"


def _tenant_resource_id(context: Context, args: list[Any]) -> str:
    _, namespace, types, names = _split_type(args, 0)
    return f"/providers/{namespace}/{_path(types, names)}"


def _extension_resource_id(context: Context, args: list[Any]) -> str:
    _, namespace, types, names = _split_type(args[1:], 0)
    return f"{_text(args[0]).rstrip('/')}/providers/{namespace}/{_path(types, names)}"


def _same_case(function: Callable[[str], str]) -> Callable[[Context, list[Any]], str]:
    return lambda context, args: function(_text(args[0]))


_BUILDERS: dict[str, Callable[[Context, list[Any]], Any]] = {
    "concat": _concat,
    "format": _format,
    "resourceid": _resource_id,
    "subscriptionresourceid": _subscription_resource_id,
    "tenantresourceid": _tenant_resource_id,
    "extensionresourceid": _extension_resource_id,
}


def _subscription(context: Context, args: list[Any]) -> dict[str, str]:
    return {"id": f"/subscriptions/{context.subscription_id}", "subscriptionId": context.subscription_id}


def _resource_group(context: Context, args: list[Any]) -> dict[str, str]:
    if context.resource_group is None:
        raise ValueError("no resource group at this scope")
    group = {"id": f"/subscriptions/{context.subscription_id}/resourceGroups/{context.resource_group}",
             "name": context.resource_group}
    if context.location is not None:  # otherwise resourceGroup().location stays unknown
        group["location"] = context.location
    return group


def _boolean(value: Any) -> bool:
    # ARM reads "True"/"false" given as strings (parameter files written by hand) as booleans.
    if isinstance(value, str) and not isinstance(value, Opaque) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise TypeError("not a boolean")
    return value


def _unknown(node: _Node) -> Opaque:
    return Opaque(f"[{node.source}]")


def _lazy_if(node: _Node, context: Context) -> Any:
    """if(c, a, b): only the branch taken needs to be known."""
    if len(node.args) != 3:
        return _unknown(node)
    condition = _eval(node.args[0], context)
    try:
        chosen = node.args[1] if _boolean(condition) else node.args[2]
    except TypeError:
        return _unknown(node)
    return _eval(chosen, context)


def _lazy_logic(node: _Node, context: Context) -> Any:
    """and/or stop at the first argument that settles them, so an unknown after it does not matter."""
    settles = node.value.lower() == "or"
    unknown = False
    for arg in node.args:
        value = _eval(arg, context)
        try:
            if _boolean(value) is settles:
                return settles
        except TypeError:
            unknown = True
    return _unknown(node) if unknown else not settles


def _lazy_coalesce(node: _Node, context: Context) -> Any:
    """The first argument that is not null; unknown when an unknown argument comes before it."""
    for arg in node.args:
        value = _eval(arg, context)
        if isinstance(value, Opaque):
            return _unknown(node)
        if value is not None:
            return value
    return None


def _lazy_try_get(node: _Node, context: Context) -> Any:
    """tryGet(object, key...): null where a key is missing, as Bicep's `?.` compiles to."""
    if not node.args:
        return _unknown(node)
    value = _eval(node.args[0], context)
    for arg in node.args[1:]:
        key = _eval(arg, context)
        if value is None:
            return None
        if isinstance(value, Opaque) or isinstance(key, Opaque):
            return _unknown(node)
        if isinstance(value, Mapping) and isinstance(key, str):
            value = next((v for k, v in value.items() if k.lower() == key.lower()), None)
        elif isinstance(value, list) and isinstance(key, int):
            value = value[key] if 0 <= key < len(value) else None
        else:
            return None
    return value


def _lazy_copy_index(node: _Node, context: Context) -> Any:
    """copyIndex(), copyIndex(offset), copyIndex('loop'), copyIndex('loop', offset) while a loop is expanded."""
    args = [_eval(arg, context) for arg in node.args]
    loop = args.pop(0) if args and isinstance(args[0], str) and not isinstance(args[0], Opaque) else ""
    offset = args[0] if args else 0
    index = context.copy_index.get(str(loop).lower())
    if index is None or not isinstance(offset, int) or isinstance(offset, bool):
        return _unknown(node)
    return index + offset


_LAZY: dict[str, Callable[[_Node, Context], Any]] = {
    "if": _lazy_if, "and": _lazy_logic, "or": _lazy_logic, "coalesce": _lazy_coalesce,
    "tryget": _lazy_try_get, "copyindex": _lazy_copy_index,
}

# environment() in Azure's public cloud (AzureCloud), the values templates build endpoints and DNS names from.
PUBLIC_CLOUD = {
    "name": "AzureCloud",
    "gallery": "https://gallery.azure.com/",
    "graph": "https://graph.windows.net/",
    "portal": "https://portal.azure.com",
    "graphAudience": "https://graph.windows.net/",
    "activeDirectoryDataLake": "https://datalake.azure.net/",
    "batch": "https://batch.core.windows.net/",
    "media": "https://rest.media.azure.net",
    "sqlManagement": "https://management.core.windows.net:8443/",
    "vmImageAliasDoc": "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/main/arm-compute/quickstart-templates/aliases.json",
    "resourceManager": "https://management.azure.com/",
    "authentication": {"loginEndpoint": "https://login.microsoftonline.com/",
                       "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
                       "tenant": "common", "identityProvider": "AAD"},
    "suffixes": {"acrLoginServer": ".azurecr.io", "azureDatalakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
                 "azureDatalakeStoreFileSystem": "azuredatalakestore.net", "azureFrontDoorEndpointSuffix": "azurefd.net",
                 "keyvaultDns": ".vault.azure.net", "sqlServerHostname": ".database.windows.net",
                 "storage": "core.windows.net"},
}


def _length(value: Any) -> int:
    if isinstance(value, (str, list, Mapping)):
        return len(value)
    raise TypeError("no length")


def _empty(value: Any) -> bool:
    return value is None or _length(value) == 0


def _contains(container: Any, item: Any) -> bool:
    if isinstance(container, str):
        return _text(item) in container
    if isinstance(container, Mapping):
        return any(k.lower() == str(item).lower() for k in container)
    if isinstance(container, list):
        return item in container
    raise TypeError("not a container")


def _union(args: list[Any]) -> Any:
    if all(isinstance(a, Mapping) for a in args):
        merged: dict[str, Any] = {}
        for a in args:
            merged.update(a)
        return merged
    if all(isinstance(a, list) for a in args):
        out: list[Any] = []
        for a in args:
            out.extend(x for x in a if x not in out)
        return out
    raise TypeError("union of different kinds")


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError("not an integer")
    return int(value)


def _deployment(context: Context, args: list[Any]) -> dict[str, Any]:
    if context.location is None:
        raise ValueError("deployment location unknown")
    return {"name": "template", "location": context.location, "properties": {}}


_PURE: dict[str, Callable[[Context, list[Any]], Any]] = {
    "tolower": _same_case(str.lower),
    "toupper": _same_case(str.upper),
    "string": lambda context, args: args[0] if isinstance(args[0], str) else json.dumps(args[0]),
    "json": lambda context, args: json.loads(args[0]),
    "true": lambda context, args: True,
    "false": lambda context, args: False,
    "equals": lambda context, args: args[0] == args[1],
    "not": lambda context, args: not _boolean(args[0]),
    "bool": lambda context, args: _boolean(args[0]) if isinstance(args[0], (str, bool)) else bool(_int(args[0])),
    "int": lambda context, args: _int(args[0]),
    "null": lambda context, args: None,
    "empty": lambda context, args: _empty(args[0]),
    "length": lambda context, args: _length(args[0]),
    "contains": lambda context, args: _contains(args[0], args[1]),
    "union": lambda context, args: _union(args),
    "createarray": lambda context, args: list(args),
    "array": lambda context, args: args[0] if isinstance(args[0], list) else [args[0]],
    "createobject": lambda context, args: {_text(args[i]): args[i + 1] for i in range(0, len(args) - 1, 2)},
    "first": lambda context, args: args[0][0] if args[0] else None,
    "last": lambda context, args: args[0][-1] if args[0] else None,
    "startswith": lambda context, args: _text(args[0]).lower().startswith(_text(args[1]).lower()),
    "endswith": lambda context, args: _text(args[0]).lower().endswith(_text(args[1]).lower()),
    "replace": lambda context, args: _text(args[0]).replace(_text(args[1]), _text(args[2])),
    "split": lambda context, args: _text(args[0]).split(_text(args[1])),
    "trim": lambda context, args: _text(args[0]).strip(),
    "greater": lambda context, args: args[0] > args[1],
    "less": lambda context, args: args[0] < args[1],
    "greaterorequals": lambda context, args: args[0] >= args[1],
    "lessorequals": lambda context, args: args[0] <= args[1],
    "add": lambda context, args: _int(args[0]) + _int(args[1]),
    "sub": lambda context, args: _int(args[0]) - _int(args[1]),
    "mul": lambda context, args: _int(args[0]) * _int(args[1]),
    "environment": lambda context, args: PUBLIC_CLOUD,
    "deployment": _deployment,
    "subscription": _subscription,
    "resourcegroup": _resource_group,
}
