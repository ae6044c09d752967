"""The benchmark of ulighed at national register volumes, with hand-written peers side by side.

Run it through `bench/run` (which makes the virtual environment the peers need). For each scale
(1/100, 1/10 and the whole of 6 million persons over 2015-2024 by default) it:

1. generates the registers with `ulighed synth` into bench/data/persons-N/ (kept between runs;
   regenerated when the synth command or synth's sources change), timing the generation;
2. times `ulighed run --all` for the annual analysis and for the midway status (every shipped
   pipeline, both documents): wall, CPU and peak memory of each run, and every step inside it
   from the run's own JSON step log;
3. times the type 2 diabetes analysis as its own command (every year of its trend);
4. times the same analysis written by hand as a lazy Polars query, a DuckDB SQL script and a
   pandas script on the same files, each for every year of the trend, and checks that each gets
   ulighed's counts in every released cell (patients and patients with the outcome per stratum
   and year); any disagreement fails the benchmark;
5. writes the figures to bench/results/results.json and bench/results/results.md.

Medians are over --runs runs (3 by default). `--check` runs only the agreement of the peers with
ulighed (the diabetes spec alone, once) at one small scale and writes no results (what .ci/run
does).

Wall time is measured around each command; CPU time and peak resident memory come from the
kernel's accounting of the finished child process (wait4).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NATIONAL_PERSONS = 6_000_000
YEARS = "2015-2024"
T2D = "t2d_sglt2_glp1"
PEERS = {
    "polars": HERE / "peers" / "t2d_polars.py",
    "duckdb": HERE / "peers" / "t2d_duckdb.py",
    "pandas": HERE / "peers" / "t2d_pandas.py",
}
GIB = 1024**3


class BenchError(Exception):
    """A failure of the benchmark itself: a command failed or the peers disagree."""


def measured(command: list[str], *, memory_limit: int | None = None, env=None) -> dict:
    """Runs `command`, returning its output, wall and CPU seconds and peak memory (bytes).

    With `memory_limit`, the child is killed when its resident memory exceeds it (the pandas peer
    at national volume), so the machine is not driven into swap; the result then says so.
    """
    started = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    killed = threading.Event()
    out_parts: list[bytes] = []
    err_parts: list[bytes] = []
    readers = [
        threading.Thread(target=lambda: out_parts.append(child.stdout.read())),
        threading.Thread(target=lambda: err_parts.append(child.stderr.read())),
    ]
    for r in readers:
        r.start()
    if memory_limit:
        def watch():
            status = Path(f"/proc/{child.pid}/status")
            while child.returncode is None:
                try:
                    for line in status.read_text().splitlines():
                        if line.startswith("VmRSS:") and int(line.split()[1]) * 1024 > memory_limit:
                            killed.set()
                            child.kill()
                            return
                except (OSError, ValueError):
                    return
                time.sleep(0.1)
        threading.Thread(target=watch, daemon=True).start()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    for r in readers:
        r.join()
    return {
        "command": command,
        "exit": child.returncode,
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_bytes": usage.ru_maxrss * 1024,
        "out_of_memory": killed.is_set(),
        "stdout": b"".join(out_parts).decode("utf-8", "replace"),
        "stderr": b"".join(err_parts).decode("utf-8", "replace"),
    }


def require_ok(result: dict, what: str) -> dict:
    if result["exit"] != 0:
        raise BenchError(
            f"{what} failed with exit code {result['exit']}: {' '.join(map(str, result['command']))}\n"
            + result["stderr"][-4000:]
        )
    return result


def synth_sources() -> str:
    """SHA-256 over the sources that make synth's output, time and memory (its module, the
    allocator settings, the locked dependencies): registers kept from a synth built of other
    sources are generated again, so that the results' synth figures are this checkout's. Kept
    only by the command, a national synth's peak rose from 6.2 to 10.0 GiB unseen (bc3fd2d)."""
    root = Path(__file__).resolve().parent.parent
    files = sorted((root / "src" / "synth").rglob("*.rs")) + [root / "src" / "allocator.rs", root / "Cargo.lock"]
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def registers(ulighed: str, persons: int, data_root: Path, seed: int) -> tuple[Path, dict | None]:
    """The register folder of `persons` persons, generated unless the same command of a synth
    built from the same sources made it."""
    folder = data_root / f"persons-{persons}"
    command = [ulighed, "synth", "--persons", str(persons), "--years", YEARS, "--seed", str(seed), "--out", str(folder)]
    stamp = folder / ".bench-synth.json"
    wanted = {"persons": persons, "years": YEARS, "seed": seed, "synth_sources": synth_sources()}
    if stamp.exists() and json.loads(stamp.read_text()).get("made_by") == wanted:
        return folder, None
    if folder.exists():
        shutil.rmtree(folder)
    print(f"generating {persons:,} persons into {folder} ...", file=sys.stderr, flush=True)
    result = require_ok(measured(command), "ulighed synth")
    rows = {}
    for line in result["stdout"].splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == "rows":
            rows[parts[0]] = int(parts[1])
    synth = {key: result[key] for key in ("wall_s", "cpu_s", "peak_bytes")}
    synth["rows"] = rows
    synth["bytes_on_disk"] = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    stamp.write_text(json.dumps({"made_by": wanted, "synth": synth}, indent=1))
    return folder, synth


SAS_YEAR = 2024
# The prescriptions of one year as a research server delivers them: synth's columns and three
# more of the real register's (the product number, pack size and volume), so that a row is about
# as wide as a real extract's; csv2sas's types, one letter per column.
SAS_COLUMNS = "PNR,EKSD,ATC,APK,VNR,PACKSIZE,VOLUME"
SAS_TYPES = "sdsnsnn"


