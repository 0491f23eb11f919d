"""Evidence bundle: the evaluated documents, the results, the reports and a SHA-256 manifest.

``write_evidence(directory, documents, result, reports, meta)`` writes

- ``documents.json``: the ARM documents that were evaluated (sorted by id),
- ``results.json``: the JSON report (summary and every finding),
- each report given (``{"report.sarif": text, ...}``),
- the audited input file and the waiver file, verbatim (``input.json`` or ``input.yaml``,
  ``waivers.yaml``), and ``inputs.json`` naming where each came from with its SHA-256 and size,
- ``MANIFEST.sha256``: ``<sha256>  <filename>`` per file, sorted, so ``sha256sum -c MANIFEST.sha256``
  verifies the bundle (the inputs included).

The bundle appears whole or not at all: files are written into a temporary directory beside
the target, flushed, then renamed into place. It is created 0700 with files 0600 whatever the
umask (the documents name a hospital's systems). An existing non-empty directory is refused
rather than mixed with older evidence, and so is a symbolic link (evidence is not written
through a link, like every carelift output).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from infra.compliance.outputs import TOOL_NAME, AuditMeta
from infra.compliance.outputs import json as json_report
from infra.errors import CareliftError

if TYPE_CHECKING:
    from infra.compliance.engine import AuditResult

MANIFEST = "MANIFEST.sha256"
DOCUMENTS = "documents.json"
RESULTS = "results.json"
INPUTS = "inputs.json"
RESERVED = (DOCUMENTS, RESULTS, MANIFEST, INPUTS)


@dataclass(frozen=True)
class EvidenceInput:
    """A file the audit read: `role` is "input" (the audited ARM or stack file) or "waivers"."""

    role: str
    path: str
    data: bytes

    @property
    def file_name(self) -> str:
        """The name of its copy in the bundle: the role and the original's extension."""
        suffix = Path(self.path).suffix.lower()
        return self.role + (suffix if suffix[1:].isalnum() and len(suffix) <= 6 else "")


class EvidenceError(CareliftError):
    """The bundle could not be written; nothing was left at `directory`."""

    def __init__(self, directory: Path | str, message: str):
        self.directory = Path(directory)
        super().__init__(f"{self.directory}: {message}")


def bundle_files(documents: Iterable[Mapping[str, Any]], result: AuditResult, reports: Mapping[str, str],
                 meta: AuditMeta, inputs: Iterable[EvidenceInput] = ()) -> dict[str, bytes]:
    """Every file of the bundle (manifest included) by name: the pure part of `write_evidence`."""
    inputs = list(inputs)
    copies = [i.file_name for i in inputs]
    if len(set(copies)) != len(copies):
        raise ValueError(f"two inputs with the same role: {', '.join(sorted(copies))}")
    for name in reports:
        if name in RESERVED or name in copies or not name or name != Path(name).name or name.startswith("."):
            raise ValueError(f"report file name {name!r} must be a plain file name other than "
                             f"{', '.join(RESERVED + tuple(copies))}")
    ordered = sorted(documents, key=lambda d: (str(d.get("id", "")).lower(), str(d.get("type", ""))))
    files = {
        DOCUMENTS: _json({"source": meta.source, "generatedAt": meta.generated_at,
                          "tool": {"name": TOOL_NAME, "version": meta.tool_version}, "documents": ordered}),
        RESULTS: json_report.render(result, result.controls, meta).encode("utf-8"),
        **{name: text.encode("utf-8") for name, text in reports.items()},
    }
    if inputs:
        files[INPUTS] = _json({"inputs": [{"role": i.role, "path": i.path, "file": i.file_name, "bytes": len(i.data),
                                           "sha256": hashlib.sha256(i.data).hexdigest()} for i in inputs]})
        files.update({i.file_name: i.data for i in inputs})
    files[MANIFEST] = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n"
                              for name, data in sorted(files.items())).encode("utf-8")
    return files


def check_evidence_directory(directory: Path | str) -> None:
    """EvidenceError unless `directory` is a new path or an empty directory (not a link to one)."""
    target = Path(directory)
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return
    except OSError as error:
        raise EvidenceError(target, f"cannot be inspected: {error.strerror or error}") from error
    if stat.S_ISLNK(mode):
        raise EvidenceError(target, "is a symbolic link; evidence is not written through a link, "
                                    "give a new or empty directory itself")
    if not stat.S_ISDIR(mode) or any(target.iterdir()):
        raise EvidenceError(target, "already exists and is not an empty directory; evidence is never "
                                    "mixed with or written over older evidence")


def write_evidence(directory: Path | str, documents: Iterable[Mapping[str, Any]], result: AuditResult,
                   reports: Mapping[str, str], meta: AuditMeta,
                   inputs: Iterable[EvidenceInput] = ()) -> dict[str, str]:
    """Write the bundle atomically; returns filename -> sha256 as listed in the manifest."""
    target = Path(directory)
    try:
        files = bundle_files(documents, result, reports, meta, inputs)
    except ValueError as error:
        raise EvidenceError(target, str(error)) from error
    check_evidence_directory(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    except OSError as error:
        raise EvidenceError(target, f"cannot create the bundle: {error.strerror or error}") from error
    try:
        os.chmod(staging, 0o700)
        for name, data in sorted(files.items()):
            descriptor = os.open(staging / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
            os.fchmod(descriptor, 0o600)  # whatever the umask
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        # rename(2) replaces an empty directory atomically and fails if one appeared with content.
        os.replace(staging, target)
        _fsync_directory(target.parent)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise EvidenceError(target, f"cannot write the bundle: {error.strerror or error}") from error
    return {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items()) if name != MANIFEST}


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n").encode("utf-8")


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
