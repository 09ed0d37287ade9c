#!/usr/bin/env python3
"""The fixed-width parse an analyst would write with polars, for `benches/compare`.

Reads every EDI results file (`R*.X??`, JCQ naming, any case) under DATA_DIR, keeps the results
detail records (`R5`; every other line, the file and centre headers and trailers `R1`, `R3`, `R7`,
`R9` among them, is dropped), slices their fields at the positions of shared/spec/layouts.md
(version 2) §2 into a DataFrame, and prints the number of rows.

Usage: polars_parse.py DATA_DIR

How: each file is read as one string column per line (`scan_csv` with a separator byte that never
occurs in an EDI file and no quoting), all files in one lazy query so polars reads them in
parallel; then `str.slice` per field, text fields stripped of their space padding and the marks
cast to integers (blank is null). Bytes are Windows-1252, so text is read as lossy UTF-8 (a name
with `É` keeps its length in bytes but gains a replacement character); the fields before the
name are ASCII, so their positions are exact.
"""

import re
import sys
from pathlib import Path

import polars as pl

# EDI results files: `R*.X??` as JCQ names them (R<centre><board>.X<nn>), any case; the same
# files `benches/compare` gives the other tools (`find -iname 'R*.X[0-9][0-9]'`).
RESULTS_NAME = re.compile(r"^R.*\.X[0-9]{2}$", re.IGNORECASE)

# The R5 record (layouts.md §2): field name, start (1-based, as in the booklet), length.
R5_FIELDS = [
    ("centre_number", 3, 5),
    ("candidate_number", 8, 4),
    ("option_code", 12, 6),
    ("uci", 18, 13),
    ("result_flag", 37, 1),
    ("grade", 38, 2),
    ("grade2", 40, 2),
    ("mark", 42, 3),
    ("max_mark", 45, 3),
    ("name", 53, 40),
]
NUMERIC = {"max_mark"}


def results_files(root: Path) -> list[str]:
    return sorted(
        str(p) for p in root.rglob("*") if p.is_file() and RESULTS_NAME.match(p.name)
    )


def parse(files: list[str]) -> pl.DataFrame:
    lines = pl.scan_csv(
        files,
        has_header=False,
        separator="\x1f",  # the unit separator: never in an EDI file, so one column per line
        quote_char=None,
        new_columns=["line"],
        schema_overrides={"line": pl.String},
        encoding="utf8-lossy",
    )
    line = pl.col("line")  # (polars drops the CR of a CRLF line end)
    fields = []
    for name, start, length in R5_FIELDS:
        text = line.str.slice(start - 1, length).str.strip_chars()
        if name in NUMERIC:
            text = text.cast(pl.Int32, strict=False)
        fields.append(text.alias(name))
    # The mark field holds a mark only when the flag is M (an endorsement grade when it is E).
    mark = (
        pl.when(pl.col("result_flag") == "M")
        .then(pl.col("mark").cast(pl.Int32, strict=False))
        .otherwise(None)
        .alias("mark")
    )
    endorsement = (
        pl.when(pl.col("result_flag") == "E")
        .then(pl.col("mark"))
        .otherwise(None)
        .alias("endorsement")
    )
    return (
        lines.filter(pl.col("line").str.starts_with("R5"))
        .select(fields)
        .with_columns(mark, endorsement)
        .collect()
    )


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: polars_parse.py DATA_DIR", file=sys.stderr)
        return 2
    root = Path(sys.argv[1])
    files = results_files(root)
    if not files:
        print(f"polars_parse.py: no results files (R*.X??) under {root}", file=sys.stderr)
        return 2
    df = parse(files)
    print(df.height)
    return 0


if __name__ == "__main__":
    sys.exit(main())
