"""migrate.inventory.tables.text: the one encoding sniff and file-kind check both readers use."""

from __future__ import annotations

import codecs

import pytest

from migrate.inventory.dependencies import parse_dependency_file
from migrate.inventory.importers.tabular import read_csv
from migrate.inventory.model import InputError
from migrate.inventory.tables.problems import Problems
from migrate.inventory.tables.text import (decode, decode_head, kind_message, kind_of, looks_binary, open_text,
                                           sniff_encoding, stream_encodings)

TEXT = "name,city\nsrv01,Zürich\n"


@pytest.mark.parametrize("data,encoding", [
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.encode("utf-16"), "utf-16"),                           # BOM, native order
    (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),  # BOM, big-endian
    (TEXT.encode("utf-16-le"), "utf-16-le"),                     # PowerShell's redirection without a BOM
    (TEXT.encode("utf-16-be"), "utf-16-be"),
    (TEXT.encode("utf-8"), None),                                # no evidence: UTF-8, else cp1252
    (TEXT.encode("cp1252"), None),
    (b"ab", None),                                               # too short to judge NULs
    (b"", None),
])
def test_sniff_encoding_names_only_what_the_bytes_prove(data, encoding):
    assert sniff_encoding(data) == encoding


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252"])
def test_decode_reads_every_encoding_excel_and_powershell_write(encoding):
    assert decode(TEXT.encode(encoding)) == TEXT


def test_decode_drops_the_bom_and_keeps_everything_after_it():
    assert decode(codecs.BOM_UTF8 + b"\xef\xbb\xbfx") == "\ufeffx"   # only the first BOM is a BOM


@pytest.mark.parametrize("data,message", [
    # Neither UTF-8 nor cp1252 (0x81 is undefined there): the last encoding tried is named, with the offset.
    (b"a,b\n\x81x\n", "not valid cp1252 text (character maps to <undefined> at byte 4)"),
    # A UTF-8 BOM promises UTF-8: no cp1252 fallback for a whole file (the offset counts after the BOM).
    (codecs.BOM_UTF8 + b"a,b\n\xfc\n", "not valid utf-8 text (invalid start byte at byte 4)"),
    # UTF-16 cut in the middle of a surrogate pair.
    (codecs.BOM_UTF16_LE + b"a\x00\x00\xd8", "not valid utf-16 text (unexpected end of data at byte 4)"),
])
def test_decode_names_the_encoding_and_byte_of_undecodable_data(data, message):
    with pytest.raises(ValueError) as caught:
        decode(data)
    assert str(caught.value) == message


def test_decode_partial_tolerates_a_character_cut_at_the_end_of_a_head():
    head = "Zürich".encode("utf-16-le")[:-1]
    assert decode(codecs.BOM_UTF16_LE + head, partial=True) == "Züric"
    assert decode("Zü".encode("utf-8")[:-1], partial=True) == "Z"


@pytest.mark.parametrize("data,encodings", [
    (TEXT.encode("utf-8"), ("utf-8-sig", "cp1252")),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), ("utf-8-sig", "cp1252")),   # unlike decode: cp1252 stays possible
    (TEXT.encode("utf-16"), ("utf-16",)),
    (TEXT.encode("utf-16-le"), ("utf-16-le",)),
])
def test_stream_encodings_keep_the_cp1252_fallback_for_anything_not_utf16(data, encodings):
    assert stream_encodings(data) == encodings


def test_decode_head_replaces_what_it_cannot_decode_and_tolerates_a_cut_character():
    assert decode_head(b"a\x81b", "utf-8-sig") == "a\ufffdb"
    assert decode_head(b"Z\xc3", "utf-8-sig") == "Z"


def test_open_text_streams_strictly_so_the_caller_can_fall_back(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"a\r\nZ\xfcrich\r\n")
    with open_text(path, "utf-8-sig") as handle, pytest.raises(UnicodeDecodeError):
        handle.read()
    with open_text(path, "cp1252") as handle:
        assert handle.read() == "a\r\nZürich\r\n"   # newline="": line ends are left to the csv module


