"""Default tags on every resource that accepts them, merged under the resource's own tags."""

from __future__ import annotations

import inspect
from typing import Mapping

import pulumi


def register_default_tags(tags: Mapping[str, str]) -> None:
    """Add `tags` to every taggable resource registered after this call in the stack.

    A stack transformation rather than `tags=` on each call: a resource someone adds
    later cannot miss the four HIPAA tags, and a test proves every taggable one has them.
    """
    defaults = dict(tags)

    def add_tags(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        if not accepts_tags(type(args.resource)):
            return None
        own = args.props.get("tags") or {}
        if not isinstance(own, Mapping):  # an Output or awaitable of tags cannot be merged while registering
            raise TypeError(f"{args.name}: tags must be a mapping for the default tags to be merged under them")
        return pulumi.ResourceTransformationResult({**args.props, "tags": {**defaults, **own}}, args.opts)

    pulumi.runtime.register_stack_transformation(add_tags)


_TAGGABLE: dict[type, bool] = {}
"""accepts_tags' answer per class: reading a signature for each resource registered is slow."""


def accepts_tags(resource_class: type) -> bool:
    """True when the azure-native resource class has a `tags` input."""
    if resource_class not in _TAGGABLE:
        _TAGGABLE[resource_class] = _has_tags_input(resource_class)
    return _TAGGABLE[resource_class]


def _has_tags_input(resource_class: type) -> bool:
    init = getattr(resource_class, "_internal_init", None)
    if init is None or not issubclass(resource_class, pulumi.CustomResource):
        return False
    return "tags" in inspect.signature(init).parameters
