"""Evidence bundle: the evaluated documents, the results, the reports and a SHA-256 manifest.

``write_evidence(directory, documents, result, reports, meta)`` writes

- ``documents.json``: the ARM documents that were evaluated (sorted by id),
- ``results.json``: the JSON report (summary and every finding),
- each report given (``{"report.sarif": text, ...}``),
- ``MANIFEST.sha256``: ``<sha256>  <filename>`` per file, sorted, so ``sha256sum -c MANIFEST.sha256``
  verifies the bundle.

The bundle appears whole or not at all: files are written into a temporary directory beside
the target, flushed, then renamed into place. An existing non-empty directory is refused
rather than mixed with older evidence.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from infra.compliance.outputs import TOOL_NAME, AuditMeta
from infra.compliance.outputs import json as json_report

if TYPE_CHECKING:
    from infra.compliance.engine import AuditResult

MANIFEST = "MANIFEST.sha256"
DOCUMENTS = "documents.json"
RESULTS = "results.json"
RESERVED = (DOCUMENTS, RESULTS, MANIFEST)


class EvidenceError(Exception):
    """The bundle could not be written; nothing was left at `directory`."""

    def __init__(self, directory: Path | str, message: str):
        self.directory = Path(directory)
        super().__init__(f"{self.directory}: {message}")


def bundle_files(documents: Iterable[Mapping[str, Any]], result: AuditResult, reports: Mapping[str, str],
                 meta: AuditMeta) -> dict[str, bytes]:
    """Every file of the bundle (manifest included) by name: the pure part of `write_evidence`."""
    for name in reports:
        if name in RESERVED or not name or name != Path(name).name or name.startswith("."):
            raise ValueError(f"report file name {name!r} must be a plain file name other than {', '.join(RESERVED)}")
    ordered = sorted(documents, key=lambda d: (str(d.get("id", "")).lower(), str(d.get("type", ""))))
    files = {
        DOCUMENTS: _json({"source": meta.source, "generatedAt": meta.generated_at,
                          "tool": {"name": TOOL_NAME, "version": meta.tool_version}, "documents": ordered}),
        RESULTS: json_report.render(result, result.controls, meta).encode("utf-8"),
        **{name: text.encode("utf-8") for name, text in reports.items()},
    }
    files[MANIFEST] = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n"
                              for name, data in sorted(files.items())).encode("utf-8")
    return files


def write_evidence(directory: Path | str, documents: Iterable[Mapping[str, Any]], result: AuditResult,
                   reports: Mapping[str, str], meta: AuditMeta) -> dict[str, str]:
    """Write the bundle atomically; returns filename -> sha256 as listed in the manifest."""
    target = Path(directory)
    try:
        files = bundle_files(documents, result, reports, meta)
    except ValueError as error:
        raise EvidenceError(target, str(error)) from error
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise EvidenceError(target, "already exists and is not an empty directory; evidence is never "
                                    "mixed with or written over older evidence")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    except OSError as error:
        raise EvidenceError(target, f"cannot create the bundle: {error.strerror or error}") from error
    try:
        for name, data in sorted(files.items()):
            with open(staging / name, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(staging, 0o777 & ~_umask())
        # rename(2) replaces an empty directory atomically and fails if one appeared with content.
        os.replace(staging, target)
        _fsync_directory(target.parent)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise EvidenceError(target, f"cannot write the bundle: {error.strerror or error}") from error
    return {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items()) if name != MANIFEST}


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def _umask() -> int:
    # The staging directory is created 0700; give the bundle the mode a plain mkdir would.
    current = os.umask(0o022)
    os.umask(current)
    return current


def _fsync_directory(path: Path) -> None:
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
