"""Runner of t2d_duckdb.sql for each of the analysis's trend years:
python t2d_duckdb.py REGISTERS_DIR [YEAR ...] -> CSV year,dimension,group,patients,with_outcome on
stdout (2 threads; the years default to the spec's trend, 2023 and 2024)."""

import csv
import datetime as dt
import sys
from pathlib import Path

import duckdb

here = Path(__file__).resolve().parent
years = [int(y) for y in sys.argv[2:]] or [2023, 2024]
con = duckdb.connect(config={"threads": 2})
con.execute("SET VARIABLE registers = ?", [str(Path(sys.argv[1]).resolve())])
con.execute("SET VARIABLE peers = ?", [str(here)])
query = (here / "t2d_duckdb.sql").read_text()
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["year", "dimension", "group", "patients", "with_outcome"])
for year in years:
    con.execute("SET VARIABLE year = ?", [year])
    con.execute("SET VARIABLE index_date = ?", [dt.date(year, 1, 1)])
    w.writerows((year, *row) for row in con.execute(query).fetchall())
