"""Hand-written peer (pandas, pyarrow engine) of ulighed's t2d_sglt2_glp1 analysis, on 1 January of
each of its trend years (2023 and 2024, as the spec's [trend]), one analysis per year.

Usage: python t2d_pandas.py REGISTERS_DIR [YEAR ...]  -> CSV year,dimension,group,patients,with_outcome
on stdout.
The municipality -> region table is read from kommune_region.csv beside this script; the education
table from REGISTERS_DIR/hfaudd_hgroup.csv.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

REG = Path(sys.argv[1])
HERE = Path(__file__).resolve().parent
YEARS = [int(y) for y in sys.argv[2:]] or [2023, 2024]
UNKNOWN = "uoplyst"


def read(name, columns):
    return pd.read_parquet(REG / name, columns=columns)


def analysis(year: int) -> pd.DataFrame:
    """The counts per stratum of the analysis on 1 January of `year`."""
    index = pd.Timestamp(year=year, month=1, day=1)
    bef = read(f"bef{year}.parquet", ["PNR", "FOED_DAG", "KOEN", "KOM", "IE_TYPE"])
    born = pd.to_datetime(bef["FOED_DAG"])
    # completed years at the index date
    bef["AGE"] = year - born.dt.year - ((index.month * 100 + index.day) < (born.dt.month * 100 + born.dt.day)).astype(int)

    # Patient group: action diagnosis DE11* at a contact starting in [index - 730 days, index).
    lpr = read("lpr_kontakter.parquet", ["PNR", "DATO_START", "AKTIONSDIAGNOSE"])
    start = pd.to_datetime(lpr["DATO_START"])
    t2d = lpr.loc[
        lpr["AKTIONSDIAGNOSE"].str.startswith("DE11") & (start >= index - pd.Timedelta(days=730)) & (start < index),
        "PNR",
    ].drop_duplicates()

    deaths = read("dod.parquet", ["PNR", "DODDATO"])
    deaths["DODDATO"] = pd.to_datetime(deaths["DODDATO"])

    p = bef[bef["PNR"].isin(t2d)]
    p = p[(p["AGE"] >= 18) & (p["AGE"] <= 120)]
    p = p.merge(deaths, on="PNR", how="left")
    p = p[p["DODDATO"].isna() | (p["DODDATO"] >= index)]  # dying on the index day is kept

    # Outcome: SGLT2 inhibitor (A10BK) or GLP-1 analogue (A10BJ) redeemed in days 0..364.
    lmdb = read("lmdb.parquet", ["PNR", "EKSD", "ATC"])
    eksd = pd.to_datetime(lmdb["EKSD"])
    hit = lmdb.loc[
        lmdb["ATC"].str.startswith(("A10BK", "A10BJ")) & (eksd >= index) & (eksd <= index + pd.Timedelta(days=364)),
        "PNR",
    ]
    p["OUT"] = p["PNR"].isin(hit).astype(int)

    # Education: udda of the index year, HFAUDD -> H-group (education table) -> SEPLINE group.
    udda = read(f"udda{year}.parquet", ["PNR", "HFAUDD"])
    table = pd.read_csv(REG / "hfaudd_hgroup.csv", dtype=str)
    udda = udda.merge(table, on="HFAUDD", how="left")
    h = pd.to_numeric(udda["H"].str[1:], errors="coerce")
    udda["education"] = np.select(
        [h.isin([10, 15]), h.isin([20, 30, 35]), h.between(40, 80)], ["kort", "mellem", "lang"], default=UNKNOWN
    )

    # Income: mean of the 3 income years before the index year; type-7 quintile cut points within
    # sex x 5-year age group over the whole bef population of the index year; ties -> lower quintile.
    ind = pd.concat([read(f"ind{y}.parquet", ["PNR", "FAMAEKVIVADISP"]) for y in range(year - 3, year)])
    income = ind.groupby("PNR", as_index=False)["FAMAEKVIVADISP"].mean().rename(columns={"FAMAEKVIVADISP": "INCOME"})
    ref = bef[["PNR", "KOEN", "AGE"]].assign(AGE5=bef["AGE"] // 5).merge(income, on="PNR", how="inner")
    cuts = ref.groupby(["KOEN", "AGE5"])["INCOME"].quantile([0.2, 0.4, 0.6, 0.8], interpolation="linear").unstack()
    cuts.columns = ["Q0", "Q1", "Q2", "Q3"]
    ref = ref.merge(cuts.reset_index(), on=["KOEN", "AGE5"], how="left")
    ref["income_quintile"] = (1 + sum((ref["INCOME"] > ref[f"Q{i}"]).astype(int) for i in range(4))).astype(str)

    # Region: the 98 municipalities (Christiansø 0411 is not one of ulighed's).
    regions = pd.read_csv(HERE / "kommune_region.csv", dtype=str)
    regions["KOM"] = regions["KOM"].astype(int)
    regions = regions.loc[regions["KOM"] != 411, ["KOM", "REGION"]].rename(columns={"REGION": "region"})

    p["KOM"] = p["KOM"].astype(int)
    p = (
        p.merge(regions, on="KOM", how="left")
        .merge(udda[["PNR", "education"]], on="PNR", how="left")
        .merge(ref[["PNR", "income_quintile"]], on="PNR", how="left")
    )
    p["sex"] = p["KOEN"]
    p["origin"] = p["IE_TYPE"].map({"1": "dansk", "2": "indvandrer", "3": "efterkommer"})
    p["age_group"] = pd.cut(p["AGE"], [18, 45, 65, 80, np.inf], right=False, labels=["18-44", "45-64", "65-79", "80+"]).astype(object)
    dims = ["education", "income_quintile", "region", "sex", "origin", "age_group"]
    p[dims] = p[dims].fillna(UNKNOWN)

    parts = []
    for d in dims:
        g = p.groupby(d)["OUT"].agg(patients="size", with_outcome="sum").reset_index().rename(columns={d: "group"})
        g.insert(0, "dimension", d)
        parts.append(g)
    parts.append(pd.DataFrame({"dimension": ["total"], "group": ["i alt"], "patients": [len(p)], "with_outcome": [p["OUT"].sum()]}))
    out = pd.concat(parts)
    out.insert(0, "year", year)
    return out


pd.concat([analysis(y) for y in YEARS]).sort_values(["year", "dimension", "group"]).to_csv(sys.stdout, index=False)
