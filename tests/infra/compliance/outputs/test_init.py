"""AuditMeta and the format dispatcher."""

from __future__ import annotations

import pytest

from infra.compliance import outputs
from infra.compliance.outputs import AuditMeta


def test_generated_at_must_be_a_zoned_iso_timestamp():
    with pytest.raises(ValueError, match="needs a time zone"):
        AuditMeta(source="s", generated_at="2026-03-01T12:00:00", tool_version="0.1.0")
    with pytest.raises(ValueError, match="not an ISO 8601 timestamp"):
        AuditMeta(source="s", generated_at="yesterday", tool_version="0.1.0")


def test_generated_utc_normalises_offsets():
    meta = AuditMeta(source="s", generated_at="2026-03-01T07:00:00-05:00", tool_version="0.1.0")
    assert meta.generated_utc == "2026-03-01T12:00:00Z"


@pytest.mark.parametrize("fmt", outputs.FORMATS)
def test_every_format_renders_deterministically(fmt, sample):
    first = outputs.render(fmt, sample.result, sample.controls, sample.meta)
    assert first == outputs.render(fmt, sample.result, sample.controls, sample.meta)
    assert first.endswith("\n")


def test_unknown_format(sample):
    with pytest.raises(ValueError, match="unknown report format 'pdf'"):
        outputs.render("pdf", sample.result, sample.controls, sample.meta)
