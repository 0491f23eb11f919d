"""The values Azure computes, kept apart from configuration: what a GET holds beyond the PUT, and
putting it back (the exported template keeps them under a resource's ``metadata.carelift.readOnly``)."""

from __future__ import annotations

from typing import Any, Mapping

# Where a template resource keeps the values Azure computes (see `export_template`).
READ_ONLY_METADATA = ("carelift", "readOnly")


def read_only_part(document: Mapping[str, Any], sent: Mapping[str, Any]) -> dict[str, Any]:
    """What `document` (a GET) holds beyond `sent` (the PUT), in the document's own nesting.

    List items are compared by position (``[{}, {"properties": {...}}]``): both come from the
    same inputs in the same order. ``merge_read_only(sent, part) == document``.
    """
    return _difference(document, sent) or {}


def _difference(full: Any, sent: Any) -> Any:
    if isinstance(full, Mapping) and isinstance(sent, Mapping):
        out = {}
        for key, value in full.items():
            if key not in sent:
                out[key] = value
            else:
                inner = _difference(value, sent[key])
                if inner is not None:
                    out[key] = inner
        return out or None
    if isinstance(full, list) and isinstance(sent, list) and len(full) == len(sent):
        items = [_difference(a, b) for a, b in zip(full, sent, strict=True)]
        return [item if item is not None else {} for item in items] if any(i is not None for i in items) else None
    return None if full == sent and type(full) is type(sent) else full


def merge_read_only(document: Mapping[str, Any], part: Any) -> Any:
    """`document` with a `read_only_part` put back."""
    if isinstance(document, Mapping) and isinstance(part, Mapping):
        merged = dict(document)
        for key, value in part.items():
            merged[key] = merge_read_only(document[key], value) if key in document else value
        return merged
    if isinstance(document, list) and isinstance(part, list) and len(document) == len(part):
        return [merge_read_only(a, b) for a, b in zip(document, part, strict=True)]
    return part
