"""The YAML form of carelift's own inventory format (the schema is in `generic`).

Read through PyYAML's composer rather than `safe_load`, so every problem names the line of the
offending value: `row` is the line number, `column` the key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from infra.inputs import read_input_bytes
from migrate.inventory.formats import Format
from migrate.inventory.importers import fields, generic
from migrate.inventory.importers.registry import IMPORTERS, YAML, Sample, without_strict
from migrate.inventory.importers.tabular import Row, to_text
from migrate.inventory.model import APPLICATION_TYPES, Application, ParsedFile, Problem, Server
from migrate.inventory.tables.problems import Problems
from migrate.inventory.tables.text import decode, kind_message, kind_of

FORMAT = "yaml"
SERVER_KEYS = set(generic.FIELDS) | {"tags"}
APPLICATION_KEYS = {"name", "type", "vendor", "criticality", "servers"}
MAX_BYTES = 256 * 1024 * 1024


class _Entry(Row):
    """One mapping of the YAML file, read through the same typed accessors as a CSV row."""

    __slots__ = ("values", "lines", "file", "line")

    def __init__(self, values: dict[str, Any], lines: dict[str, int], line: int, file: str, problems: Problems):
        self.values, self.lines, self.line, self.file = values, lines, line, file
        self.problems = problems
        self.ok = True
        self.number = line

    def has(self, field: str) -> bool:
        return field in self.values

    def raw(self, field: str) -> Any:
        return self.values.get(field)

    def problem(self, field: str | None, message: str) -> None:
        self.ok = False
        self.problems.add(Problem(self.file, message, row=self.lines.get(field, self.line) if field else self.line,
                                  column=field))


def parse(path: Path, display: str | None = None) -> ParsedFile:
    display = display or str(path)
    problems = Problems()
    kind = kind_of(path)
    if kind != "text":
        problems.add(Problem(display, "is an Excel workbook, not a YAML file" if kind == "xlsx" else kind_message(kind)))
        raise problems.error()
    try:
        data = read_input_bytes(path, MAX_BYTES)
        if len(data) > MAX_BYTES:
            raise ValueError(f"is larger than {MAX_BYTES // (1024 * 1024)} MB")
        root = yaml.compose(decode(data), Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problems.add(Problem(display, f"is not valid YAML: {getattr(error, 'problem', None) or error}",
                             row=mark.line + 1 if mark else None))
        raise problems.error() from None
    except (ValueError, OSError) as error:
        problems.add(Problem(display, f"cannot be read: {error}"))
        raise problems.error() from None
    if not isinstance(root, MappingNode):
        problems.add(Problem(display, "expected a mapping with a 'servers:' list at the top", row=_line(root)))
        raise problems.error()
    top, lines = _mapping(root, display, problems, construct=False)
    for key in sorted(set(top) - {"servers", "applications", "version"}):
        problems.add(Problem(display, f"unknown top-level key {key!r} (expected servers, applications)",
                             row=lines[key], column=key))
    dropped: set[str] = set()
    servers = _servers(top.get("servers"), lines.get("servers", 1), display, problems, dropped)
    declared = _applications(top.get("applications"), display, problems)
    servers, applications = generic.with_applications(servers, declared, problems, display)
    problems.raise_if_any()
    warnings = tuple(f"tag {key[:80]!r} looks like a credential: dropped, not stored (rename it if it is not one)"
                     for key in sorted(dropped))
    return ParsedFile(path=display, format=FORMAT, servers=tuple(servers), applications=applications,
                      warnings=warnings)


def _servers(node: Node | None, line: int, file: str, problems: Problems, dropped: set[str]) -> list[Server]:
    if not isinstance(node, SequenceNode):
        problems.add(Problem(file, "expected 'servers:' with a list of servers", row=line, column="servers"))
        return []
    servers: list[Server] = []
    seen = fields.Duplicates()
    for item in node.value:
        entry = _entry(item, SERVER_KEYS, "server", file, problems)
        if entry is None:
            continue
        tags = _tags(entry)
        dropped.update(key for key, _ in tags if fields.is_credential_header(key))
        tags = tuple((key, value) for key, value in tags if not fields.is_credential_header(key))
        server = generic.server_from(entry, tags, "yaml")
        if server is not None:
            fields.add_unique(servers, server, entry, seen, unit="line")
    return servers


def _applications(node: Node | None, file: str, problems: Problems) -> list[tuple[Application, int]]:
    if node is None:
        return []
    if not isinstance(node, SequenceNode):
        problems.add(Problem(file, "expected 'applications:' to be a list", row=_line(node), column="applications"))
        return []
    found: list[tuple[Application, int]] = []
    names = fields.Duplicates()
    for item in node.value:
        entry = _entry(item, APPLICATION_KEYS, "application", file, problems)
        if entry is None:
            continue
        name = entry.text("name", required=True, limit=200)
        kind = (entry.text("type") or "other").casefold()
        if kind not in APPLICATION_TYPES:
            entry.problem("type", f"unknown application type {kind[:40]!r} (expected one of "
                                  f"{', '.join(APPLICATION_TYPES)})")
        try:
            criticality = fields.tier(entry.raw("criticality"))
        except ValueError as error:
            entry.problem("criticality", str(error))
            criticality = None
        members = entry.raw("servers") or []
        if not isinstance(members, list) or any(isinstance(m, (list, dict)) for m in members):
            entry.problem("servers", "expected a list of server names")
            members = []
        if name and names.seen(name, entry.line) is not None:
            entry.problem("name", f"application {name!r} is described twice")
        if name and entry.ok:
            servers = tuple(dict.fromkeys(t for m in members if (t := to_text(m))))
            found.append((Application(name=name, type=kind, vendor=entry.text("vendor"), criticality=criticality,
                                      servers=servers), entry.line))
    return found


def _entry(node: Node, keys: set[str], what: str, file: str, problems: Problems) -> _Entry | None:
    if not isinstance(node, MappingNode):
        problems.add(Problem(file, f"each {what} must be a mapping of fields", row=_line(node)))
        return None
    values, lines = _mapping(node, file, problems)
    entry = _Entry(values, lines, _line(node), file, problems)
    for key in sorted(set(values) - keys):
        entry.problem(key, f"unknown {what} field {key!r}")
        del values[key]
    return entry


def _mapping(node: MappingNode, file: str, problems: Problems, *,
             construct: bool = True) -> tuple[dict[str, Any], dict[str, int]]:
    """A mapping node's keys → values (scalars and lists constructed, nested mappings as dicts), or
    → value nodes when not `construct`.

    `<<: *defaults` merge keys are resolved here, by key, a few levels deep at most: PyYAML's own
    flattening copies merged entries and a chain of merges grows exponentially (a YAML bomb).
    """
    constructor = SafeConstructor()
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    own, merged = _pairs(node, file, problems, depth=0, visited={id(node)})
    for origin, pairs in (("own", own), ("merged", merged)):
        for key_node, value_node in pairs:
            key = to_text(_scalar(constructor, key_node)) if isinstance(key_node, ScalarNode) else None
            if key is None:
                problems.add(Problem(file, "keys must be plain text", row=_line(key_node)))
                continue
            if key in values:
                if origin == "own":
                    problems.add(Problem(file, f"key {key!r} is given twice", row=_line(key_node), column=key))
                continue
            lines[key] = _line(value_node)
            values[key] = _value(constructor, value_node, depth=0) if construct else value_node
    return values, lines


MERGE_TAG = "tag:yaml.org,2002:merge"
MAX_MERGE_DEPTH = 4


def _pairs(node: MappingNode, file: str, problems: Problems, depth: int, visited: set[int]) -> tuple[list, list]:
    """(the mapping's own key/value nodes, those it merges in), merge keys resolved; a mapping merged
    twice is read once (its keys would lose to the first copy anyway)."""
    own, merged = [], []
    for key_node, value_node in node.value:
        if key_node.tag != MERGE_TAG:
            own.append((key_node, value_node))
            continue
        sources = [value_node] if isinstance(value_node, MappingNode) else \
            value_node.value if isinstance(value_node, SequenceNode) else None
        if sources is None or not all(isinstance(source, MappingNode) for source in sources):
            problems.add(Problem(file, "a merge key (<<) needs a mapping or a list of mappings",
                                 row=_line(value_node)))
            continue
        if depth >= MAX_MERGE_DEPTH:
            problems.add(Problem(file, f"merge keys (<<) nested more than {MAX_MERGE_DEPTH} deep",
                                 row=_line(value_node)))
            continue
        for source in sources:
            if id(source) in visited:
                continue
            visited.add(id(source))
            inner_own, inner_merged = _pairs(source, file, problems, depth + 1, visited)
            merged.extend(inner_own + inner_merged)
    return own, merged


def _value(constructor: SafeConstructor, node: Node, depth: int) -> Any:
    if isinstance(node, ScalarNode):
        return _scalar(constructor, node)
    if depth >= 2:  # servers need at most disks → [mapping]; deeper structures are rejected, not walked
        return [[]]
    if isinstance(node, SequenceNode):
        return [_value(constructor, item, depth + 1) for item in node.value]
    if isinstance(node, MappingNode):
        return {to_text(_scalar(constructor, k)) if isinstance(k, ScalarNode) else "?": _value(constructor, v, depth + 1)
                for k, v in node.value}
    return None


def _scalar(constructor: SafeConstructor, node: ScalarNode) -> Any:
    try:
        return constructor.construct_object(node)
    except (ConstructorError, ValueError, OverflowError):
        return node.value


def _line(node: Node | None) -> int:
    return node.start_mark.line + 1 if node is not None and node.start_mark is not None else 1


def _tags(entry: _Entry) -> tuple[tuple[str, str], ...]:
    raw = entry.values.pop("tags", None)
    if raw is None:
        return ()
    if not isinstance(raw, dict) or any(isinstance(v, (list, dict)) for v in raw.values()):
        entry.problem("tags", "expected a mapping of tag names to plain values")
        return ()
    return tuple(sorted((str(k)[:200], text[:1024]) for k, v in raw.items() if (text := to_text(v))))


def sniff(sample: Sample) -> float:
    """A text file named `.yaml`/`.yml`, or whose first line is `---`, `servers:` or `applications:`."""
    if sample.kind != "text":
        return 0.0
    if sample.path.suffix.casefold() in (".yaml", ".yml"):
        return YAML
    first = sample.first_line
    return YAML if first == "---" or first.startswith(("servers:", "applications:")) else 0.0


IMPORTER = IMPORTERS.register(Format(
    name=FORMAT, order=5, called="carelift's YAML", parse=without_strict(parse), sniff=sniff,
    description="carelift's generic YAML (servers:, applications:)"))