def sas_delivery(python: str, folder: Path, data_root: Path, persons: int) -> tuple[Path, int]:
    """A folder holding `lmdb{SAS_YEAR}.sas7bdat`, the prescriptions of one year of `folder` as a
    SAS data set (RLE-compressed, rows in person order as extracts often are, so that the
    conversion has to sort them), written by tools/sas/csv2sas.c through ReadStat. Kept between
    runs like the registers it is made from. Returns the folder and its rows."""
    out = data_root / f"sas-persons-{persons}"
    sas = out / f"lmdb{SAS_YEAR}.sas7bdat"
    stamp = out / ".bench-sas.json"
    made_from = (folder / ".bench-synth.json").read_text()
    if sas.exists() and stamp.exists() and json.loads(stamp.read_text()).get("made_from") == made_from:
        return out, json.loads(stamp.read_text())["rows"]
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    tool = data_root / "csv2sas"
    require_ok(measured(["cc", "-O2", "-o", str(tool), str(ROOT / "tools" / "sas" / "csv2sas.c"), "-lreadstat"]),
               "building tools/sas/csv2sas.c (needs cc and Debian's libreadstat-dev)")
    csv_path = data_root / f"lmdb{SAS_YEAR}-{persons}.csv"
    script = f"""
import polars as pl, sys
frame = (pl.scan_parquet(sys.argv[1])
    .filter(pl.col("EKSD").dt.year() == {SAS_YEAR})
    .sort("PNR", maintain_order=True)
    .with_columns(
        VNR=(pl.col("ATC").hash(7) % 900000 + 100000).cast(pl.String),
        PACKSIZE=(pl.col("ATC").hash(8) % 5 * 25 + 25).cast(pl.Float64),
        VOLUME=(pl.col("ATC").hash(9) % 100 + 1).cast(pl.Float64))
    .select({SAS_COLUMNS.split(",")!r}))
frame.sink_csv(sys.argv[2], date_format="%Y-%m-%d")
print(frame.select(pl.len()).collect().item())
"""
    made = require_ok(measured([python, "-c", script, str(folder / "lmdb.parquet"), str(csv_path)]),
                      "writing the prescriptions as CSV")
    rows = int(made["stdout"].split()[-1])
    require_ok(measured([str(tool), str(csv_path), str(sas), SAS_TYPES, "rle"]), "csv2sas")
    csv_path.unlink()
    stamp.write_text(json.dumps({"made_from": made_from, "rows": rows}))
    return out, rows


def sas_conversion(ulighed: str, python: str, folder: Path, data_root: Path, persons: int) -> dict:
    """Times `ulighed convert` of a SAS delivery of one year's prescriptions: wall, CPU and peak
    memory, with the rows and the SAS file's size."""
    delivery, rows = sas_delivery(python, folder, data_root, persons)
    dest = data_root / f"sas-converted-{persons}"
    if dest.exists():
        shutil.rmtree(dest)
    print(f"  converting {rows:,} SAS rows ...", file=sys.stderr, flush=True)
    result = require_ok(measured([ulighed, "convert", str(delivery), str(dest)]), "ulighed convert")
    shutil.rmtree(dest)
    return {
        "rows": rows,
        "sas_bytes": (delivery / f"lmdb{SAS_YEAR}.sas7bdat").stat().st_size,
        "wall_s": result["wall_s"],
        "cpu_s": result["cpu_s"],
        "peak_bytes": result["peak_bytes"],
    }


VALIDATION_PEER = HERE / "peers" / "validate_duckdb.py"
# A fixed as-of date after the registers' last year: the findings do not change with the day.
VALIDATION_AS_OF = "2025-06-30"


def validation_findings(ulighed_json: str) -> set[tuple[str, str, int]]:
    """(rule, file name, rows) of `ulighed validate --format json`."""
    report = json.loads(ulighed_json)
    found = set()
    for f in report["findings"]:
        name = Path(f["file"]).name if f.get("file") else report["folder"]
        found.add((f["rule"], name, int(f.get("count") or 0)))
    return found


def peer_findings(text: str) -> set[tuple[str, str, int]]:
    found = set()
    for line in text.splitlines():
        rule, name, rows = line.split("\t")[:3]
        found.add((rule, Path(name).name, int(rows)))
    return found