@pytest.mark.parametrize("content,kind", [
    (b"", "empty"),
    (b"   \r\n\n", "empty"),
    ("  \n".encode("utf-16"), "empty"),
    (b"<!DOCTYPE html><html><body>Sign in</body></html>", "html"),
    (b"\xef\xbb\xbf  <html><head><title>Login</title>", "html"),
    (b'<?xml version="1.0"?>\n<html>', "html"),
    (bytes(range(256)) * 4, "binary"),
    (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00", "binary"),
    (b"PK\x03\x04rest", "xlsx"),
    (b"\xd0\xcf\x11\xe0 not a real compound file", "ole"),
    (b"name,cores\nx,1\n", "text"),
    ("name,cores\nx,1\n".encode("utf-16-le"), "text"),
    ("name\nZürich\n".encode("cp1252"), "text"),
])
def test_kind_of_recognises_what_is_not_a_text_export(tmp_path, content, kind):
    path = tmp_path / "file.csv"
    path.write_bytes(content)
    assert kind_of(path) == kind


def test_kind_of_missing_and_directories(tmp_path):
    assert kind_of(tmp_path / "nope.csv") == "missing"
    assert kind_of(tmp_path) == "directory"
    assert kind_message("missing") == "does not exist"
    assert kind_message("something new") == "is not a supported file"


def test_looks_binary_allows_a_few_stray_control_characters_but_not_a_nul():
    assert not looks_binary("a\x01b\x02c" + "x" * 100)
    assert looks_binary("a\x00b")
    assert looks_binary("\x01\x02\x03" + "x" * 10)


# --- where the two readers apply the shared sniff differently (each keeps its behaviour) ----------

HEADER_AND_ROWS = b"source,destination,port\n" + b"app01,db01,1433\n" * 300   # past kind_of's 4 KiB head
UNDECODABLE = HEADER_AND_ROWS + b"app01,db\x81,1433\n"   # 0x81: neither UTF-8 nor cp1252


def test_undecodable_bytes_in_a_files_head_make_it_binary_for_both_readers(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"source,destination,port\napp01,db\x81,1433\n")
    assert kind_of(path) == "binary"


def test_undecodable_bytes_are_a_located_problem_for_the_importers(tmp_path):
    path = tmp_path / "servers.csv"
    path.write_bytes(UNDECODABLE)
    problems = Problems()
    assert read_csv(path, problems, "servers.csv") is None
    [problem] = problems.items
    assert (problem.file, problem.message) == (
        "servers.csv", "cannot be read as text: not valid cp1252 text (character maps to <undefined> at byte 4832)")


def test_undecodable_bytes_are_a_located_problem_for_the_dependency_parsers(tmp_path):
    path = tmp_path / "deps.csv"
    path.write_bytes(UNDECODABLE)
    with pytest.raises(InputError) as caught:
        parse_dependency_file(path, display="deps.csv")
    [problem] = caught.value.problems
    assert (problem.file, problem.message) == ("deps.csv", "the file is not UTF-8, UTF-16 or Windows-1252 text")


def test_a_bom_then_cp1252_is_refused_by_the_importers_but_retried_by_the_dependency_parsers(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(codecs.BOM_UTF8 + HEADER_AND_ROWS + b"Z\xfcrich,db01,1433\n")
    problems = Problems()
    assert read_csv(path, problems) is None
    assert "not valid utf-8 text" in problems.items[0].message
    # Read as cp1252 the BOM becomes part of the first header cell, so the source column is missing:
    # the dependency parser reports that instead of a decoding error.
    with pytest.raises(InputError) as caught:
        parse_dependency_file(path, "csv", display="x.csv")
    assert [p.message for p in caught.value.problems] == ["missing mandatory column 'source'"]
