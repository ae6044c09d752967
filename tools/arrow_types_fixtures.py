#!/usr/bin/env python3
"""Writes tests/data/arrow-types/: Parquet register files whose columns carry the Arrow types a
real delivery may (decimals, small and unsigned integers, Float32, timestamps with and without a
time zone, date64, dictionary-encoded and large strings, and for extra columns also booleans,
binary, times and durations), each beside the valid CSV folder of tests/cli/common.rs.

Each sub-folder replaces one register of that folder; the values are those of the CSV fixture, so
a run on any of them must give the tables of the CSV folder. Needs pyarrow (pip install pyarrow).

Usage: tools/arrow_types_fixtures.py [OUT_DIR]   (default: tests/data/arrow-types)
"""

import datetime
import decimal
import os
import shutil
import sys

import pyarrow as pa
import pyarrow.parquet as pq

BEF = {
    "PNR": ["0001", "0002"],
    "FOED_DAG": [datetime.date(1960, 5, 1), datetime.date(1970, 1, 1)],
    "KOEN": ["1", "2"],
    "KOM": ["101", "751"],
    "IE_TYPE": ["1", "2"],
}
IND = {"PNR": ["0001", "0002"], "FAMAEKVIVADISP": [250000.5, 300000.0]}

EXTRA_TYPES = {
    "int8": pa.array([1, 2], pa.int8()),
    "int16": pa.array([1, 2], pa.int16()),
    "uint8": pa.array([1, 2], pa.uint8()),
    "uint16": pa.array([1, 2], pa.uint16()),
    "uint32": pa.array([1, 2], pa.uint32()),
    "uint64": pa.array([1, 2], pa.uint64()),
    "float32": pa.array([1.5, 2.5], pa.float32()),
    "decimal18_2": pa.array([decimal.Decimal("1.25"), decimal.Decimal("2.50")], pa.decimal128(18, 2)),
    "decimal38_10": pa.array([decimal.Decimal("1.25"), None], pa.decimal128(38, 10)),
    "large_string": pa.array(["a", "b"], pa.large_string()),
    "dictionary": pa.array(["a", "b"]).dictionary_encode(),
    "timestamp_us": pa.array([datetime.datetime(2020, 1, 1), datetime.datetime(2021, 1, 1)], pa.timestamp("us")),
    "timestamp_ns_utc": pa.array([datetime.datetime(2020, 1, 1), None], pa.timestamp("ns", tz="UTC")),
    "date64": pa.array([datetime.date(2020, 1, 1), datetime.date(2021, 1, 1)], pa.date64()),
    "bool": pa.array([True, False]),
    "binary": pa.array([b"a", b"b"]),
    "time64": pa.array([1, 2], pa.time64("us")),
    "duration": pa.array([1, 2], pa.duration("s")),
    "null": pa.array([None, None], pa.null()),
}


def bef_with(**columns):
    cols = {k: pa.array(v) for k, v in BEF.items()}
    cols.update(columns)
    return pa.table(cols)


# Contract columns in the types a delivery (or a SAS or database export) may give them.
CONTRACT = {
    "kom_int16": ("bef2024", bef_with(KOM=pa.array([101, 751], pa.int16()))),
    "kom_uint16": ("bef2024", bef_with(KOM=pa.array([101, 751], pa.uint16()))),
    "kom_decimal": ("bef2024", bef_with(KOM=pa.array([decimal.Decimal(101), decimal.Decimal(751)], pa.decimal128(10, 0)))),
    "kom_dictionary": ("bef2024", bef_with(KOM=pa.array(["101", "751"]).dictionary_encode())),
    "koen_int8": ("bef2024", bef_with(KOEN=pa.array([1, 2], pa.int8()))),
    "koen_uint8": ("bef2024", bef_with(KOEN=pa.array([1, 2], pa.uint8()))),
    "ie_type_float32": ("bef2024", bef_with(IE_TYPE=pa.array([1.0, 2.0], pa.float32()))),
    "pnr_large_string": ("bef2024", bef_with(PNR=pa.array(["0001", "0002"], pa.large_string()))),
    "pnr_dictionary": ("bef2024", bef_with(PNR=pa.array(["0001", "0002"]).dictionary_encode())),
    "foed_dag_timestamp_us": ("bef2024", bef_with(FOED_DAG=pa.array([datetime.datetime(1960, 5, 1), datetime.datetime(1970, 1, 1)], pa.timestamp("us")))),
    "foed_dag_timestamp_ns_utc": ("bef2024", bef_with(FOED_DAG=pa.array([datetime.datetime(1960, 5, 1), datetime.datetime(1970, 1, 1)], pa.timestamp("ns", tz="UTC")))),
    "foed_dag_date64": ("bef2024", bef_with(FOED_DAG=pa.array([datetime.date(1960, 5, 1), datetime.date(1970, 1, 1)], pa.date64()))),
    "income_decimal": ("ind2024", pa.table({"PNR": pa.array(IND["PNR"]), "FAMAEKVIVADISP": pa.array([decimal.Decimal("250000.50"), decimal.Decimal("300000.00")], pa.decimal128(18, 2))})),
    "income_float32": ("ind2024", pa.table({"PNR": pa.array(IND["PNR"]), "FAMAEKVIVADISP": pa.array([250000.5, 300000.0], pa.float32())})),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/arrow-types"
    shutil.rmtree(out, ignore_errors=True)
    for name, arr in EXTRA_TYPES.items():
        os.makedirs(f"{out}/extra_{name}", exist_ok=True)
        table = bef_with()
        table = table.append_column("EXTRA", arr)
        pq.write_table(table, f"{out}/extra_{name}/bef2024.parquet")
    for name, (register, table) in CONTRACT.items():
        os.makedirs(f"{out}/{name}", exist_ok=True)
        pq.write_table(table, f"{out}/{name}/{register}.parquet")


if __name__ == "__main__":
    main()