def validation(ulighed: str, python: str, folder: Path, data_root: Path) -> dict:
    """Times `ulighed validate` of the scale's registers (every rule over every file, as the
    first run on a new delivery does) beside the same rules written by hand in DuckDB SQL
    (bench/peers/validate_duckdb.py, 2 threads), and checks that both find the same rules with
    the same counts in the same files, on these registers and on a broken copy of the smallest
    scale (bench/data/broken-registers, made by `broken_copy`)."""
    ours = require_ok(measured([ulighed, "validate", str(folder), "--format", "json",
                                "--as-of", VALIDATION_AS_OF]), "ulighed validate")
    peer = require_ok(measured([python, str(VALIDATION_PEER), str(folder), "--as-of", VALIDATION_AS_OF,
                                "--threads", "2"]), "the DuckDB validation peer")
    ours_found, peer_found = validation_findings(ours["stdout"]), peer_findings(peer["stdout"])
    if ours_found != peer_found:
        raise BenchError(f"the DuckDB validation peer disagrees with ulighed validate on {folder}: "
                         f"only ulighed {sorted(ours_found - peer_found)}, only the peer {sorted(peer_found - ours_found)}")
    broken = broken_copy(python, data_root)
    # `validate` exits 65 when it finds an error, as it must on the broken copy.
    checked = measured([ulighed, "validate", str(broken), "--format", "json", "--as-of", VALIDATION_AS_OF])
    if checked["exit"] != 65:
        raise BenchError(f"ulighed validate of the broken copy exited {checked['exit']}, not 65:\n"
                         + checked["stderr"][-2000:])
    ours_broken = validation_findings(checked["stdout"])
    peer_broken = peer_findings(require_ok(measured(
        [python, str(VALIDATION_PEER), str(broken), "--as-of", VALIDATION_AS_OF]), "the peer (broken copy)")["stdout"])
    if ours_broken != peer_broken:
        raise BenchError(f"the DuckDB validation peer disagrees with ulighed validate on the broken copy: "
                         f"only ulighed {sorted(ours_broken - peer_broken)}, only the peer {sorted(peer_broken - ours_broken)}")
    return {
        "findings": len(ours_found),
        "broken_findings": len(ours_broken),
        "ulighed": {k: ours[k] for k in ("wall_s", "cpu_s", "peak_bytes")},
        "duckdb": {k: peer[k] for k in ("wall_s", "cpu_s", "peak_bytes")},
    }


def broken_copy(python: str, data_root: Path) -> Path:
    """data-samples/ with known problems injected (bench/peers/break_registers.py): codes, keys,
    dates, times, padding, a repeated person and contact, 411 Christiansø."""
    broken = data_root / "broken-registers"
    if broken.exists():
        shutil.rmtree(broken)
    require_ok(measured([python, str(HERE / "peers" / "break_registers.py"), str(ROOT / "data-samples"),
                         str(broken)]), "making the broken copy")
    return broken


def synth_figures(folder: Path) -> dict:
    return json.loads((folder / ".bench-synth.json").read_text())["synth"]


def run_all(ulighed: str, folder: Path, out: Path, report: str, only_t2d: bool = False,
            pipelines: Path = ROOT / "pipelines") -> dict:
    """One `ulighed run --all` (or of the diabetes spec alone) with its JSON step log parsed."""
    which = [str(ROOT / "pipelines" / f"{T2D}.toml")] if only_t2d else ["--all", "--pipelines", str(pipelines)]
    command = [
        ulighed, "run", *which, "--registers", str(folder),
        "--out", str(out), "--report", report, "--force", "--log-format", "json",
    ]
    result = require_ok(measured(command), f"ulighed run --all --report {report}")
    steps = []
    for line in result["stdout"].splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if event.get("event") == "step":
            steps.append(event)
        if event.get("event") == "failed":
            raise BenchError(f"ulighed run --all: {event['analysis']} failed: {event['message']}")
    result["steps"] = steps
    return result


def wide_specs(dest: Path) -> Path:
    """The shipped specs with `municipality` and `hospital` added to their stratifiers: the
    disclosure gate's hardest release (98 municipalities within 5 regions, every hospital)."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for spec in sorted((ROOT / "pipelines").glob("*.toml")):
        lines = []
        text = spec.read_text()
        # The list may span lines (the AMI spec gives a line to each stratifier).
        listed = tomllib.loads(text)["stratifiers"]
        listed += [s for s in ("municipality", "hospital") if s not in listed]
        in_list = False
        for line in text.splitlines():
            if line.startswith("stratifiers = ["):
                in_list = not line.rstrip().endswith("]")
                line = "stratifiers = " + json.dumps(listed)
            elif in_list:
                in_list = not line.strip().startswith("]")
                continue
            # Tables beside the shipped registers (the hospitals table) by absolute path, since
            # the copies live elsewhere.
            line = line.replace('"../data-samples/', '"' + str(ROOT / "data-samples") + "/")
            lines.append(line)
        (dest / spec.name).write_text("\n".join(lines) + "\n")
    return dest


# The dimensions the hand-written peers compute (bench/peers/t2d_*.py).
PEER_STRATIFIERS = ["education", "income_quintile", "origin", "region", "sex"]


def peer_work_spec(dest: Path, year: int) -> Path:
    """The diabetes spec doing exactly the peers' work: one index year (`year`), the peers'
    stratifiers (PEER_STRATIFIERS), no sub-analyses and no trend."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    lines, skipping = [], False
    for line in (ROOT / "pipelines" / f"{T2D}.toml").read_text().splitlines():
        if line.startswith("["):
            skipping = line.strip() in ("[[sub_analyses]]", "[trend]")
        if skipping:
            continue
        if line.startswith("stratifiers = ["):
            line = "stratifiers = " + json.dumps(PEER_STRATIFIERS)
        if line.startswith("index_date = "):
            line = f'index_date = "{year}-01-01"'
        lines.append(line.replace('"../data-samples', '"' + str(ROOT / "data-samples")))
    path = dest / f"{T2D}.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def diabetes_on_peer_work(ulighed: str, python: str, folder: Path, data_root: Path, persons: int,
                          runs: int, memory_limit: float) -> dict:
    """The diabetes analysis on exactly the peers' work (peer_work_spec, the last year of the
    shipped spec's trend), timed warm beside each peer run for that year alone, the released
    cells compared. The output root starts from the shipped runs' remembered validation
    (`out-<persons>`), so the first run does not validate the registers again."""
    shipped = (ROOT / "pipelines" / f"{T2D}.toml").read_text()
    year = int(re.search(r'^index_date = "(\d{4})', shipped, re.M).group(1))
    spec = peer_work_spec(data_root / "peer-work-spec", year)
    out = data_root / f"out-peer-work-{persons}"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    remembered = data_root / f"out-{persons}" / ".ulighed-cache"
    if remembered.exists():
        shutil.copytree(remembered, out / ".ulighed-cache")
    command = [ulighed, "run", str(spec), "--registers", str(folder), "--out", str(out),
               "--report", "annual", "--force", "--log-format", "json"]
    require_ok(measured(command), "ulighed run of the peers' work (warm-up)")
    reference = ulighed_counts(out)
    if not reference or {y for y, _, _ in reference} != {year}:
        raise BenchError(f"{out}: the peers' work released no counts of {year}")
    ours = []
    for _ in range(runs):
        r = require_ok(measured(command), "ulighed run of the peers' work")
        steps = [json.loads(line) for line in r["stdout"].splitlines() if line.startswith("{")]
        r["ingest_s"] = sum(e.get("seconds", 0.0) for e in steps
                            if e.get("event") == "step" and e.get("step") in ("patients", "aggregate"))
        ours.append(r)
    peers = {}
    for name, script in PEERS.items():
        results = []
        for _ in range(runs):
            r = measured([python, str(script), str(folder), str(year)], memory_limit=memory_limit * GIB)
            if r["out_of_memory"]:
                break
            require_ok(r, f"peer {name} (one year)")
            wrong = disagreements(r["stdout"], reference)
            if wrong:
                raise BenchError(f"peer {name} disagrees with ulighed on the peers' work in "
                                 f"{len(wrong)} of {len(reference)} cells:\n  " + "\n  ".join(wrong[:20]))
            results.append(r)
        peers[name] = {"wall_s": median([r["wall_s"] for r in results]) if results else None,
                       "peak_bytes": max((r["peak_bytes"] for r in results), default=None)}
    return {
        "year": year,
        "stratifiers": PEER_STRATIFIERS,
        "cells": len(reference),
        "runs": runs,
        "ulighed_wall_s": median([r["wall_s"] for r in ours]),
        "ulighed_ingest_s": median([r["ingest_s"] for r in ours]),
        "ulighed_peak_bytes": max(r["peak_bytes"] for r in ours),
        "peers": peers,
    }


