#!/usr/bin/env python3
"""Simplify the DAGI region and municipality boundaries into compact JSON for choropleth maps.

Standard library only. Reads (read-only)

    <input-dir>/regioner.geojson     222 Polygon features, REGIONKODE / REGIONNAVN
    <input-dir>/kommuner.geojson     311 Polygon features, KOMKODE / KOMNAVN
    <kommune-region>                 KOM,kommune,REGION,region (municipality -> region)

and writes

    <out-dir>/regions.json
    <out-dir>/municipalities.json
    <out-dir>/PROVENANCE.md

Output format (compact JSON, UTF-8):

    {"source": "...", "features": [{"code": "1084", "name": "Region Hovedstaden",
      "region": "1084", "rings": [[[lon, lat], ...], ...], "holes": [[[lon, lat], ...]]}, ...]}

One feature per code, sorted by code. `rings` holds the outer ring of every kept island part
(largest part first); `holes` holds the kept inner rings (only København has one: Frederiksberg,
which is an enclave) and is an empty list otherwise. Rings are closed (first point == last point),
outer rings counter-clockwise and holes clockwise (x = lon, y = lat, RFC 7946 convention), and
every ring has at least 4 distinct vertices. Coordinates are lon/lat rounded to 4 decimals.

Method
------
* The dummy third coordinate (-999.0) is dropped.
* Topology-preserving Douglas-Peucker: all rings of both files are cut into arcs at junction
  points (points where the neighbourhood changes, as in TopoJSON), each distinct arc is simplified
  once, and the rings are reassembled from the simplified arcs. Shared borders therefore stay
  shared (no slivers or gaps between neighbours) and the region borders coincide exactly with
  the municipal borders. Distances are measured in (lon * cos(56 deg), lat) degrees.
  Coast lines use --tolerance; land borders between municipalities (far fewer points, but they
  decide the shape of the small municipalities around Copenhagen) use --border-tolerance.
* Segments that cross after simplification (self-intersections, an island ring cutting the
  mainland across a narrow strait) get their most deviating original points back until no
  two segments of the output cross.
* Island parts whose area is below --min-area-km2 are dropped, except the largest part of each
  code, and only when the part shares no border with another ring of the same file.
* A ring that would end up with fewer than 4 distinct vertices gets back its most significant
  original points until it has 4.
* Christiansø (0411) is not a municipality and is left out of municipalities.json.

Inputs
------
The two GeoJSON files are the DAGI administrative boundaries (Geodatastyrelsen & Danske Kommuner,
FOT data set, 2014-02-13, scale 1:500.000) as published in the public GitHub repository
Neogeografen/dagi, snapshot commit a1c1563a6484a07ae937caed043ab839d2d6b2d6 (2015-07-20), files
geojson/regioner.geojson and geojson/kommuner.geojson, used unchanged. Download them into a folder
of your choice and pass it as --input-dir; assets/dk-geo/PROVENANCE.md gives their SHA-256, so a
download can be checked. The municipality -> region table (DAGI's 4-digit KOM, name, region code
and name) was derived from the same two files by point-in-polygon; the repository keeps it as
bench/peers/kommune_region.csv, which is read unless --kommune-region names another file or the
input folder holds a kommune_region.csv of its own.

Regenerate (from the repository root; DAGI_DIR is the folder holding the two GeoJSON files):

    python3 tools/simplify_geo.py --input-dir DAGI_DIR --out-dir assets/dk-geo
"""

import argparse
import csv
import hashlib
import json
import math
import os
import sys
from collections import defaultdict

LAT0 = 56.0
XSCALE = math.cos(math.radians(LAT0))
KM_PER_DEG = 111.2  # km per degree of latitude (good enough for an area filter)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KOMMUNE_REGION_IN_REPO = os.path.join("bench", "peers", "kommune_region.csv")

UPSTREAM_REPO = "Neogeografen/dagi"
UPSTREAM_COMMIT = "a1c1563a6484a07ae937caed043ab839d2d6b2d6"
SOURCE_LINE = (
    "Geodatastyrelsen & Danske Kommuner, DAGI/FOT 2014-02-13, scale 1:500.000, via "
    "github.com/Neogeografen/dagi@a1c1563 (simplified; see assets/dk-geo/PROVENANCE.md)"
)


