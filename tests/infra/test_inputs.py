"""infra.inputs: every file option reads a regular file within a size cap, never a FIFO or a device."""

from __future__ import annotations

import errno
import os

import pytest

from infra import inputs
from infra.inputs import InputFileError, check_input, read_input_bytes, read_input_text


def test_a_regular_file_is_read(tmp_path):
    path = tmp_path / "settings.yaml"
    path.write_text("wave_length_days: 14\n", encoding="utf-8")
    assert read_input_text(path) == "wave_length_days: 14\n"
    assert check_input(path) == len("wave_length_days: 14\n")


def test_dev_zero_is_refused_not_read_into_memory():
    with pytest.raises(InputFileError, match="is a character device, not a regular file") as caught:
        read_input_bytes("/dev/zero")
    assert isinstance(caught.value, OSError) and caught.value.filename == "/dev/zero"
    assert str(caught.value) == "is a character device, not a regular file"


def test_a_fifo_without_a_writer_is_refused_at_once(tmp_path):
    fifo = tmp_path / "settings.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InputFileError, match="FIFO"):  # would block forever with a plain open()
        read_input_text(fifo)


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(InputFileError, match="is a directory") as caught:
        read_input_bytes(tmp_path)
    assert caught.value.errno == errno.EISDIR


def test_a_missing_file_is_the_usual_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_input_bytes(tmp_path / "missing.yaml")


def test_a_symlink_to_a_regular_file_is_read(tmp_path):
    (tmp_path / "real.yaml").write_text("a: 1\n")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "real.yaml")
    assert read_input_text(tmp_path / "link.yaml") == "a: 1\n"


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.json"
    with open(path, "wb") as handle:
        handle.truncate(3 * inputs.MIB)  # sparse: big without using the disk
    with pytest.raises(InputFileError, match=r"is 3.0 MB, over the 1.0 MB limit .*CARELIFT_MAX_INPUT_MB") as caught:
        read_input_bytes(path, max_bytes=inputs.MIB)
    assert caught.value.errno == errno.EFBIG


def test_the_environment_variable_raises_the_limit(tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    path.write_bytes(b"x" * (inputs.MIB + 1))
    with pytest.raises(InputFileError):
        read_input_bytes(path, max_bytes=inputs.MIB)
    monkeypatch.setenv("CARELIFT_MAX_INPUT_MB", "2")
    assert len(read_input_bytes(path, max_bytes=inputs.MIB)) == inputs.MIB + 1
    monkeypatch.setenv("CARELIFT_MAX_INPUT_MB", "not a number")
    assert inputs.limit(5) == 5


def test_decoding_errors_are_the_callers(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"owner: J\xfcrgen\n")
    with pytest.raises(UnicodeDecodeError):
        read_input_text(path)