def disclosure_seconds(result: dict) -> dict:
    """The disclosure gate's seconds of one run: in all and by analysis."""
    by_analysis = {}
    for s in result["steps"]:
        if s["step"] == "disclosure":
            by_analysis[s["analysis"]] = by_analysis.get(s["analysis"], 0.0) + s["seconds"]
    return {"all": sum(by_analysis.values()), "by_analysis": by_analysis}


def ulighed_counts(out: Path) -> dict:
    """ulighed's released counts of the diabetes analysis in each of its years (the trend's):
    (year, dimension, group) -> (patients, with outcome); suppressed cells are left out."""
    table = out / T2D / "tables" / f"{T2D}.csv"
    counts = {}
    with open(table, newline="") as f:
        for r in csv.DictReader(f):
            if r["subanalysis"] or r["measure"] != "proportion":
                continue
            if r["numerator"] == "" or r["denominator"] == "":
                continue
            counts[(int(r["year"]), r["dimension"], r["group"])] = (int(r["denominator"]), int(r["numerator"]))
    return counts


def disagreements(peer_csv: str, reference: dict) -> list[str]:
    """Every released cell whose peer count differs (the peer's one total row of a year stands for
    each dimension's `i alt` row of that year)."""
    peer = {}
    for r in csv.DictReader(io.StringIO(peer_csv)):
        peer[(int(r["year"]), r["dimension"], r["group"])] = (int(r["patients"]), int(r["with_outcome"]))
    wrong = []
    for key, want in sorted(reference.items()):
        year, dimension, group = key
        got = peer.get((year, "total", "i alt") if group == "i alt" else key)
        if got != want:
            wrong.append(f"{year} {dimension}={group}: ulighed {want}, peer {got}")
    return wrong


def median(values):
    return statistics.median(values) if values else None


def step_table(steps: list[dict]) -> dict:
    """Seconds by step summed over analyses and years, and the diabetes analysis's own."""
    total, t2d = {}, {}
    for s in steps:
        total[s["step"]] = total.get(s["step"], 0.0) + s["seconds"]
        if s["analysis"] == T2D:
            t2d[s["step"]] = t2d.get(s["step"], 0.0) + s["seconds"]
    return {"all": total, T2D: t2d}


