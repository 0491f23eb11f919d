"""migrate.inventory.tables.delimited: sep= hints, delimiters, header cells and records for both readers."""

from __future__ import annotations

import csv
import io

import pytest

from migrate.inventory.dependencies import parse_dependency_file
from migrate.inventory.importers.tabular import Columns, read_csv
from migrate.inventory.model import InputError
from migrate.inventory.tables.delimited import normalise_header, records, sep_hint, sniff_delimiter, split_header
from migrate.inventory.tables.problems import Problems


@pytest.mark.parametrize("line,delimiter", [
    ("sep=;\n", ";"), ("sep=,\r\n", ","), ("SEP=\t\n", None), ("  sep=|  ", "|"), ("Sep=;", ";"),
    ("sep=;;\n", None), ("sep=\n", None), ("name;sep=;\n", None), ("", None),
])
def test_sep_hint_is_excels_five_character_line(line, delimiter):
    # "SEP=\t": the tab is stripped with the line's white space, so no hint is left.
    assert sep_hint(line) == delimiter


def test_sniffing_prefers_the_delimiter_that_splits_the_header_most():
    assert sniff_delimiter("a;b;c\n") == ";"
    assert sniff_delimiter('"x,y";b\n') == ";"
    assert sniff_delimiter("a,b\tc\td\n") == "\t"
    assert sniff_delimiter("single\n") == ","
    assert sniff_delimiter("a|b|c\n") == ","    # only comma, semicolon and tab are candidates
    assert sniff_delimiter("") == ","


def test_split_header_splits_at_the_sniffed_delimiter():
    assert split_header("Source;Destination;Port\n") == ["Source", "Destination", "Port"]
    assert split_header('"a;b",c\n') == ["a;b", "c"]
    assert split_header("") == []


def test_headers_match_case_insensitively_without_spaces_or_mandatory_star():
    assert normalise_header("  *Server  Name ") == "server name"
    assert normalise_header("*Memory (In MB)") == "memory (in mb)"
    assert normalise_header("STRASSE") == normalise_header("straße")   # case-folded, not lower-cased
    assert normalise_header(None) == ""
    assert normalise_header(4.0) == "4"
    assert normalise_header(4.5) == "4.5"


def test_underscores_are_spaces_only_for_the_dependency_parsers():
    # ServiceNow field names keep their underscores for the importers (`u_` custom columns are told
    # apart by them); dependency exports write `first_seen` and `First Seen` for the same column.
    assert normalise_header("ip_address") == "ip_address"
    assert normalise_header("*First_Seen ", underscores_as_spaces=True) == "first seen"
    assert normalise_header("_*x", underscores_as_spaces=True) == "x"


def read(text: str, delimiter: str = ","):
    malformed: list[tuple[str, int]] = []
    rows = list(records(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 0,
                        lambda message, row: malformed.append((message, row))))
    return rows, malformed


def test_records_skip_blank_rows_but_keep_their_numbers_and_ragged_rows_as_they_are():
    rows, malformed = read("a,b,c\n\n , \nx\n1,2,3,4,5\n")
    assert rows == [(1, ["a", "b", "c"]), (4, ["x"]), (5, ["1", "2", "3", "4", "5"])]
    assert malformed == []


def test_records_count_a_quoted_line_break_as_one_record():
    rows, _ = read('a,b\n"two\nlines",x\nlast,y\n')
    assert rows == [(1, ["a", "b"]), (2, ["two\nlines", "x"]), (3, ["last", "y"])]


def test_malformed_csv_is_reported_at_its_row_and_ends_the_stream():
    rows, malformed = read('a\n1\n"' + "x" * 140_000 + '"\n3\n')
    assert rows == [(1, ["a"]), (2, ["1"])]
    assert malformed == [("malformed CSV: field larger than field limit (131072)", 3)]


# --- both readers on the same hostile delimited text --------------------------------------------

def test_both_readers_honour_the_sep_hint_and_number_rows_as_an_editor_shows_them(tmp_path):
    path = tmp_path / "deps.csv"
    path.write_text("sep=;\nSource;Destination;Port\nweb01;db01;1433\n\nweb02;db01;oops\n", encoding="utf-8")
    problems = Problems()
    table = read_csv(path, problems)
    assert (table.header, table.header_row) == (("Source", "Destination", "Port"), 2)
    assert list(table.records) == [(3, ["web01", "db01", "1433"]), (5, ["web02", "db01", "oops"])]
    with pytest.raises(InputError) as caught:
        parse_dependency_file(path, "csv")
    assert [(p.row, p.column) for p in caught.value.problems] == [(5, "Port")]


def test_ragged_rows_reach_both_readers_as_written(tmp_path):
    path = tmp_path / "deps.csv"
    path.write_text("source,destination,port\nweb01,db01\nweb01,db01,1433,extra,cells\n", encoding="utf-8")
    problems = Problems()
    assert [cells for _, cells in read_csv(path, problems).records] == [
        ["web01", "db01"], ["web01", "db01", "1433", "extra", "cells"]]
    with pytest.raises(InputError) as caught:   # the short row has no port; the long one is fine
        parse_dependency_file(path, "csv")
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "port")]


def test_duplicate_headers_first_wins_for_the_importers_and_are_refused_by_the_dependency_parsers(tmp_path):
    # Two spellings that normalise alike are one column for both readers; what they do about it differs.
    path = tmp_path / "deps.csv"
    path.write_text("Source,*destination ,Port,DESTINATION\nweb01,db01,1433,db02\n", encoding="utf-8")
    problems = Problems()
    columns = Columns(read_csv(path, problems), {"destination": ("Destination",)})
    assert (columns.index, columns.unused) == ({"destination": 1}, ("Source", "Port", "DESTINATION"))
    with pytest.raises(InputError) as caught:
        parse_dependency_file(path, "csv")
    assert [(p.row, p.column, p.message) for p in caught.value.problems] == [
        (1, "DESTINATION", "column 'DESTINATION' appears twice")]
