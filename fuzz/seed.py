#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, written to fuzz/corpus/<target>/ (gitignored).

Seeds are small on purpose (at most 32 KiB, so libFuzzer mutates quickly): the small files
of crates/ingest/tests/fixtures and of the shared corpus (../shared/corpus, or SHARED_DIR),
the first 8-16 KiB of larger ones (truncated inputs are interesting in themselves), gzip
copies for `sniff`, and a handful of tiny zips built here for `archive`: a Strava-shaped
export (activities.csv + .fit.gz + .gpx), a Garmin-shaped zip inside a zip, a stored (not
deflated) member, an empty zip, a `../` member name, and a zip in a zip in a zip.
Standard library only. Usage: python3 fuzz/seed.py   (from anywhere; safe to re-run)
"""
import gzip
import io
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.environ.get("SHARED_DIR", os.path.join(ROOT, "..", "shared"))
FIXTURES = os.path.join(ROOT, "crates", "ingest", "tests", "fixtures")
OUT = os.path.join(HERE, "corpus")
MAX = 32 << 10


def files(dirs, exts):
    """(name, bytes) of every file under dirs whose name ends with an ext (.gz allowed)."""
    out = []
    for d in dirs:
        for dirpath, _, names in os.walk(d):
            for n in sorted(names):
                low = n.lower()
                stem = low[:-3] if low.endswith(".gz") else low
                if not any(stem.endswith(e) for e in exts):
                    continue
                with open(os.path.join(dirpath, n), "rb") as f:
                    b = f.read()
                if low.endswith(".gz"):
                    try:
                        b = gzip.decompress(b)
                    except (OSError, EOFError):
                        continue
                out.append((stem, b))
    return out


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name.replace("/", "_")), "wb") as f:
        f.write(data)


def seeds_for(target, dirs, exts, trunc):
    """Small files whole; the first `trunc` bytes of a few large ones."""
    picked = []
    big = 0
    for name, b in files(dirs, exts):
        if len(b) <= MAX:
            write(target, name, b)
            picked.append((name, b))
        elif big < 12:
            write(target, "head-" + name, b[:trunc])
            big += 1
    return picked


def zip_bytes(entries, compression=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


def main():
    fit = seeds_for("fit", [os.path.join(FIXTURES, "fit"), os.path.join(SHARED, "corpus", "fit")],
                    [".fit"], 8 << 10)
    gpx = seeds_for("gpx", [os.path.join(FIXTURES, "gpx"), os.path.join(SHARED, "corpus", "gpx")],
                    [".gpx"], 16 << 10)
    tcx = seeds_for("tcx", [os.path.join(FIXTURES, "tcx"), os.path.join(SHARED, "corpus", "tcx")],
                    [".tcx"], 16 << 10)
    csvs = files([os.path.join(FIXTURES, "strava")], [".csv"])
    for name, b in csvs:
        write("strava_csv", name, b)
    write("strava_csv", "header-only.csv", b"Activity ID,Activity Date,Activity Name,"
          b"Activity Type,Filename\n")

    # sniff: a few of each format, plain and gzipped.
    small = sorted(fit, key=lambda x: len(x[1]))[:6] + sorted(gpx, key=lambda x: len(x[1]))[:4] \
        + sorted(tcx, key=lambda x: len(x[1]))[:2]
    for name, b in small:
        write("sniff", name, b)
        write("sniff", name + ".gz", gzip.compress(b, 6))
    write("sniff", "empty", b"")

    # archive: tiny zips of the same small files.
    a_fit = small[0][1] if small else b""
    a_fit2 = small[1][1] if len(small) > 1 else a_fit
    a_gpx = next((b for n, b in small if n.endswith(".gpx")), b"<gpx/>")
    csv = csvs[0][1] if csvs else b"Activity ID,Filename\n1,activities/1.fit.gz\n"
    strava = zip_bytes([
        ("activities.csv", csv),
        ("activities/1.fit.gz", gzip.compress(a_fit, 6)),
        ("activities/2.gpx", a_gpx),
        ("media/photo.jpg", b"\xff\xd8\xff\xe0 not really"),
    ])
    write("archive", "strava.zip", strava)
    inner = zip_bytes([("2024-01-01.fit", a_fit), ("2024-01-02.fit", a_fit2)])
    write("archive", "garmin-nested.zip", zip_bytes([
        ("DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip", inner),
        ("DI_CONNECT/DI-Connect-Fitness/summary.json", b"{}"),
    ]))
    write("archive", "stored.zip", zip_bytes([("a.fit", a_fit), ("b.gpx", a_gpx)],
                                             zipfile.ZIP_STORED))
    write("archive", "empty.zip", zip_bytes([]))
    write("archive", "dotdot.zip", zip_bytes([("../../etc/x.fit", a_fit), ("/abs.gpx", a_gpx)]))
    deep = zip_bytes([("c.fit", a_fit)])
    for i in range(3):
        deep = zip_bytes([(f"level{i}.zip", deep)])
    write("archive", "deep.zip", deep)
    for t in sorted(os.listdir(OUT)):
        print(f"{t}: {len(os.listdir(os.path.join(OUT, t)))} seeds")


if __name__ == "__main__":
    main()