def bench_scale(args, ulighed: str, persons: int, python: str) -> dict:
    folder, _ = registers(ulighed, persons, args.data, args.seed)
    out_root = args.data / f"out-{persons}"
    figures = {"persons": persons, "years": YEARS, "synth": synth_figures(folder), "runs": {}}
    runs = 1 if args.check else args.runs
    annual, midway = [], []
    # The first run finds no fingerprints or validation kept in the output roots (cold); the
    # later ones reuse them, as nightly runs do.
    if out_root.exists():
        shutil.rmtree(out_root)
    for i in range(runs):
        annual.append(run_all(ulighed, folder, out_root, "annual", only_t2d=args.check))
        if i == 0:
            reference = ulighed_counts(out_root)
        if not args.check:
            # The same output root: the midway status reuses what the annual run kept there.
            midway.append(run_all(ulighed, folder, out_root, "midway"))
        print(f"  run --all {i + 1}/{runs}: annual {annual[-1]['wall_s']:.1f} s"
              + (f", midway {midway[-1]['wall_s']:.1f} s" if midway else ""), file=sys.stderr, flush=True)
    if not reference:
        raise BenchError(f"{out_root}: ulighed released no counts of {T2D}")
    years = sorted({year for year, _, _ in reference})
    # The diabetes analysis as its own command, as the peers run: within `run --all` it would
    # borrow what other analyses read first (income quintiles of 2023, the action diagnoses).
    # Timed before the peers, on registers the runs above have just read: timed after them
    # (2026-11-25, 6 million persons), the command took 11.3 s (median of 4) where it took
    # 8.6-9.0 s right afterwards, most likely because the pandas peer, stopped at its memory
    # limit, pushes the registers out of the system's file cache.
    alone = [] if args.check else [
        run_all(ulighed, folder, out_root, "annual", only_t2d=True) for _ in range(runs)
    ]
    # The release with municipality and hospital added to every shipped spec, in an output root
    # of its own (its ledger apart from the shipped release's), warm after its first run.
    wide = []
    if not args.check:
        specs = wide_specs(args.data / "wide-specs")
        wide_root = args.data / f"out-wide-{persons}"
        if wide_root.exists():
            shutil.rmtree(wide_root)
        for i in range(runs):
            wide.append(run_all(ulighed, folder, wide_root, "annual", pipelines=specs))
            print(f"  run --all with municipality and hospital {i + 1}/{runs}: "
                  f"{wide[-1]['wall_s']:.1f} s, gate {disclosure_seconds(wide[-1])['all']:.1f} s",
                  file=sys.stderr, flush=True)
    peers = {}
    for name, script in PEERS.items():
        results = []
        for i in range(runs):
            r = measured([python, str(script), str(folder), *map(str, years)],
                         memory_limit=args.memory_limit_gib * GIB)
            if r["out_of_memory"]:
                results.append(r)
                print(f"  {name}: stopped above {args.memory_limit_gib} GiB", file=sys.stderr, flush=True)
                break
            require_ok(r, f"peer {name}")
            wrong = disagreements(r["stdout"], reference)
            if wrong:
                raise BenchError(f"peer {name} disagrees with ulighed at {persons:,} persons in "
                                 f"{len(wrong)} of {len(reference)} released cells:\n  " + "\n  ".join(wrong[:20]))
            results.append(r)
            print(f"  {name} {i + 1}/{runs}: {r['wall_s']:.1f} s, agrees in {len(reference)} cells",
                  file=sys.stderr, flush=True)
        ok = [r for r in results if not r["out_of_memory"]]
        peers[name] = {
            "wall_s": median([r["wall_s"] for r in ok]),
            "cpu_s": median([r["cpu_s"] for r in ok]),
            "peak_bytes": max((r["peak_bytes"] for r in ok), default=None),
            "runs": len(ok),
            "out_of_memory": any(r["out_of_memory"] for r in results),
            "cells_agreeing": len(reference) if ok else 0,
        }
    figures["cells_compared"] = len(reference)
    figures["peers"] = peers
    if args.check:
        return figures
    figures["sas_convert"] = sas_conversion(ulighed, python, folder, args.data, persons)
    figures["validation"] = validation(ulighed, python, folder, args.data)
    figures["peer_work"] = diabetes_on_peer_work(ulighed, python, folder, args.data, persons, runs,
                                                 args.memory_limit_gib)

    def summary(results):
        return {
            "wall_s": median([r["wall_s"] for r in results]),
            "cpu_s": median([r["cpu_s"] for r in results]),
            "peak_bytes": max(r["peak_bytes"] for r in results),
            "walls": [r["wall_s"] for r in results],
        }

    # The first annual run validates the registers (cold); nightly runs reuse that validation,
    # so the annual figures are the medians of the later (warm) runs, the first run apart.
    # With one run there is no warm run: its figures are the cold run's.
    warm = annual[1:] or annual
    pairs = list(zip(annual, midway))
    figures["runs"] = {"annual": summary(warm), "midway": summary(midway), "first": summary(annual[:1])}
    figures["run_all_both_reports_wall_s"] = median([a["wall_s"] + m["wall_s"] for a, m in pairs[1:] or pairs])
    tables = [step_table(r["steps"]) for r in warm]
    steps = sorted({k for t in tables for k in t["all"]})
    figures["steps_all"] = {k: median([t["all"].get(k, 0.0) for t in tables]) for k in steps}
    t2d_tables = [step_table(r["steps"])[T2D] for r in alone]
    t2d_steps = sorted({k for t in t2d_tables for k in t})
    figures["steps_t2d"] = {k: median([t.get(k, 0.0) for t in t2d_tables]) for k in t2d_steps}
    figures["t2d_ingest_to_aggregate_s"] = median([
        sum(t.get(k, 0.0) for k in ("patients", "aggregate")) for t in t2d_tables
    ])
    figures["t2d_whole_s"] = median([r["wall_s"] for r in alone])
    figures["t2d_whole_peak_bytes"] = max(r["peak_bytes"] for r in alone)
    figures["t2d_years"] = years
    figures["t2d_index_year_patients_s"] = median([
        sum(x["seconds"] for x in r["steps"]
            if x["analysis"] == T2D and x["step"] in ("patients", "aggregate") and x.get("year") == years[-1])
        for r in alone
    ])
    figures["steps_first_run"] = step_table(annual[0]["steps"])
    analyses = sorted({x["analysis"] for r in annual for x in r["steps"]})
    figures["seconds_by_analysis"] = {
        a: median([sum(x["seconds"] for x in r["steps"] if x["analysis"] == a) for r in warm])
        for a in analyses
    }
    wide_warm = wide[1:] or wide
    gates = [disclosure_seconds(r) for r in wide_warm]
    figures["gate"] = {
        "shipped_s": median([disclosure_seconds(r)["all"] for r in warm]),
        "wide_run_all_s": median([r["wall_s"] for r in wide_warm]),
        "wide_peak_bytes": max(r["peak_bytes"] for r in wide_warm),
        "wide_s": median([g["all"] for g in gates]),
        "wide_by_analysis": {
            a: median([g["by_analysis"].get(a, 0.0) for g in gates])
            for a in sorted({a for g in gates for a in g["by_analysis"]})
        },
    }
    polars_s = peers["polars"]["wall_s"]
    duckdb_s = peers["duckdb"]["wall_s"]
    figures["ratios"] = {
        "t2d_ingest_to_aggregate_over_polars": figures["t2d_ingest_to_aggregate_s"] / polars_s if polars_s else None,
        "t2d_whole_over_duckdb": figures["t2d_whole_s"] / duckdb_s if duckdb_s else None,
    }
    return figures


