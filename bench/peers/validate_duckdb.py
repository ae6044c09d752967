"""Runner of validate_duckdb.sql, the hand-written DuckDB peer of `ulighed validate`:

    python validate_duckdb.py FOLDER [--as-of YYYY-MM-DD] [--threads 2] [--examples]

prints one line per finding, `rule<TAB>file<TAB>rows` (the file's name; the folder for
required_register), sorted, and exits 0 whatever it finds. `--examples` adds the column, the
severity and the first three offending rows.

What it checks, as ulighed's default severities and src/registers/validate.rs define them, on
the Parquet files of the folder (yearly bef/udda/ind/akm<year>, event registers lpr_kontakter,
lpr_diagnoser, lpr_procedurer, lmdb, dod, vnds, whole or split by year; names without regard to
case; the LPR3 "F" model's file names; column names without regard to case, with the aliases
FAMAEKVIVADISP_13 and D_DODSDTO):
  required_register, required_columns, column_empty, types (contact keys, dates, numbers,
  municipality codes, times of day from text, seconds or timestamps), text_padding, pnr_present,
  pnr_unique (bef, udda, ind, akm, dod), date_range, after_as_of, date_order, code_koen,
  code_kom, kom_christianso, code_ie_type, code_hfaudd, code_icd10, code_atc, code_procedure,
  code_diagnosis_type, code_socio13, code_priority, code_migration, key_contact,
  contact_unique, key_pnr.

What it leaves out, compared with ulighed:
  - formats other than Parquet (CSV, Arrow IPC, SAS7BDAT) and the patient register's other
    models (LPR2 lpr_adm/lpr_diag/lpr_sksopr, LPR3 "A"): such files are not read at all;
  - the refusals of the folder itself (a register both whole and split by year, the same
    register in two formats, register names that are folders): ulighed exits 65, the peer reads
    what it finds;
  - a file that cannot be opened (a missing required column, a column and its alias both, a
    column of a type that cannot hold its values, a damaged file): ulighed stops (exit 65); the
    peer reports required_columns (rows 0) and validates the other files; a column of a wrong
    type is simply found by `types` or not at all, and a damaged file stops the peer;
  - whitespace is ASCII whitespace (Polars strips Unicode whitespace), date text is parsed by
    strptime (Polars' chrono may differ on odd inputs such as one-digit months);
  - key_pnr's share of the file's rows, the message text, the digit-key detection ulighed uses to
    choose integer person keys (keys are compared as text here, which gives the same answer);
  - severities from a pipeline or ulighed.toml (the defaults are reported), and the cached
    validation of `ulighed run`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
REGISTERS = ["bef", "udda", "ind", "akm", "lpr_kontakter", "lpr_diagnoser", "lpr_procedurer",
             "lmdb", "dod", "vnds"]


def blocks(sql: str) -> list[tuple[str, str, str]]:
    """The script's blocks as (kind, name, text), in order."""
    out: list[tuple[str, str, str]] = []
    for line in sql.splitlines(keepends=True):
        head = re.match(r"^-- (setup|rule): (\S+)\s*$", line)
        if head:
            out.append((head.group(1), head.group(2), ""))
        elif out:
            kind, name, text = out[-1]
            out[-1] = (kind, name, text + line)
    return out


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """One view per register: its readable files stacked, contract columns under contract names."""
    contract: dict[str, list[str]] = {}
    for register, name in con.execute("SELECT register, name FROM contract").fetchall():
        contract.setdefault(register, []).append(name)
    rows = con.execute(
        "SELECT path, file, register, year, col, file_column, found, required FROM mapping "
        "ORDER BY register, file"
    ).fetchall()
    files: dict[str, dict[str, dict]] = {}
    for path, file, register, year, col, file_column, found, required in rows:
        f = files.setdefault(register, {}).setdefault(
            path, {"file": file, "year": year, "cols": {}, "readable": True})
        f["cols"][col] = file_column if found == 1 else None
        if (required and found == 0) or found > 1:
            f["readable"] = False
    for register in REGISTERS:
        columns = contract[register]
        parts = []
        for path, f in files.get(register, {}).items():
            if not f["readable"]:
                continue
            year = "NULL" if f["year"] is None else str(int(f["year"]))
            mapped = [
                f"{quoted(f['cols'][c])} AS {quoted(c)}" if f["cols"].get(c) else f"NULL AS {quoted(c)}"
                for c in columns
            ]
            parts.append(
                f"SELECT {literal(f['file'])} AS file, file_row_number + 1 AS row_nr, "
                f"{year}::INTEGER AS year, {', '.join(mapped)} "
                f"FROM read_parquet({literal(path)}, file_row_number = true)"
            )
        if not parts:
            typed = ", ".join(f"NULL::VARCHAR AS {quoted(c)}" for c in columns)
            parts.append(f"SELECT NULL::VARCHAR AS file, NULL::BIGINT AS row_nr, "
                         f"NULL::INTEGER AS year, {typed} WHERE false")
        con.execute(f"CREATE OR REPLACE TEMP VIEW {register} AS " + "\nUNION ALL BY NAME\n".join(parts))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--as-of", default=dt.date.today().isoformat())
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--examples", action="store_true",
                        help="also print the column, the severity and the first offending rows")
    args = parser.parse_args()
    folder = str(Path(args.folder).resolve())
    as_of = dt.date.fromisoformat(args.as_of)

    con = duckdb.connect(config={"threads": args.threads})
    con.execute("SET VARIABLE registers = ?", [folder])
    con.execute("SET VARIABLE as_of = ?::DATE", [as_of])
    findings = []
    for kind, name, text in blocks((HERE / "validate_duckdb.sql").read_text()):
        if kind == "setup":
            if name == "mapping":
                paths = [p for (p,) in con.execute("SELECT path FROM files").fetchall()]
                if not paths:
                    # No register file at all (ulighed refuses the folder, exit 66).
                    print(f"required_register\t{folder}\t0")
                    return 0
                con.execute("SET VARIABLE paths = ?", [paths])
            con.execute(text)
            if name == "mapping":
                create_views(con)
        elif kind == "rule":
            findings.extend(con.execute(text).fetchall())
    findings.sort(key=lambda f: (f[0], f[2], f[3]))
    for rule, severity, file, col, rows, examples in findings:
        line = f"{rule}\t{file}\t{rows}"
        if args.examples:
            line += f"\t{col}\t{severity}\t{'; '.join(examples or [])}"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
