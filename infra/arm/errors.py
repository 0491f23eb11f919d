"""The error of the ARM translation."""

from __future__ import annotations

from infra.errors import CareliftError


class ArmTranslationError(CareliftError):
    """A rendered resource that cannot be expressed as an ARM document."""

    def __init__(self, urn: str, key: str, problem: str):
        self.urn, self.key, self.problem = urn, key, problem
        super().__init__(f"{urn}: {key}: {problem}")