def machine() -> dict:
    mem = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem = int(line.split()[1]) * 1024
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gib": round(mem / GIB, 1), "system": platform.platform()}


def gib(b):
    return "" if b is None else f"{b / GIB:.2f}"


def secs(s):
    return "" if s is None else f"{s:.2f}"


def runs_of(scale: dict) -> str:
    """How many runs the figures of a scale are medians of, counted from the runs recorded."""
    annual = len(scale["runs"]["annual"]["walls"])
    midway = len(scale["runs"]["midway"]["walls"])
    if "first" not in scale["runs"]:
        return f"medians of {annual} run(s), the cold first run among them"
    if midway == 1:
        return "one run: its annual figures are the cold first run's"
    return f"annual figures the median of {annual} warm run(s), midway of {midway}"


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {m['cpus']} CPUs ({m['cpu']}), {m['memory_gib']} GiB, {m['system']}. "
        "Each scale: " + "; ".join(f"{s['persons']:,} persons by `{s.get('command', results['command'])}` on "
                                   f"{s.get('date', results['date'])}, {runs_of(s)}"
                                   for s in results["scales"]) + ".",
        "",
        "## Volumes and generation (`ulighed synth`)",
        "",
        "| persons | contacts | diagnoses | procedures | prescriptions | on disk GiB | synth wall s | synth peak GiB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in results["scales"]:
        rows, syn = s["synth"]["rows"], s["synth"]
        lines.append(
            f"| {s['persons']:,} | {rows.get('lpr_kontakter', 0):,} | {rows.get('lpr_diagnoser', 0):,} | "
            f"{rows.get('lpr_procedurer', 0):,} | {rows.get('lmdb', 0):,} | {gib(syn['bytes_on_disk'])} | "
            f"{secs(syn['wall_s'])} | {gib(syn['peak_bytes'])} |"
        )
    lines += [
        "",
        "## Wall time (s) and peak memory (GiB)",
        "",
        "Annual figures are medians of the warm runs (every run after the first, which validates the "
        "registers and is shown apart as the cold first run); midway runs are all warm.",
        "",
        "The diabetes analysis (T2D) is timed as its own command (`ulighed run "
        f"pipelines/{T2D}.toml`, warm), not inside `run --all`, where it would borrow what other "
        "analyses read first. It computes every year of its trend, and so does each peer (one "
        "analysis per year, as an analyst would loop over them), so the ratios compare the same "
        "work. T2D whole is that command's wall time, reports included; ingest-to-aggregate is its "
        "`patients` and `aggregate` steps.",
        "",
        "| persons | run --all annual | midway | both | peak GiB | first run, cold (s) | its peak GiB | T2D ingest-to-aggregate | of it the last year | T2D whole | Polars peer | DuckDB peer | pandas peer | ingest/Polars | whole/DuckDB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in results["scales"]:
        r, p = s["runs"], s["peers"]
        pandas = "out of memory" if p["pandas"]["out_of_memory"] else secs(p["pandas"]["wall_s"])
        lines.append(
            f"| {s['persons']:,} | {secs(r['annual']['wall_s'])} | {secs(r['midway']['wall_s'])} | "
            f"{secs(s['run_all_both_reports_wall_s'])} | {gib(max(r['annual']['peak_bytes'], r['midway']['peak_bytes']))} | "
            f"{secs(r.get('first', {}).get('wall_s'))} | {gib(r.get('first', {}).get('peak_bytes'))} | "
            f"{secs(s['t2d_ingest_to_aggregate_s'])} | {secs(s['t2d_index_year_patients_s'])} | {secs(s['t2d_whole_s'])} | "
            f"{secs(p['polars']['wall_s'])} | {secs(p['duckdb']['wall_s'])} | {pandas} | "
            f"{s['ratios']['t2d_ingest_to_aggregate_over_polars']:.2f} | "
            f"{s['ratios']['t2d_whole_over_duckdb']:.2f} |"
        )
    lines += ["", "Peak memory of the peers (GiB): " + "; ".join(
        f"{s['persons']:,} persons: " + ", ".join(
            f"{n} {gib(p['peak_bytes']) or '-'}" for n, p in s["peers"].items()) for s in results["scales"]), ""]
    lines += ["## Where the time goes (run --all, annual; seconds summed over analyses and years)", "",
              "Medians of the warm runs; the first run on new registers also hashes and validates them "
              "(its `fingerprint` and `validate` steps are in the second table).", ""]
    steps = sorted({k for s in results["scales"] for k in s["steps_all"]})
    lines.append("| step | " + " | ".join(f"{s['persons']:,}" for s in results["scales"]) + " |")
    lines.append("|---|" + "---:|" * len(results["scales"]))
    for k in steps:
        lines.append(f"| {k} | " + " | ".join(secs(s["steps_all"].get(k)) for s in results["scales"]) + " |")
    lines += ["", "First run on new registers (cold caches):", ""]
    lines.append("| step | " + " | ".join(f"{s['persons']:,}" for s in results["scales"]) + " |")
    lines.append("|---|" + "---:|" * len(results["scales"]))
    for k in steps:
        lines.append(f"| {k} | " + " | ".join(secs(s["steps_first_run"]["all"].get(k)) for s in results["scales"]) + " |")
    measured = [s for s in results["scales"] if "seconds_by_analysis" in s]
    if measured:
        lines += ["", "By analysis (every step, warm runs):", ""]
        names = sorted({a for s in measured for a in s["seconds_by_analysis"]})
        lines.append("| analysis | " + " | ".join(f"{s['persons']:,}" for s in measured) + " |")
        lines.append("|---|" + "---:|" * len(measured))
        for a in names:
            lines.append(f"| {a} | " + " | ".join(secs(s["seconds_by_analysis"].get(a)) for s in measured) + " |")
    gated = [s for s in measured if "gate" in s]
    if gated:
        lines += ["", "## The disclosure gate", "",
                  "Seconds of the `disclosure` step (both stages of the release-wide gate, the ledger's "
                  "relations included), summed over analyses and years of a warm annual `run --all`: "
                  "of the shipped specs, and of the same specs with `municipality` and `hospital` "
                  "added to every one (`wide_specs` in harness.py, an output root of its own).", "",
                  "| persons | gate, shipped specs | run --all, + municipality and hospital | its gate | its peak GiB | "
                  "slowest analysis's gate |",
                  "|---:|---:|---:|---:|---:|---|"]
        for s in gated:
            g = s["gate"]
            slowest = max(g["wide_by_analysis"].items(), key=lambda kv: kv[1], default=("-", None))
            lines.append(f"| {s['persons']:,} | {secs(g['shipped_s'])} | {secs(g['wide_run_all_s'])} | "
                         f"{secs(g['wide_s'])} | {gib(g['wide_peak_bytes'])} | {slowest[0]} {secs(slowest[1])} |")
    checked = [s for s in results["scales"] if "validation" in s]
    if checked:
        lines += ["", "## Validation beside its DuckDB peer", "",
                  "`ulighed validate DIR --format json` (every rule over every file, as the first run on a new "
                  "delivery) beside the contract's rules written by hand in DuckDB SQL "
                  "(`peers/validate_duckdb.py`, 2 threads). Both found the same rules with the same counts in the "
                  "same files, here and on a broken copy of data-samples (`peers/break_registers.py`); the "
                  "benchmark fails otherwise. One run each.", "",
                  "| persons | findings | validate wall s | its peak GiB | DuckDB peer wall s | its peak GiB | validate/peer |",
                  "|---:|---:|---:|---:|---:|---:|---:|"]
        for s in checked:
            v = s["validation"]
            lines.append(f"| {s['persons']:,} | {v['findings']} | {secs(v['ulighed']['wall_s'])} | "
                         f"{gib(v['ulighed']['peak_bytes'])} | {secs(v['duckdb']['wall_s'])} | "
                         f"{gib(v['duckdb']['peak_bytes'])} | {v['ulighed']['wall_s'] / v['duckdb']['wall_s']:.2f} |")
    worked = [s for s in results["scales"] if "peer_work" in s]
    if worked:
        w0 = worked[0]["peer_work"]
        lines += ["", "## The diabetes analysis on exactly the peers' work", "",
                  f"`ulighed run` of the diabetes spec cut to the peers' work (`peer_work_spec` in harness.py: "
                  f"the index year {w0['year']} alone, the stratifiers {', '.join(w0['stratifiers'])}, no "
                  "sub-analyses), warm, beside each peer run for that year alone; every released cell agreed "
                  "(the benchmark fails otherwise). Whole is the command's wall time, reports included; "
                  "ingest-to-aggregate its `patients` and `aggregate` steps. Medians of the runs.", "",
                  "| persons | runs | cells | ulighed whole s | ingest-to-aggregate s | its peak GiB | Polars peer s | "
                  "DuckDB peer s | pandas peer s | ingest/Polars | whole/Polars |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for s in worked:
            w = s["peer_work"]
            peer = {name: w["peers"].get(name, {}).get("wall_s") for name in ("polars", "duckdb", "pandas")}
            polars_s = peer["polars"]
            ratio = (lambda x: f"{x / polars_s:.2f}") if polars_s else (lambda x: "-")
            lines.append(
                f"| {s['persons']:,} | {w['runs']} | {w['cells']} | {secs(w['ulighed_wall_s'])} | "
                f"{secs(w['ulighed_ingest_s'])} | {gib(w['ulighed_peak_bytes'])} | "
                + " | ".join(secs(peer[n]) if peer[n] is not None else "out of memory" for n in ("polars", "duckdb", "pandas"))
                + f" | {ratio(w['ulighed_ingest_s'])} | {ratio(w['ulighed_wall_s'])} |")
    converted = [s for s in results["scales"] if "sas_convert" in s]
    if converted:
        lines += ["", "## Converting a SAS delivery (`ulighed convert`)", "",
                  f"One year's prescriptions (`lmdb{SAS_YEAR}.sas7bdat`, {SAS_COLUMNS.replace(',', ', ')}; RLE-compressed, "
                  "rows in person order) written by `tools/sas/csv2sas.c` (ReadStat) from the scale's registers, "
                  "converted to date-sorted Parquet by `ulighed convert` (validated, decoded batch by batch, "
                  "sorted in date ranges). One run.", "",
                  "| persons | rows | SAS GiB | wall s | CPU s | peak GiB |", "|---:|---:|---:|---:|---:|---:|"]
        for s in converted:
            c = s["sas_convert"]
            lines.append(f"| {s['persons']:,} | {c['rows']:,} | {gib(c['sas_bytes'])} | {secs(c['wall_s'])} | "
                         f"{secs(c['cpu_s'])} | {gib(c['peak_bytes'])} |")
    lines += ["", f"Diabetes analysis as its own command ({T2D}, seconds summed over its years):", ""]
    steps = sorted({k for s in results["scales"] for k in s["steps_t2d"]})
    lines.append("| step | " + " | ".join(f"{s['persons']:,}" for s in results["scales"]) + " |")
    lines.append("|---|" + "---:|" * len(results["scales"]))
    for k in steps:
        lines.append(f"| {k} | " + " | ".join(secs(s["steps_t2d"].get(k)) for s in results["scales"]) + " |")
    lines.append("")
    lines.append("Every peer agreed with ulighed in every released cell of the diabetes table (every year "
                 "of its trend) at every scale (the benchmark fails otherwise): " + ", ".join(
                     f"{s['persons']:,} persons {s['cells_compared']} cells" for s in results["scales"]) + ".")
    return "\n".join(lines) + "\n"


def only_steps(args, sizes: list[int]) -> int:
    """Times the SAS conversion or the validation alone and adds their figures to the scales of
    the results already written (a scale not yet measured is left out)."""
    path = args.results / "results.json"
    results = json.loads(path.read_text())
    try:
        for persons in sizes:
            folder, _ = registers(args.ulighed, persons, args.data, args.seed)
            steps = {}
            if args.only_sas:
                steps["sas_convert"] = sas_conversion(args.ulighed, args.python, folder, args.data, persons)
            if args.only_validation:
                steps["validation"] = validation(args.ulighed, args.python, folder, args.data)
            if args.only_peer_work:
                steps["peer_work"] = diabetes_on_peer_work(args.ulighed, args.python, folder, args.data,
                                                           persons, args.runs, args.memory_limit_gib)
            for key, figures in steps.items():
                figures["date"] = time.strftime("%Y-%m-%d %H:%M")
                for s in results["scales"]:
                    if s["persons"] == persons:
                        s[key] = figures
    except BenchError as e:
        print(f"bench: {e}", file=sys.stderr)
        return 1
    path.write_text(json.dumps(results, indent=1) + "\n")
    (args.results / "results.md").write_text(markdown(results))
    print(markdown(results))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ulighed", required=True, help="the ulighed binary to time")
    parser.add_argument("--python", default=sys.executable, help="the Python with the peers' packages")
    parser.add_argument("--scales", default="100,10,1",
                        help="divisors of the national volume (6 million persons), e.g. 100,10,1")
    parser.add_argument("--persons", type=int, help="one scale of this many persons instead of --scales")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, default=HERE / "data", help="where registers are kept")
    parser.add_argument("--results", type=Path, default=HERE / "results")
    parser.add_argument("--memory-limit-gib", type=float, default=20.0,
                        help="a peer using more resident memory is stopped and reported out of memory")
    parser.add_argument("--check", action="store_true", help="only the peers' agreement, at one scale")
    parser.add_argument("--only-sas", action="store_true",
                        help="only the SAS conversion, its figures added to the results already written")
    parser.add_argument("--only-validation", action="store_true",
                        help="only the validation beside its DuckDB peer, added to the results already written")
    parser.add_argument("--only-peer-work", action="store_true",
                        help="only the diabetes analysis on exactly the peers' work (one year, their "
                             "stratifiers), added to the results already written; needs the scale's "
                             "output root of a full run for its remembered validation")
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    if args.persons:
        sizes = [args.persons]
    else:
        sizes = [NATIONAL_PERSONS // int(d) for d in args.scales.split(",")]
    if args.only_sas or args.only_validation or args.only_peer_work:
        return only_steps(args, sizes)
    try:
        scales = []
        for persons in sizes:
            print(f"scale: {persons:,} persons, {YEARS}", file=sys.stderr, flush=True)
            scales.append(bench_scale(args, args.ulighed, persons, args.python))
    except BenchError as e:
        print(f"bench: {e}", file=sys.stderr)
        return 1
    if args.check:
        for s in scales:
            print(f"bench --check: the Polars, DuckDB and pandas peers agree with ulighed in all "
                  f"{s['cells_compared']} released cells at {s['persons']:,} persons")
        return 0
    command = " ".join(["bench/run"] + [a for a in sys.argv[1:] if a not in (args.python, args.ulighed, "--python", "--ulighed")])
    for s in scales:
        s["command"] = command
        s["date"] = time.strftime("%Y-%m-%d %H:%M")
        s["runs_per_figure"] = args.runs
    # Scales measured earlier (by another invocation) are kept unless measured again.
    previous = args.results / "results.json"
    if previous.exists():
        try:
            kept = json.loads(previous.read_text()).get("scales", [])
        except json.JSONDecodeError:
            kept = []
        measured_now = {s["persons"] for s in scales}
        scales = sorted([s for s in kept if s["persons"] not in measured_now] + scales, key=lambda s: s["persons"])
    results = {
        "command": command,
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "runs": args.runs,
        "scales": scales,
    }
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    (args.results / "results.md").write_text(markdown(results))
    print(markdown(results))
    print(f"wrote {args.results / 'results.md'} and results.json", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
