"""Addresses for generated machines and devices, numbered per network segment."""

from __future__ import annotations

from migrate.estate.blueprint import DEVICE_NETWORKS, SEGMENTS


class Addresses:
    """Hands out the next free address of a segment (servers) or device network, from .10 of each /24."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def segment(self, key: str) -> str:
        segment = SEGMENTS[key]
        index = self._next.get(key, 0)
        self._next[key] = index + 1
        third, fourth = segment.start + index // 240, 10 + index % 240
        if third > 255:
            raise ValueError(f"segment {segment.port_group} is full")
        return f"{segment.network[0]}.{segment.network[1]}.{third}.{fourth}"

    def device(self, kind: str) -> str:
        a, b, c = DEVICE_NETWORKS[kind]
        index = self._next.get(kind, 0)
        self._next[kind] = index + 1
        return f"{a}.{b}.{c + index // 240}.{10 + index % 240}"
