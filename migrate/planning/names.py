"""Names in plan settings: every list of names accepts server names and application names.

A migration lead thinks in applications ("the interface engine", "Epic"), the inventory in
servers; a settings list (`shared_services.servers`, `shared_services.exclude`, `hubs`,
`allow_in_foundation`, an affinity) may mix both. `NameResolver.servers` turns such a list into
server names: a server name matches that server, an application name every server of the
application, case-insensitively; a name that is both means both.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Mapping, Sequence


class NameResolver:
    def __init__(self, servers: Iterable[str], applications_of: Mapping[str, Sequence[str]]):
        """`servers`: server names; `applications_of`: server name -> its applications."""
        self.by_server: dict[str, str] = {}
        for name in servers:
            self.by_server.setdefault(name.lower(), name)
        self.by_application: dict[str, list[str]] = defaultdict(list)
        for name, apps in applications_of.items():
            for app in apps:
                self.by_application[app.lower()].append(name)

    def resolve(self, name: str) -> tuple[str, ...]:
        """The servers a name stands for (itself, or every server of the application), sorted."""
        key = name.strip().lower()
        found = set(self.by_application.get(key, ()))
        if key in self.by_server:
            found.add(self.by_server[key])
        return tuple(sorted(found, key=lambda s: (s.lower(), s)))

    def servers(self, names: Iterable[str]) -> set[str]:
        return {server for name in names for server in self.resolve(name)}

    def unknown(self, names: Iterable[str]) -> list[str]:
        """The names that match neither a server nor an application."""
        return [name for name in names if not self.resolve(name)]
