"""Evidence bundle: complete, verifiable with sha256sum, atomic, never over older evidence."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess

import pytest

from infra.compliance.outputs import evidence
from infra.compliance.outputs.evidence import EvidenceError, write_evidence

REPORTS = {"report.sarif": '{"version": "2.1.0"}\n', "report.html": "<!DOCTYPE html><p>é</p>\n"}


def write(sample, directory, reports=REPORTS):
    return write_evidence(directory, sample.documents, sample.result, reports, sample.meta)


def test_bundle_contents(sample, tmp_path):
    target = tmp_path / "evidence"
    digests = write(sample, target)
    assert sorted(os.listdir(target)) == ["MANIFEST.sha256", "documents.json", "report.html", "report.sarif",
                                          "results.json"]
    assert sorted(digests) == ["documents.json", "report.html", "report.sarif", "results.json"]
    documents = json.loads((target / "documents.json").read_text(encoding="utf-8"))
    assert documents["source"] == "stack test (offline render)" and documents["generatedAt"] == "2026-03-01T12:00:00Z"
    assert [d["id"].rsplit("/", 1)[-1] for d in documents["documents"]] == [
        "kv-bad", "kv-good", "to-law", "kv-lab-01", "stbad", "stgood"]
    assert json.loads((target / "results.json").read_text(encoding="utf-8"))["summary"]["failed"] == 4
    assert (target / "report.html").read_text(encoding="utf-8") == REPORTS["report.html"]


def test_manifest_verifies_with_sha256sum(sample, tmp_path):
    target = tmp_path / "evidence"
    digests = write(sample, target)
    manifest = (target / "MANIFEST.sha256").read_text(encoding="utf-8").splitlines()
    assert manifest == [f"{digest}  {name}" for name, digest in sorted(digests.items())]
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "--check", "--strict", "--quiet", "MANIFEST.sha256"], cwd=target, check=True)
    (target / "results.json").write_text("{}", encoding="utf-8")
    if shutil.which("sha256sum"):
        assert subprocess.run(["sha256sum", "--check", "--quiet", "MANIFEST.sha256"], cwd=target,
                              capture_output=True).returncode != 0


def test_same_inputs_same_bytes(sample, tmp_path):
    write(sample, tmp_path / "a")
    write(sample, tmp_path / "b")
    for name in os.listdir(tmp_path / "a"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_an_empty_existing_directory_is_used(sample, tmp_path):
    target = tmp_path / "evidence"
    target.mkdir()
    write(sample, target)
    assert (target / "MANIFEST.sha256").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["evidence"]


def test_refuses_a_non_empty_directory_or_a_file(sample, tmp_path):
    target = tmp_path / "evidence"
    target.mkdir()
    (target / "old.json").write_text("{}", encoding="utf-8")
    with pytest.raises(EvidenceError, match="already exists and is not an empty directory") as caught:
        write(sample, target)
    assert caught.value.directory == target
    assert os.listdir(target) == ["old.json"]
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(EvidenceError):
        write(sample, tmp_path / "file")


def test_report_names_cannot_escape_or_clash(sample, tmp_path):
    for name in ("../x.json", "results.json", "MANIFEST.sha256", ".hidden", "a/b.txt"):
        with pytest.raises(EvidenceError, match="must be a plain file name"):
            write(sample, tmp_path / "evidence", {name: "x"})
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_nothing_behind(sample, tmp_path, monkeypatch):
    real_replace = os.replace

    def broken_replace(source, destination):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(evidence.os, "replace", broken_replace)
    with pytest.raises(EvidenceError, match="cannot write the bundle: No space left on device"):
        write(sample, tmp_path / "evidence")
    monkeypatch.setattr(evidence.os, "replace", real_replace)
    assert list(tmp_path.iterdir()) == []


def test_creates_missing_parents(sample, tmp_path):
    write(sample, tmp_path / "audits" / "2026-03" / "prod")
    assert (tmp_path / "audits" / "2026-03" / "prod" / "MANIFEST.sha256").is_file()


def test_created_0700_with_files_0600_whatever_the_umask(sample, tmp_path):
    old = os.umask(0)
    try:
        write(sample, tmp_path / "evidence")
    finally:
        os.umask(old)
    assert os.stat(tmp_path / "evidence").st_mode & 0o777 == 0o700
    assert {os.stat(p).st_mode & 0o777 for p in (tmp_path / "evidence").iterdir()} == {0o600}


def test_a_symlink_is_refused_saying_it_is_one(sample, tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "evidence").symlink_to(tmp_path / "real")
    with pytest.raises(EvidenceError, match="is a symbolic link"):
        write(sample, tmp_path / "evidence")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    with pytest.raises(EvidenceError, match="is a symbolic link"):
        write(sample, tmp_path / "dangling")
    assert list((tmp_path / "real").iterdir()) == [] and not (tmp_path / "nowhere").exists()


def test_the_audited_input_and_the_waivers_are_bundled_and_hashed(sample, tmp_path):
    from infra.compliance.outputs.evidence import EvidenceInput

    template, waivers = b'{"resources": []}\n', b"- control: CL-KV-001\n"
    inputs = [EvidenceInput("input", "/srv/audit/prod.arm.json", template),
              EvidenceInput("waivers", "waivers.YAML", waivers)]
    digests = write_evidence(tmp_path / "evidence", sample.documents, sample.result, REPORTS, sample.meta,
                             inputs=inputs)
    assert (tmp_path / "evidence" / "input.json").read_bytes() == template
    assert (tmp_path / "evidence" / "waivers.yaml").read_bytes() == waivers
    assert digests["input.json"] == hashlib.sha256(template).hexdigest()
    recorded = json.loads((tmp_path / "evidence" / "inputs.json").read_text(encoding="utf-8"))["inputs"]
    assert recorded == [
        {"role": "input", "path": "/srv/audit/prod.arm.json", "file": "input.json", "bytes": len(template),
         "sha256": hashlib.sha256(template).hexdigest()},
        {"role": "waivers", "path": "waivers.YAML", "file": "waivers.yaml", "bytes": len(waivers),
         "sha256": hashlib.sha256(waivers).hexdigest()}]
    manifest = (tmp_path / "evidence" / "MANIFEST.sha256").read_text(encoding="utf-8")
    assert f"{hashlib.sha256(waivers).hexdigest()}  waivers.yaml\n" in manifest
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "--check", "--strict", "--quiet", "MANIFEST.sha256"], cwd=tmp_path / "evidence",
                       check=True)
