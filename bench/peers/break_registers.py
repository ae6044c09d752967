"""A copy of a registers folder with known problems injected, for the benchmark's check that
`ulighed validate` and its DuckDB peer (validate_duckdb.py) find the same ones:

    python break_registers.py SOURCE DESTINATION

SOURCE is data-samples/ (the row numbers below are its rows). Each problem is named beside
the rows it breaks."""
import datetime as dt, shutil, sys
from pathlib import Path
import polars as pl

src, dst = Path(sys.argv[1]), Path(sys.argv[2])
shutil.rmtree(dst, ignore_errors=True)
shutil.copytree(src, dst)

def rw(name, f):
    p = dst / name
    df = pl.read_parquet(p)
    out = f(df)
    out.write_parquet(p)

def set_rows(df, col, rows, values):
    s = df[col].to_list()
    for r, v in zip(rows, values):
        s[r] = v
    return df.with_columns(pl.Series(col, s, dtype=df.schema[col]))

persons = set(pl.concat([pl.read_parquet(src / f"bef{y}.parquet").select("PNR") for y in range(2021, 2025)])["PNR"].to_list())

# contacts: 2 ending before they start (rows 100, 200), 1 priority ATA2 (row 300), 1 start time
# 25:00 as seconds (row 400), and row 500 written again at the end (a repeated contact key)
def contacts(df):
    df = set_rows(df, "DATO_SLUT", [100, 200], [df["DATO_START"][100] - dt.timedelta(days=1), df["DATO_START"][200] - dt.timedelta(days=3)])
    df = set_rows(df, "PRIORITET", [300], ["ATA2"])
    df = set_rows(df, "TIDSPUNKT_START", [400], [90000])
    return pl.concat([df, df[500:501]])
rw("lpr_kontakter.parquet", contacts)

# diagnoses: 5 pointing at no contact (rows 50..54: keys just above the contacts', so ulighed
# still marks the contacts' keys as bits), 1 padded code (row 60)
top = pl.read_parquet(src / "lpr_kontakter.parquet")["DW_EK_KONTAKT"].max()
rw("lpr_diagnoser.parquet", lambda df: set_rows(set_rows(df, "DW_EK_KONTAKT", range(50, 55), [top + 1 + i for i in range(5)]), "DIAGNOSEKODE", [60], [" DE119"]))

# prescriptions: 4 bad ATC codes (rows 1-4), 6 of persons in no population year (rows 11-16),
# one redemption after the as-of date (row 21), one empty PNR (row 31)
def lmdb(df):
    df = set_rows(df, "ATC", [1, 2, 3, 4], ["A10BK1", "a10bk01", "A10BK01X", " A10BK01"])
    df = set_rows(df, "PNR", range(11, 17), [f"00000000{i:02d}" for i in range(6)])
    df = set_rows(df, "EKSD", [21], [dt.date(2026, 1, 2)])
    df = set_rows(df, "PNR", [31], [""])
    return df
rw("lmdb.parquet", lmdb)

# bef2024: 3 bad KOM codes (rows 5-7), one 411 (row 8), a birth after the as-of date (row 9)
rw("bef2024.parquet", lambda df: set_rows(set_rows(df, "KOM", [5, 6, 7, 8], ["999", "100", "0412", "0411"]), "FOED_DAG", [9], [dt.date(2025, 7, 1)]))
# udda2023: the PNR of row 2 repeated in rows 3 and 4 (3 rows of one key)
rw("udda2023.parquet", lambda df: set_rows(df, "PNR", [3, 4], [df["PNR"][2]] * 2))
# akm2022: one bad SOCIO13 (row 7)
rw("akm2022.parquet", lambda df: set_rows(df, "SOCIO13", [7], ["999"]))
