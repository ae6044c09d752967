#!/bin/sh
# Makes tests/data/sas-registers/: a synthetic registers folder as the research servers deliver
# it, mostly SAS7BDAT (written by ReadStat's library through tools/sas/csv2sas.c), with the
# prescriptions as CSV and the deaths as Parquet, so one folder mixes the three formats.
#   - bef: codes as SAS numbers (KOEN, KOM, IE_TYPE); bef2024 in Latin-1 with RLE compression
#   - udda: HFAUDD as a number; ind2024 names its income column FAMAEKVIVADISP_13 (an alias)
#   - the patient register under the LPR3 "F" research names (lpr_f_kontakter ...), lower-case
#     column names, contacts RLE-compressed
# The CSV each SAS file was written from is kept in csv-source/ (the round-trip test compares).
# Needs: cargo, cc, Debian's libreadstat-dev.   Usage: tools/sas/make_register_fixtures.sh
set -eu
cd "$(dirname "$0")/../.."
out=tests/data/sas-registers
work=$(mktemp -d)
cc -O2 -o "$work/csv2sas" tools/sas/csv2sas.c -lreadstat
args="--persons 3000 --years 2021-2024 --seed 11 --contacts-per-person-year 0.3 --prescriptions-per-person-year 0.3"
cargo run --quiet -- synth $args --format csv --out "$work/csv" > /dev/null
cargo run --quiet -- synth $args --format parquet --out "$work/parquet" > /dev/null
rm -rf "$out"
mkdir -p "$out/csv-source"
sas() { # name types [options...]
    name=$1 types=$2 target=$3; shift 3
    cp "$work/csv/$name.csv" "$out/csv-source/$target.csv"
    "$work/csv2sas" "$work/csv/$name.csv" "$out/$target.sas7bdat" "$types" "$@"
}
for y in 2021 2022 2023; do
    sas bef$y sdnnns bef$y
    sas udda$y sn udda$y
    sas ind$y snn ind$y
done
sas bef2024 sdnnns bef2024 latin1 rle
sas udda2024 sn udda2024 rle
sed '1s/FAMAEKVIVADISP/FAMAEKVIVADISP_13/' "$work/csv/ind2024.csv" > "$work/csv/ind2024_alias.csv"
sas ind2024_alias snn ind2024
sas lpr_kontakter nsddsss lpr_f_kontakter rle lower
sas lpr_diagnoser nsss lpr_f_diagnoser lower
sas lpr_procedurer nsd lpr_f_procedurer lower
cp "$work/csv/lmdb.csv" "$out/lmdb.csv"
cp "$work/parquet/dod.parquet" "$out/dod.parquet"
rm -rf "$work"
du -sh "$out"
