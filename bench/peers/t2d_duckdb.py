"""Runner of t2d_duckdb.sql: python t2d_duckdb.py REGISTERS_DIR -> CSV on stdout (2 threads)."""

import csv
import sys
from pathlib import Path

import duckdb

here = Path(__file__).resolve().parent
con = duckdb.connect(config={"threads": 2})
con.execute("SET VARIABLE registers = ?", [str(Path(sys.argv[1]).resolve())])
con.execute("SET VARIABLE peers = ?", [str(here)])
rows = con.execute((here / "t2d_duckdb.sql").read_text()).fetchall()
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["dimension", "group", "patients", "with_outcome"])
w.writerows(rows)
