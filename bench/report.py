#!/usr/bin/env python3
"""The Markdown table of bench/run.sh, from the files it leaves in its output directory.

Reads OUT_DIR/divan.txt (the divan output of `cargo bench -p hamstride-bench --bench
decode`: the median throughput of each benchmark, and the tallies it prints after the run),
OUT_DIR/import.json (the `hamstride import --format json` output: decoded_bytes),
OUT_DIR/import-hyperfine.json (median wall seconds of the import) and OUT_DIR/import-time.txt
(`/usr/bin/time -v`: maximum resident set size). Missing parts are left out of the table.
Standard library only.

usage: report.py OUT_DIR
"""
import json
import os
import re
import sys

TREE = "│├╰─ "
UNITS = {"B/s": 1e-6, "KB/s": 1e-3, "MB/s": 1.0, "GB/s": 1e3, "TB/s": 1e6,
         "KiB/s": 1024 / 1e6, "MiB/s": 1024**2 / 1e6, "GiB/s": 1024**3 / 1e6}

# benchmark path -> (label, target MB/s or None, the hamstride benchmark it is compared with)
ROWS = [
    ("fit/hamstride", "FIT — hamstride (all CRCs checked)", 300, None),
    ("fit/rustyfit", "FIT — rustyfit 0.11 (checksum on)", None, "fit/hamstride"),
    ("fit/fitparser", "FIT — fitparser 0.11 (CRC validated)", None, "fit/hamstride"),
    ("gpx/hamstride", "GPX — hamstride (files the gpx crate parses)", 100, None),
    ("gpx/gpx_crate", "GPX — gpx crate 0.10 (same files)", None, "gpx/hamstride"),
    ("gpx/hamstride_all", "GPX — hamstride (every corpus GPX activity)", 100, None),
    ("tcx/hamstride", "TCX — hamstride (corpus)", None, None),
]


def parse_divan(text):
    """{path: median MB/s}, and {path: (ok, failed, records, MB)} from the tallies."""
    medians, tallies = {}, {}
    stack = []
    pending = None
    seps = None  # column separator positions, from the header line
    for line in text.splitlines():
        if seps is None and "fastest" in line and "│" in line:
            seps = [i for i, c in enumerate(line) if c == "│"]
            continue
        if seps and len(line) > seps[0] and all(line[i] == "│" for i in seps if i < len(line)):
            bounds = seps + [len(line)]
            cells = [line[: seps[0]]] + [line[a + 1 : b] for a, b in zip(bounds, bounds[1:])]
            first = cells[0]
            body = first.lstrip(TREE)
            depth = (len(first) - len(body)) // 3
            tokens = body.split()
            if tokens and re.match(r"[A-Za-z_]", tokens[0]):
                stack = stack[: depth - 1] + [tokens[0]]
                pending = "/".join(stack) if len(tokens) > 1 else None
            elif pending and len(cells) >= 3 and "/s" in cells[2]:
                m = re.match(r"\s*([\d.]+)\s*(\S+)", cells[2])
                if m and m.group(2) in UNITS:
                    medians[pending] = float(m.group(1)) * UNITS[m.group(2)]
                pending = None
        else:
            m = re.match(r"\s+(\S+/\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s*$", line)
            if m:
                tallies[m.group(1)] = (int(m.group(2)), int(m.group(3)), int(m.group(4)),
                                       float(m.group(5)))
    return medians, tallies


def read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return None


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    lines = ["| benchmark | data | median MB/s | target | vs target | hamstride ÷ this |",
             "|---|---|---:|---|---:|---:|"]
    divan = read(os.path.join(out, "divan.txt"))
    if divan:
        medians, tallies = parse_divan(divan)
        for key, label, target, vs in ROWS:
            if key not in medians:
                continue
            mbs = medians[key]
            t = tallies.get(key)
            data = f"{t[3]:.1f} MB, {t[0]} ok / {t[1]} failed, {t[2]} records" if t else ""
            tgt = f"≥ {target}" if target else ""
            ratio = f"{mbs / target:.2f}×" if target else ""
            peer = f"{medians[vs] / mbs:.1f}×" if vs and vs in medians else ""
            lines.append(f"| {label} | {data} | {mbs:.1f} | {tgt} | {ratio} | {peer} |")

    imp = read(os.path.join(out, "import.json"))
    hf = read(os.path.join(out, "import-hyperfine.json"))
    tv = read(os.path.join(out, "import-time.txt"))
    if imp and hf:
        j = json.loads(imp)
        res = json.loads(hf)["results"][0]
        secs = res["median"]
        mb = j["decoded_bytes"] / 1e6
        runs = len(res.get("times", []))
        lines.append(
            f"| Import strava_export.zip, 2 cores, DB writes (median of {runs} runs, wall) "
            f"| {mb:.1f} MB decoded FIT, {j.get('imported')} imported, "
            f"{len(j.get('skipped') or [])} skipped, {secs:.2f} s "
            f"| {mb / secs:.1f} | ≥ 150 | {mb / secs / 150:.2f}× | |")
    if tv:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", tv)
        if m:
            rss = int(m.group(1)) * 1024 / 1e6
            lines.append(f"| Import peak RSS (/usr/bin/time -v) | | {rss:.1f} MB | ≤ 150 MB "
                         f"| {rss / 150:.2f}× of budget | |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