# --------------------------------------------------------------------------- reading

def read_geojson(path, code_key, name_key):
    """Return list of (code, name, [ring, ...]) with rings as open lists of (lon, lat)."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    out = []
    for feat in data["features"]:
        geom = feat["geometry"]
        props = feat["properties"]
        if geom["type"] == "Polygon":
            polys = [geom["coordinates"]]
        elif geom["type"] == "MultiPolygon":
            polys = geom["coordinates"]
        else:
            raise SystemExit(f"{path}: unexpected geometry type {geom['type']}")
        for poly in polys:
            rings = []
            for ring in poly:
                pts = []
                for p in ring:
                    q = (float(p[0]), float(p[1]))  # drop the dummy z
                    if not pts or pts[-1] != q:
                        pts.append(q)
                if len(pts) > 1 and pts[0] == pts[-1]:
                    pts.pop()
                rings.append(pts)
            out.append((props[code_key], props[name_key], rings))
    return out


def read_kommune_region(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return {r["KOM"]: r for r in rows}


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------- geometry

def signed_area_deg2(pts):
    """Shoelace area of an open ring in scaled degrees^2 (positive = counter-clockwise)."""
    a = 0.0
    n = len(pts)
    for i in range(n):
        x1, y1 = pts[i]
        x2, y2 = pts[(i + 1) % n]
        a += x1 * y2 - x2 * y1
    return a / 2.0 * XSCALE


def area_km2(pts):
    return abs(signed_area_deg2(pts)) * KM_PER_DEG * KM_PER_DEG


def seg_dist2(p, a, b):
    """Squared distance from p to segment ab in scaled coordinates."""
    px, py = p[0] * XSCALE, p[1]
    ax, ay = a[0] * XSCALE, a[1]
    bx, by = b[0] * XSCALE, b[1]
    dx, dy = bx - ax, by - ay
    l2 = dx * dx + dy * dy
    if l2 == 0.0:
        ex, ey = px - ax, py - ay
        return ex * ex + ey * ey
    t = ((px - ax) * dx + (py - ay) * dy) / l2
    t = 0.0 if t < 0.0 else (1.0 if t > 1.0 else t)
    ex, ey = px - (ax + t * dx), py - (ay + t * dy)
    return ex * ex + ey * ey


def douglas_peucker(pts, tol):
    """Return sorted indices kept by Douglas-Peucker (endpoints always kept)."""
    n = len(pts)
    if n <= 2:
        return list(range(n))
    keep = [False] * n
    keep[0] = keep[-1] = True
    tol2 = tol * tol
    stack = [(0, n - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        best, bi = -1.0, -1
        a, b = pts[i], pts[j]
        for k in range(i + 1, j):
            d = seg_dist2(pts[k], a, b)
            if d > best:
                best, bi = d, k
        if best > tol2:
            keep[bi] = True
            stack.append((i, bi))
            stack.append((bi, j))
    return [k for k in range(n) if keep[k]]


def refine_once(pts, kept):
    """Add the single most deviating original point to a kept-index list; None if nothing left."""
    best, bi = -1.0, -1
    for s in range(len(kept) - 1):
        i, j = kept[s], kept[s + 1]
        for k in range(i + 1, j):
            d = seg_dist2(pts[k], pts[i], pts[j])
            if d > best:
                best, bi = d, k
    if bi < 0:
        return None
    return sorted(kept + [bi]), best


# --------------------------------------------------------------------------- topology

class Topology:
    """Rings cut into shared arcs at junctions (TopoJSON style)."""

    def __init__(self, rings):
        self.rings = rings  # list of open point lists
        neigh = defaultdict(set)
        for pts in rings:
            n = len(pts)
            for i, p in enumerate(pts):
                a, b = pts[i - 1], pts[(i + 1) % n]
                neigh[p].add((a, b) if a <= b else (b, a))
        junction = {p for p, s in neigh.items() if len(s) > 1}

        self.arcs = []          # list of point lists (closed arcs start == end)
        self.arc_index = {}     # canonical key -> arc id
        self.ring_arcs = []     # per ring: list of (arc id, reversed?)
        for pts in rings:
            n = len(pts)
            cut = [i for i, p in enumerate(pts) if p in junction]
            if not cut:
                # no junction: start at the smallest point so identical rings share one arc
                cut = [min(range(n), key=lambda i: pts[i])]
            start = cut[0]
            rot = pts[start:] + pts[:start]
            cuts = [(c - start) % n for c in cut] + [n]
            rot = rot + [rot[0]]
            refs = []
            for s in range(len(cuts) - 1):
                seg = rot[cuts[s]:cuts[s + 1] + 1]
                refs.append(self._arc(seg))
            self.ring_arcs.append(refs)
        self.arc_users = defaultdict(set)
        for r, refs in enumerate(self.ring_arcs):
            for a, _ in refs:
                self.arc_users[a].add(r)

    def _arc(self, seg):
        fwd = tuple(seg)
        rev = tuple(reversed(seg))
        if fwd in self.arc_index:
            return self.arc_index[fwd], False
        if rev in self.arc_index:
            return self.arc_index[rev], True
        if seg[0] == seg[-1]:
            # closed arc (whole ring): other rings may traverse it from another start; the
            # smallest-point rule above makes the start identical, so only direction differs.
            pass
        aid = len(self.arcs)
        self.arcs.append(list(seg))
        self.arc_index[fwd] = aid
        return aid, False


def find_crossings(topo, kept, arc_ids, nd, cell=0.05):
    """Proper crossings between simplified (rounded) arc segments.

    Returns a set of (arc id, kept position) segments involved in a crossing. Segments that
    share an endpoint, touch or overlap collinearly are not reported.
    """
    segs = []
    for aid in arc_ids:
        arc, ks = topo.arcs[aid], kept[aid]
        for s in range(len(ks) - 1):
            a, b = rnd(arc[ks[s]], nd), rnd(arc[ks[s + 1]], nd)
            if a != b:
                segs.append((a, b, aid, s))
    grid = defaultdict(list)
    for i, (a, b, _, _) in enumerate(segs):
        for gx in range(int(math.floor(min(a[0], b[0]) / cell)), int(math.floor(max(a[0], b[0]) / cell)) + 1):
            for gy in range(int(math.floor(min(a[1], b[1]) / cell)), int(math.floor(max(a[1], b[1]) / cell)) + 1):
                grid[(gx, gy)].append(i)

    def orient(p, q, r):
        v = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
        return (v > 0) - (v < 0)

    bad = set()
    seen = set()
    for members in grid.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                i, j = members[x], members[y]
                if (i, j) in seen:
                    continue
                seen.add((i, j))
                a, b, ai, si = segs[i]
                c, d, aj, sj = segs[j]
                if a in (c, d) or b in (c, d):
                    continue
                if orient(a, b, c) * orient(a, b, d) < 0 and orient(c, d, a) * orient(c, d, b) < 0:
                    bad.add((ai, si))
                    bad.add((aj, sj))
    return bad


def refine_segment(pts, kept, s):
    """Add the most deviating original point between kept[s] and kept[s+1]; False if none."""
    i, j = kept[s], kept[s + 1]
    best, bi = -1.0, -1
    for k in range(i + 1, j):
        d = seg_dist2(pts[k], pts[i], pts[j])
        if d > best:
            best, bi = d, k
    if bi < 0:
        return False
    kept.insert(s + 1, bi)
    return True


def rnd(p, nd):
    return (round(p[0], nd), round(p[1], nd))


def assemble(topo, kept, ring_id, nd):
    """Rebuild a simplified, rounded, open ring from its arcs."""
    out = []
    for aid, rev in topo.ring_arcs[ring_id]:
        pts = [rnd(topo.arcs[aid][k], nd) for k in kept[aid]]
        if rev:
            pts.reverse()
        for p in pts:
            if not out or out[-1] != p:
                out.append(p)
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def distinct(pts):
    return len(set(pts))


# --------------------------------------------------------------------------- main work

def build(args):
    reg_feats = read_geojson(os.path.join(args.input_dir, "regioner.geojson"), "REGIONKODE", "REGIONNAVN")
    kom_feats = read_geojson(os.path.join(args.input_dir, "kommuner.geojson"), "KOMKODE", "KOMNAVN")
    kr = read_kommune_region(args.kommune_region)

    # ring registry: (file, code, part id, role)
    meta = []
    rings = []
    names = {"regions": {}, "municipalities": {}}
    for fname, feats in (("regions", reg_feats), ("municipalities", kom_feats)):
        for part, (code, name, prs) in enumerate(feats):
            if fname == "municipalities" and code in args.exclude:
                continue
            prev = names[fname].setdefault(code, name)
            if prev != name:
                raise SystemExit(f"{fname}: code {code} has two names {prev!r} / {name!r}")
            for k, pts in enumerate(prs):
                meta.append({"file": fname, "code": code, "part": part,
                             "role": "outer" if k == 0 else "hole",
                             "area": area_km2(pts), "npts": len(pts)})
                rings.append(pts)

    topo = Topology(rings)

    # ---- drop tiny isolated island parts (never the largest part of a code)
    largest = {}
    for r, m in enumerate(meta):
        if m["role"] == "outer":
            key = (m["file"], m["code"])
            if key not in largest or m["area"] > meta[largest[key]]["area"]:
                largest[key] = r
    part_rings = defaultdict(list)
    for r, m in enumerate(meta):
        part_rings[(m["file"], m["part"])].append(r)

    def isolated(r):
        f = meta[r]["file"]
        for aid, _ in topo.ring_arcs[r]:
            for other in topo.arc_users[aid]:
                if other != r and meta[other]["file"] == f and (meta[other]["part"] != meta[r]["part"]):
                    return False
        return True

    dropped = []
    drop = set()
    for r, m in enumerate(meta):
        if m["role"] != "outer" or largest[(m["file"], m["code"])] == r:
            continue
        if m["area"] < args.min_area_km2 and isolated(r):
            for rr in part_rings[(m["file"], m["part"])]:  # a dropped part takes its holes along
                drop.add(rr)
            dropped.append(r)
    for r, m in enumerate(meta):
        if m["role"] == "hole" and r not in drop and m["area"] < args.min_area_km2:
            drop.add(r)
            dropped.append(r)
    kept_rings = [r for r in range(len(rings)) if r not in drop]

    # ---- simplify each arc once; land borders (arcs shared by two municipalities) use the
    # finer border tolerance, coast lines the main tolerance
    muni_users = [sum(1 for r in topo.arc_users[a] if meta[r]["file"] == "municipalities")
                  for a in range(len(topo.arcs))]
    border = [n >= 2 for n in muni_users]
    kept = [douglas_peucker(arc, args.border_tolerance if border[a] else args.tolerance)
            for a, arc in enumerate(topo.arcs)]

    # ---- make sure every kept ring keeps >= min-vertices distinct (rounded) vertices
    refined = 0
    for _ in range(1000):
        changed = False
        for r in kept_rings:
            while distinct(assemble(topo, kept, r, args.decimals)) < args.min_vertices:
                best = None
                for aid, _rev in topo.ring_arcs[r]:
                    res = refine_once(topo.arcs[aid], kept[aid])
                    if res and (best is None or res[1] > best[2]):
                        best = (aid, res[0], res[1])
                if best is None:
                    raise SystemExit(f"ring {meta[r]} cannot reach {args.min_vertices} vertices")
                kept[best[0]] = best[1]
                refined += 1
                changed = True
        if not changed:
            break

    # ---- remove crossings created by the simplification (self-intersections, an island ring
    # cutting a mainland ring across a narrow strait): put original points back on the
    # offending segments until no two segments cross
    used_arcs = sorted({aid for r in kept_rings for aid, _ in topo.ring_arcs[r]})
    crossing_fixes = 0
    initial_crossings = None
    for _ in range(200):
        bad = find_crossings(topo, kept, used_arcs, args.decimals)
        if initial_crossings is None:
            initial_crossings = len(bad)
        if not bad:
            break
        progress = False
        # highest position first so that insertions do not shift pending positions of the same arc
        for aid, pos in sorted(bad, reverse=True):
            if refine_segment(topo.arcs[aid], kept[aid], pos):
                crossing_fixes += 1
                progress = True
        if not progress:
            print(f"warning: {len(bad)} crossing segments cannot be removed", file=sys.stderr)
            break
    remaining_crossings = len(find_crossings(topo, kept, used_arcs, args.decimals))

    # ---- assemble features
    out = {"regions": defaultdict(lambda: {"rings": [], "holes": []}),
           "municipalities": defaultdict(lambda: {"rings": [], "holes": []})}
    stats = {"regions": {"rings": 0, "holes": 0, "points": 0, "in_rings": 0, "in_points": 0},
             "municipalities": {"rings": 0, "holes": 0, "points": 0, "in_rings": 0, "in_points": 0}}
    for r, m in enumerate(meta):
        stats[m["file"]]["in_rings"] += 1
        stats[m["file"]]["in_points"] += m["npts"] + 1
    for r in kept_rings:
        m = meta[r]
        pts = assemble(topo, kept, r, args.decimals)
        a = signed_area_deg2(pts)
        want_ccw = m["role"] == "outer"
        if (a > 0) != want_ccw:
            pts.reverse()
        closed = [[x, y] for x, y in pts] + [[pts[0][0], pts[0][1]]]
        entry = out[m["file"]][m["code"]]
        entry["rings" if m["role"] == "outer" else "holes"].append((m["area"], closed))
        stats[m["file"]]["rings" if m["role"] == "outer" else "holes"] += 1
        stats[m["file"]]["points"] += len(closed)

    results = {}
    for fname in ("regions", "municipalities"):
        feats = []
        for code in sorted(out[fname]):
            e = out[fname][code]
            f = {"code": code, "name": names[fname][code]}
            if fname == "regions":
                f["region"] = code
            else:
                if code not in kr:
                    raise SystemExit(f"municipality {code} missing from kommune_region.csv")
                f["region"] = kr[code]["REGION"]
                if kr[code]["kommune"] != names[fname][code]:
                    print(f"warning: name mismatch for {code}: {kr[code]['kommune']!r} vs "
                          f"{names[fname][code]!r}", file=sys.stderr)
            f["rings"] = [c for _, c in sorted(e["rings"], key=lambda t: -t[0])]
            f["holes"] = [c for _, c in sorted(e["holes"], key=lambda t: -t[0])]
            feats.append(f)
        results[fname] = {"source": SOURCE_LINE, "features": feats}

    info = {"arcs": len(topo.arcs), "refined": refined, "border_arcs": sum(border),
            "crossing_segments": initial_crossings, "crossing_fixes": crossing_fixes,
            "remaining_crossings": remaining_crossings,
            "dropped": [(meta[r]["file"], meta[r]["code"], meta[r]["role"], round(meta[r]["area"], 3))
                        for r in dropped],
            "stats": stats, "names": names}
    return results, info


def dump(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"


def write_provenance(args, info, paths_in, paths_out):
    st = info["stats"]
    dropped = info["dropped"]
    nd = defaultdict(lambda: [0, 0.0])
    for f, _c, _role, a in dropped:
        nd[f][0] += 1
        nd[f][1] += a
    lines = []
    lines.append("# Danish region and municipality boundaries (simplified, for choropleth maps)\n")
    lines.append("Generated by `tools/simplify_geo.py` (Python 3, standard library only). Do not edit by hand.\n")
    lines.append("## Source\n")
    lines.append(f"- Upstream: public GitHub repository {UPSTREAM_REPO}, snapshot commit "
                 f"`{UPSTREAM_COMMIT}` (2015-07-20), files `geojson/regioner.geojson` and "
                 "`geojson/kommuner.geojson`, used unchanged (their SHA-256 are under Checksums "
                 "below, so a new download can be checked).")
    lines.append("- Upstream README: \"Source - Geodatastyrelsen & Danske Kommuner - FOT data set - "
                 "2014-02-13 - Scale 1:500.000\" (DAGI administrative boundaries).")
    lines.append("- CRS: urn:ogc:def:crs:OGC:1.3:CRS84 (lon/lat WGS84); kept as lon/lat here.")
    lines.append("- `kommune_region.csv` (municipality -> region) was derived from the two files "
                 "above by point-in-polygon (sampled boundary points of each municipality voted "
                 "into the region polygons); its counts match the official division. It supplies "
                 "the `region` field of municipalities.json. The repository keeps it as "
                 "`bench/peers/kommune_region.csv`.")
    lines.append("- Licence: the upstream repository has no LICENSE file. Attribute as above "
                 "(the `source` field of both JSON files carries a one-line attribution). "
                 "**Check the current terms of the Danish agency (formerly Geodatastyrelsen, now "
                 "SDFI / Klimadatastyrelsen) before redistributing these files or maps made from "
                 "them.**\n")
    lines.append("## What was done\n")
    lines.append("- Dropped the dummy third coordinate (-999.0).")
    lines.append("- Grouped the island parts by code: one feature per region (5) and per "
                 "municipality (98). Christiansø (0411) is not a municipality and is left out of "
                 "municipalities.json.")
    lines.append(f"- Topology-preserving Douglas-Peucker simplification, tolerance "
                 f"{args.tolerance:g} degrees measured in (lon x cos(56 deg), lat), i.e. about "
                 f"{args.tolerance * KM_PER_DEG * 1000:.0f} m, roughly "
                 f"{args.tolerance / (4.6 / 700):.2f} px on a 700 px wide map of Denmark; land "
                 f"borders between municipalities ({info['border_arcs']} arcs) use "
                 f"{args.border_tolerance:g} degrees (about {args.border_tolerance * KM_PER_DEG * 1000:.0f} m) "
                 "so that the small municipalities around Copenhagen keep their shape. "
                 "Rings of both files are cut into arcs at junctions and every arc is simplified "
                 "once, so neighbours keep identical borders (no gaps/slivers) and region borders "
                 f"coincide with municipal borders ({info['arcs']} arcs).")
    lines.append(f"- Dropped island parts smaller than {args.min_area_km2:g} km^2 that share no "
                 "border with another part of the same file, never the largest part of a code: "
                 f"{nd['regions'][0]} parts ({nd['regions'][1]:.1f} km^2 in total) from regions, "
                 f"{nd['municipalities'][0]} parts ({nd['municipalities'][1]:.1f} km^2) from "
                 "municipalities. All municipalities on islands (Bornholm, Læsø, Samsø, Ærø, Fanø, "
                 "Fur in Skive, ...) keep their main island.")
    lines.append(f"- Rings that would have fewer than {args.min_vertices} distinct vertices got "
                 f"their most significant original points back ({info['refined']} points restored).")
    lines.append(f"- Segments that crossed after simplification ({info['crossing_segments']} segments, "
                 "self-intersections and island/mainland crossings in narrow straits) got original "
                 f"points back ({info['crossing_fixes']} points restored); the output has "
                 f"{info['remaining_crossings']} crossing segments.")
    lines.append("- Tiny parts that share a land border with another part of the same file (e.g. "
                 "small pieces of Brøndby, Vallensbæk and Holstebro) are kept, so no gaps appear.")
    lines.append(f"- Coordinates rounded to {args.decimals} decimals; consecutive duplicates removed.")
    lines.append("- Rings are closed (first point == last point); outer rings counter-clockwise, "
                 "holes clockwise. `rings` = outer rings of all kept parts, largest first; `holes` "
                 "= inner rings (only København: the Frederiksberg enclave), else `[]`.")
    lines.append("")
    lines.append("| file | features | outer rings kept (input rings) | holes kept | points (input points) |")
    lines.append("| --- | --- | --- | --- | --- |")
    for f, n in (("regions.json", "regions"), ("municipalities.json", "municipalities")):
        s = st[n]
        nfeat = len(info["names"][n])
        lines.append(f"| {f} | {nfeat} | {s['rings']} ({s['in_rings']}) "
                     f"| {s['holes']} | {s['points']} ({s['in_points']}) |")
    lines.append("")
    lines.append("## Regenerate\n")
    lines.append("From the repository root, with the two upstream GeoJSON files downloaded into a "
                 "folder `DAGI_DIR`:\n")
    lines.append("```sh")
    lines.append("python3 tools/simplify_geo.py --input-dir DAGI_DIR --out-dir assets/dk-geo"
                 + (f" --tolerance {args.tolerance:g}" if args.tolerance != DEFAULT_TOL else "")
                 + (f" --border-tolerance {args.border_tolerance:g}"
                    if args.border_tolerance != args.tolerance / 3.0 else "")
                 + (f" --min-area-km2 {args.min_area_km2:g}" if args.min_area_km2 != DEFAULT_MIN_AREA else ""))
    lines.append("```\n")
    lines.append("The output is deterministic (same inputs and options give byte-identical files).\n")
    lines.append("## Checksums (sha256)\n")
    lines.append("| file | bytes | sha256 |")
    lines.append("| --- | --- | --- |")
    for label, p in paths_in + paths_out:
        lines.append(f"| {label} | {os.path.getsize(p)} | {sha256(p)} |")
    lines.append("")
    return "\n".join(lines)


DEFAULT_TOL = 0.003
DEFAULT_MIN_AREA = 1.0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--input-dir", required=True,
                    help="folder holding regioner.geojson and kommuner.geojson from "
                         "Neogeografen/dagi@a1c1563 (geojson/)")
    ap.add_argument("--kommune-region", default=None,
                    help="municipality -> region table (default: kommune_region.csv in the input "
                         "folder if there is one, else bench/peers/kommune_region.csv)")
    ap.add_argument("--out-dir", default="assets/dk-geo")
    ap.add_argument("--tolerance", type=float, default=DEFAULT_TOL,
                    help="Douglas-Peucker tolerance in degrees (lon scaled by cos 56 deg)")
    ap.add_argument("--border-tolerance", type=float, default=None,
                    help="tolerance for land borders between municipalities (default: tolerance / 3)")
    ap.add_argument("--min-area-km2", type=float, default=DEFAULT_MIN_AREA,
                    help="drop isolated island parts smaller than this (never a code's largest part)")
    ap.add_argument("--decimals", type=int, default=4)
    ap.add_argument("--min-vertices", type=int, default=4,
                    help="minimum distinct vertices per ring (closed ring has one more point)")
    ap.add_argument("--exclude", nargs="*", default=["0411"],
                    help="municipality codes to leave out (0411 Christiansø is not a municipality)")
    ap.add_argument("--no-provenance", action="store_true")
    args = ap.parse_args(argv)
    args.exclude = set(args.exclude)
    if args.border_tolerance is None:
        args.border_tolerance = args.tolerance / 3.0
    if args.kommune_region is None:
        beside = os.path.join(args.input_dir, "kommune_region.csv")
        args.kommune_region = (beside if os.path.isfile(beside)
                               else os.path.join(REPO_ROOT, KOMMUNE_REGION_IN_REPO))

    results, info = build(args)
    os.makedirs(args.out_dir, exist_ok=True)
    outs = []
    for fname in ("regions", "municipalities"):
        p = os.path.join(args.out_dir, fname + ".json")
        with open(p, "w", encoding="utf-8", newline="\n") as f:
            f.write(dump(results[fname]))
        outs.append((f"assets/dk-geo/{fname}.json", p))
        s = info["stats"][fname]
        print(f"{p}: {len(results[fname]['features'])} features, {s['rings']} rings, "
              f"{s['holes']} holes, {s['points']} points (input {s['in_points']}), "
              f"{os.path.getsize(p)} bytes")
    print(f"arcs {info['arcs']} ({info['border_arcs']} land borders), dropped parts "
          f"{len(info['dropped'])}, points restored: {info['refined']} for the 4-vertex minimum, "
          f"{info['crossing_fixes']} to remove {info['crossing_segments']} crossing segments "
          f"({info['remaining_crossings']} left)")
    if not args.no_provenance:
        ins = [(f"upstream geojson/{n}", os.path.join(args.input_dir, n))
               for n in ("regioner.geojson", "kommuner.geojson")]
        ins.append(("kommune_region.csv", args.kommune_region))
        text = write_provenance(args, info, ins, outs)
        p = os.path.join(args.out_dir, "PROVENANCE.md")
        with open(p, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        print(f"{p}: written")
    return results, info


if __name__ == "__main__":
    main()
