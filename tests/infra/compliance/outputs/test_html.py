"""HTML report: self-contained, grouped by HIPAA safeguard, failed first, waivers explained, escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from infra.compliance.model import SAFEGUARDS
from infra.compliance.outputs import html
from tests.infra.compliance.arm import resource
from tests.infra.compliance.outputs.conftest import make_sample


class Collector(HTMLParser):
    """Tags, attributes and text of the page, checking that every opened element is closed."""

    VOID = {"meta", "br", "img", "input", "link", "hr"}

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1] if self.open else None}>"
        self.open.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> Collector:
    collector = Collector()
    collector.feed(page)
    collector.close()
    assert collector.open == []
    return collector


def render(sample) -> str:
    return html.render(sample.result, sample.controls, sample.meta)


def test_self_contained(sample):
    page = parse(render(sample))
    tags = [tag for tag, _ in page.tags]
    assert "script" not in tags and "link" not in tags and "img" not in tags and "iframe" not in tags
    assert tags.count("style") == 1
    for _, attrs in page.tags:
        for name in ("href", "src"):
            assert not attrs.get(name) or attrs[name].startswith("#"), attrs


def test_grouped_by_safeguard_with_cross_references(sample):
    page = render(sample)
    headings = re.findall(r'<h2 id="[^"]+">([^<]+)</h2>', page)
    # Safeguard order follows 45 CFR (164.308, 164.310, 164.312); each control sits under its first citation.
    assert headings == [SAFEGUARDS["164.308"], SAFEGUARDS["164.310"], SAFEGUARDS["164.312"]]
    sections = dict(zip(headings, re.split(r"<h2 id=", page)[1:]))
    assert 'id="cl-kv-001"' in sections[SAFEGUARDS["164.308"]]
    assert 'id="cl-tst-001"' in sections[SAFEGUARDS["164.310"]]
    technical = sections[SAFEGUARDS["164.312"]]
    assert 'id="cl-kv-007"' in technical and 'id="cl-tst-002"' in technical
    assert '<a href="#cl-kv-001">CL-KV-001</a>' in technical  # cited by 164.312(c)(1) too


def test_summary_and_metadata(sample):
    text = " ".join(" ".join(parse(render(sample)).text).split())
    assert "Source: stack test (offline render) · generated 2026-03-01T12:00:00Z by carelift 0.1.0" in text
    assert "4 controls 6 resources 4 failed 1 waived 3 passed 0 manual 0 errors" in text


def test_failed_first_then_waived_with_details_then_passed(sample):
    page = render(sample)
    purge = page[page.index('id="cl-kv-001"'):page.index("</section>", page.index('id="cl-kv-001"'))]
    assert purge.index("kv-bad") < purge.index("kv-lab-01") < purge.index("kv-good")
    assert "<strong>Waiver (mitigated)</strong>: Synthetic data only (RR-112)." in purge
    assert "approved by jane.doe@riverbend.example, expires 2026-06-30" in purge
    assert "<summary>1 passed</summary>" in purge
    # Controls with failures come before those that pass within a safeguard.
    technical = page[page.index(SAFEGUARDS["164.312"] + "</h2>"):]
    assert technical.index('id="cl-kv-007"') < technical.index('id="cl-tst-002"')
    assert "Not applicable: no resource of these types was evaluated." in technical


def test_values_are_escaped():
    hostile = resource("Microsoft.Storage/storageAccounts", "placeholder", {})
    hostile["name"] = "<script>alert(1)</script>"
    hostile["id"] = hostile["id"].replace("placeholder", hostile["name"])
    page = render(make_sample([hostile]))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "script" not in [tag for tag, _ in parse(page).tags]
