"""The layer under both the inventory importers and the dependency parsers: hostile bytes → text → rows.

- `text`: which encoding a file is in (BOMs, BOM-less UTF-16, UTF-8, the cp1252 fallback), decoding
  it, and what a path holds at first sight (`kind_of`: empty, HTML, binary, a workbook, text...).
- `delimited`: Excel's `sep=` hint line, the delimiter sniffed from a header line, header cells
  normalised for matching, and the stream of non-blank records with malformed CSV reported by row.
- `problems`: the located problem list every reader fills (first `LIMIT` kept, all counted).
- `cfb`: what an OLE compound file handed in as an export is (encrypted workbook, legacy .xls).

Nothing here knows a format: `importers` and `dependencies` build on it and never on each other.
"""
