"""The output rule every `-o/--out` follows (migrate.cli.files), without root: a symlink and a FIFO in
tmp_path, /dev/full (a character device anyone can write, always full), standard output."""

from __future__ import annotations

import errno
import os
import stat
import threading

import click
import pytest
from click.testing import CliRunner

from migrate.cli import files
from migrate.cli.files import OutputError, check_output, destination, open_output, write_output


def refused(path, data="x") -> str:
    """The one-line message write_output prints before exiting 2."""
    @click.command()
    def command():
        write_output(path, data)

    result = CliRunner().invoke(command, [])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    return result.output


def test_a_new_path_is_written_0600_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        write_output(tmp_path / "report.json", '{"é": 1}\n')
    finally:
        os.umask(old)
    target = tmp_path / "report.json"
    assert target.read_text(encoding="utf-8") == '{"é": 1}\n'
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file left


def test_a_regular_file_is_replaced_whole(tmp_path):
    target = tmp_path / "report.txt"
    target.write_text("old and longer content\n")
    inode = target.stat().st_ino
    write_output(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert target.stat().st_ino != inode  # renamed over, not rewritten in place


def test_a_failing_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "report.txt"
    target.write_text("old\n")
    with pytest.raises(RuntimeError):
        with open_output(target) as handle:
            handle.write("half of the new")
            raise RuntimeError("the renderer failed")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]


def test_a_symlink_is_refused_and_its_target_untouched(tmp_path):
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("precious\n")
    link = tmp_path / "report.json"
    link.symlink_to(elsewhere)
    message = refused(link)
    assert "symbolic link" in message and "report.json" in message
    assert elsewhere.read_text() == "precious\n" and link.is_symlink()


def test_a_dangling_symlink_is_refused_too(tmp_path):
    link = tmp_path / "report.json"
    link.symlink_to(tmp_path / "not-yet")
    assert "symbolic link" in refused(link)
    assert not (tmp_path / "not-yet").exists()


def test_a_fifo_is_written_straight_through(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(open(fifo, "rb").read()))
    reader.start()
    write_output(fifo, "through the pipe\n")
    reader.join(timeout=10)
    assert received == [b"through the pipe\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still a FIFO, not replaced by a file


def test_a_character_device_is_written_straight_through_and_stays_one():
    assert destination("/dev/full").kind == "device"
    assert destination("/dev/null").kind == "device"
    with open_output("/dev/null") as handle:  # writable by anyone, never replaced
        handle.write("discarded")
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_a_full_device_is_exit_2_with_one_line():
    assert "No space left on device" in refused("/dev/full", "x" * 100_000)


def test_dash_and_dev_stdout_mean_standard_output():
    @click.command()
    @click.argument("path")
    def command(path):
        click.echo("before")
        write_output(path, "the report\n")

    for path in ("-", "/dev/stdout"):
        result = CliRunner().invoke(command, [path])
        assert result.exit_code == 0
        assert result.output == "before\nthe report\n"
    assert files.is_standard_output("-") and files.is_standard_output("/dev/fd/1")
    assert not files.is_standard_output("report.json") and not files.is_standard_output(None)


def test_an_inherited_descriptor_is_written_through(tmp_path):
    read_end, write_end = os.pipe()
    try:
        write_output(f"/dev/fd/{write_end}", "via process substitution\n")
        os.close(write_end)
        assert os.read(read_end, 100) == b"via process substitution\n"
    finally:
        os.close(read_end)
    with pytest.raises(OutputError, match="not open"):
        with open_output("/dev/fd/987"):
            pass


def test_a_directory_a_socket_and_a_missing_directory_are_refused(tmp_path):
    assert "is a directory" in refused(tmp_path)
    assert "does not exist" in refused(tmp_path / "missing" / "report.json")
    import socket

    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(tmp_path / "sock"))
        assert "socket" in refused(tmp_path / "sock")
    finally:
        server.close()


def test_an_unwritable_directory_is_found_before_the_work(tmp_path, monkeypatch):
    # Root ignores permissions, so the read-only file system is simulated where the OS would say it.
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(files.tempfile, "mkstemp", read_only)
    with pytest.raises(OutputError, match="Read-only file system"):
        check_output(tmp_path / "report.json")
    assert "Read-only file system" in refused(tmp_path / "report.json")


def test_a_full_disk_while_writing_a_file_is_one_line_and_leaves_nothing(tmp_path, monkeypatch):
    def no_space(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", no_space)
    assert "no space left on device" in refused(tmp_path / "report.json").lower()
    assert list(tmp_path.iterdir()) == []


def test_standard_output_without_a_byte_buffer_still_works(monkeypatch):
    import io

    fake = io.StringIO()
    monkeypatch.setattr(files.sys, "stdout", fake)
    write_output("-", "plain text é\n")
    with open_output("-") as handle:
        handle.write("and text mode\n")
    assert fake.getvalue() == "plain text é\nand text mode\n"


def test_binary_output_to_a_text_only_standard_output_is_a_whole_binary_file(monkeypatch):
    import io

    fake = io.StringIO()
    monkeypatch.setattr(files.sys, "stdout", fake)
    with open_output("-", binary=True) as handle:
        handle.write(b"first\n")
        handle.writelines([b"then lines\n", "\u00e9\n".encode()])
    assert fake.getvalue() == "first\nthen lines\n\u00e9\n"
