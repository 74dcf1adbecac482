#!/usr/bin/env python3
"""Checks caom2pipe's plane polygons and energy bounds against astropy, an independent
implementation of FITS WCS and spectral units.

    python3 tools/astropy_oracle.py CAOM2PIPE CONFORMANCE_DIR      (tools/astropy_oracle.sh
                                                                    makes the venv)

For every HDU of every header in the conformance folder (`*.header` dumps, split into HDUs
by the reference's rules: a line `END`, `--- PHU`, `--- HDU` ends an HDU; only lines with
`=` or starting COMMENT/HISTORY are cards; real FITS files are read with astropy.io.fits):

Position (every HDU with a celestial WCS and image axis lengths):
  * astropy (`WCS(header, relax=True)`, `all_pix2world`, distortions included) places the
    four image corners and the four edge midpoints, taken on the outer pixel edges (FITS
    pixel 0.5 and NAXISn + 0.5);
  * "our plane polygon" is `caom2pipe footprint FILE --hdu N --plane --json`: the footprint
    of that HDU (from the header alone this is the WCS-corner fallback: the outer pixel
    edges, with extra vertices where an edge departs from a great circle), put in a chunk's
    position bounds and run through plane compute (the reference's convex hull in the
    CartesianTransform chart, smoothed, in ICRS; FK5 is taken as ICRS, galactic and FK4
    are converted, as compute does). This is what the pipeline's footprint visitor plus
    compute produce, and uses no mapping code;
  * each of the eight points must lie inside the polygon, or within 1 arcsecond of its
    boundary, with polygon edges taken as great-circle arcs.

Energy (every HDU with a linear spectral axis of type FREQ, ENER, WAVN or WAVE):
  * the chunk's SpectralWCS function is made from the header keywords (CTYPE, CUNIT, CRPIX,
    CRVAL, CDELT × PC or CD, NAXIS, RESTFRQ/RESTWAV), written as a one-chunk CAOM record
    and run through `caom2pipe compute`; the plane's energy bounds are read back;
  * astropy converts the spectral axis at the pixel edges 0.5 and NAXIS + 0.5 to vacuum
    wavelength (`u.spectral()` equivalencies, c = 299792458 m/s, as WCSLIB);
  * lower and upper bounds must agree to 1e-9 relative.

Prints one line per failure and `N passed, M failed`; exits 1 if anything failed.
"""
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import uuid
import warnings
import xml.etree.ElementTree as ET

import numpy as np
from astropy import units as u
from astropy.coordinates import FK4, FK5, SkyCoord
from astropy.io import fits
from astropy.time import Time
from astropy.wcs import WCS

TOLERANCE_ARCSEC = 1.0
ENERGY_RTOL = 1e-9
SPECTRAL_TYPES = ("FREQ", "ENER", "WAVN", "WAVE")


def dump_hdus(text):
    """The HDUs of a text dump, split as the reference does."""
    hdus, current = [], []
    for line in text.split("\n"):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        if line.rstrip() == "END" or line.startswith("--- PHU") or line.startswith("--- HDU"):
            if current:
                hdus.append(current)
            current = []
            continue
        if "=" in line or line.startswith("COMMENT") or line.startswith("HISTORY"):
            current.append(line[:80].ljust(80))
    if current:
        hdus.append(current)
    return ["".join(h) for h in hdus]


def headers_of(path):
    """[(hdu index, astropy Header)] of a dump or a FITS file."""
    out = []
    if ".header" in os.path.basename(path):
        with open(path, "rb") as f:
            text = f.read().decode("ascii", "replace")
        for i, block in enumerate(dump_hdus(text)):
            try:
                out.append((i, fits.Header.fromstring(block)))
            except Exception as e:  # noqa: BLE001 - a broken card: the HDU is not usable
                out.append((i, e))
    else:
        with fits.open(path) as hl:
            for i, h in enumerate(hl):
                out.append((i, h.header.copy()))
    return out


def axis_lengths(h):
    compressed = h.get("ZIMAGE") is True
    key = "ZNAXIS" if compressed else "NAXIS"
    n = int(h.get(key, 0) or 0)
    return [int(h.get(f"{key}{i}", 0) or 0) for i in range(1, n + 1)]


def unit_vectors(lon, lat):
    lon, lat = np.radians(lon), np.radians(lat)
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], -1)


def outside_distance_arcsec(points, polygon):
    """0 for points inside the polygon (great-circle edges), else the angular distance to
    its boundary, in arcsec."""
    poly = unit_vectors(*np.array(polygon).T)
    centre = poly.sum(0)
    centre /= np.linalg.norm(centre)
    east = np.cross([0.0, 0.0, 1.0], centre)
    if np.linalg.norm(east) < 1e-12:
        east = np.array([1.0, 0.0, 0.0])
    east /= np.linalg.norm(east)
    north = np.cross(centre, east)

    def gnomonic(v):
        w = v @ centre
        return np.stack([(v @ east) / w, (v @ north) / w], -1), w

    pp, _ = gnomonic(poly)
    result = []
    for p in unit_vectors(*np.array(points).T):
        q, w = gnomonic(p[None, :])
        q = q[0]
        inside = False
        if w[0] > 0:
            for i in range(len(pp)):
                a, b = pp[i], pp[(i + 1) % len(pp)]
                if (a[1] > q[1]) != (b[1] > q[1]):
                    x = a[0] + (q[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0])
                    if q[0] < x:
                        inside = not inside
        if inside:
            result.append(0.0)
            continue
        best = math.pi
        for i in range(len(poly)):
            a, b = poly[i], poly[(i + 1) % len(poly)]
            n = np.cross(a, b)
            nn = np.linalg.norm(n)
            ang = lambda x, y: math.atan2(np.linalg.norm(np.cross(x, y)), x @ y)
            d = min(ang(p, a), ang(p, b))
            if nn > 0:
                n = n / nn
                if np.cross(a, p) @ n >= 0 and np.cross(p, b) @ n >= 0:
                    d = min(d, abs(math.asin(max(-1.0, min(1.0, p @ n)))))
            best = min(best, d)
        result.append(math.degrees(best) * 3600.0)
    return result


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def our_polygon(binary, path, hdu):
    r = run([binary, "footprint", path, "--hdu", str(hdu), "--plane", "--json"])
    if r.returncode == 0:
        return json.loads(r.stdout), None
    return None, (r.stderr.strip() or r.stdout.strip())


def check_position(binary, path, hdu, h, w):
    """None when there is nothing to check, else (ok, message)."""
    if not w.has_celestial or w.wcs.lng < 0 or w.wcs.lat < 0:
        return None
    naxes = axis_lengths(h)
    lng, lat = w.wcs.lng, w.wcs.lat
    if len(naxes) <= max(lng, lat) or naxes[lng] <= 0 or naxes[lat] <= 0:
        return None
    n1, n2 = naxes[lng], naxes[lat]
    xs = [-0.5, (n1 - 1) / 2.0, n1 - 0.5]
    ys = [-0.5, (n2 - 1) / 2.0, n2 - 0.5]
    pix = []
    for x in xs:
        for y in ys:
            if x == xs[1] and y == ys[1]:
                continue
            p = [0.0] * w.naxis
            p[lng], p[lat] = x, y
            pix.append(p)
    world = w.all_pix2world(np.array(pix), 0)
    lon, latv = world[:, lng], world[:, lat]
    if not (np.all(np.isfinite(lon)) and np.all(np.isfinite(latv))):
        return None
    ctype = w.wcs.ctype[lng][:4].rstrip("-")
    radesys = (w.wcs.radesys or "").strip()
    if ctype == "GLON":
        c = SkyCoord(lon * u.deg, latv * u.deg, frame="galactic").transform_to(FK5(equinox="J2000"))
        lon, latv = c.ra.degree, c.dec.degree
    elif ctype == "RA" and radesys.startswith("FK4"):
        eq = Time(w.wcs.equinox if np.isfinite(w.wcs.equinox) else 1950.0, format="byear")
        c = SkyCoord(lon * u.deg, latv * u.deg, frame=FK4(equinox=eq)).transform_to(
            FK5(equinox="J2000"))
        lon, latv = c.ra.degree, c.dec.degree
    elif ctype != "RA":
        return None  # compute supports RA/DEC and galactic only
    poly, err = our_polygon(binary, path, hdu)
    if poly is None:
        return False, f"caom2pipe footprint failed: {err}"
    dist = outside_distance_arcsec(list(zip(lon, latv)), poly["points"])
    worst = max(dist)
    if worst > TOLERANCE_ARCSEC:
        return False, (f"a corner or edge midpoint lies {worst:.3f} arcsec outside the plane "
                       f"polygon ({len(poly['points'])} vertices)")
    return True, f"{len(poly['points'])} vertices, all 8 points inside"


def chunk_record(ctype, cunit, naxis, delta, crpix, crval, restfrq, restwav):
    ns = "http://www.opencadc.org/caom2/xml/v2.4"
    ids = [str(uuid.uuid4()) for _ in range(5)]
    opt = lambda tag, v: f"<caom2:{tag}>{v!r}</caom2:{tag}>" if v is not None else ""
    unit = f"<caom2:cunit>{cunit}</caom2:cunit>" if cunit else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<caom2:Observation xmlns:caom2="{ns}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="caom2:SimpleObservation" caom2:id="{ids[0]}">
<caom2:collection>ORACLE</caom2:collection><caom2:observationID>energy</caom2:observationID>
<caom2:algorithm><caom2:name>exposure</caom2:name></caom2:algorithm>
<caom2:planes><caom2:plane caom2:id="{ids[1]}"><caom2:productID>p</caom2:productID>
<caom2:artifacts><caom2:artifact caom2:id="{ids[2]}"><caom2:uri>cadc:ORACLE/energy.fits</caom2:uri>
<caom2:productType>science</caom2:productType><caom2:releaseType>data</caom2:releaseType>
<caom2:parts><caom2:part caom2:id="{ids[3]}"><caom2:name>0</caom2:name><caom2:chunks><caom2:chunk caom2:id="{ids[4]}">
<caom2:energy><caom2:axis><caom2:axis><caom2:ctype>{ctype}</caom2:ctype>{unit}</caom2:axis>
<caom2:function><caom2:naxis>{naxis}</caom2:naxis><caom2:delta>{delta!r}</caom2:delta>
<caom2:refCoord><caom2:pix>{crpix!r}</caom2:pix><caom2:val>{crval!r}</caom2:val></caom2:refCoord></caom2:function>
</caom2:axis><caom2:specsys>TOPOCENT</caom2:specsys>{opt("restfrq", restfrq)}{opt("restwav", restwav)}</caom2:energy>
</caom2:chunk></caom2:chunks></caom2:part></caom2:parts></caom2:artifact></caom2:artifacts></caom2:plane></caom2:planes>
</caom2:Observation>
"""


def check_energy(binary, h, w, workdir):
    spec = w.wcs.spec
    if spec < 0:
        return None
    i = spec + 1
    ctype = str(h.get(f"CTYPE{i}", "")).strip()
    if ctype[:4] not in SPECTRAL_TYPES or (len(ctype) > 4 and ctype[4:].strip("-")):
        return None  # linear FREQ/ENER/WAVN/WAVE only: others need rest frequencies or air
    naxes = axis_lengths(h)
    if len(naxes) < i or naxes[spec] <= 0:
        return None
    cunit = str(h.get(f"CUNIT{i}", "")).strip() or None
    crpix = float(h.get(f"CRPIX{i}", 0.0))
    crval = float(h.get(f"CRVAL{i}", 0.0))
    if f"CD{i}_{i}" in h:
        delta = float(h[f"CD{i}_{i}"])
    else:
        delta = float(h.get(f"CDELT{i}", 1.0)) * float(h.get(f"PC{i}_{i}", 1.0))
    restfrq = h.get("RESTFRQ", h.get("RESTFREQ"))
    restwav = h.get("RESTWAV")
    n = naxes[spec]
    rec = os.path.join(workdir, "energy.xml")
    out = os.path.join(workdir, "energy.out.xml")
    with open(rec, "w") as f:
        f.write(chunk_record(ctype, cunit, n, delta, crpix, crval,
                             float(restfrq) if restfrq else None,
                             float(restwav) if restwav else None))
    r = run([binary, "compute", rec, "-o", out])
    if r.returncode != 0:
        return False, f"caom2pipe compute failed: {r.stderr.strip()}"
    ns = {"caom2": "http://www.opencadc.org/caom2/xml/v2.4"}
    b = ET.parse(out).getroot().find("caom2:planes/caom2:plane/caom2:energy/caom2:bounds", ns)
    if b is None:
        return False, "no energy bounds computed"
    ours = (float(b.find("caom2:lower", ns).text), float(b.find("caom2:upper", ns).text))
    ws = w.sub([i])
    vals = ws.all_pix2world(np.array([[-0.5], [n - 0.5]]), 0)[:, 0]
    metres = (vals * u.Unit(ws.wcs.cunit[0])).to(u.m, equivalencies=u.spectral()).value
    theirs = (float(np.min(metres)), float(np.max(metres)))
    for a, t in zip(ours, theirs):
        if abs(a - t) > ENERGY_RTOL * abs(t):
            return False, f"energy bounds {ours} m vs astropy {theirs} m"
    return True, f"energy bounds agree: {ours}"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    binary, conf = sys.argv[1], sys.argv[2]
    files = []
    for root, _, names in os.walk(conf):
        for name in sorted(names):
            if name.endswith(".header") or re.search(r"\.fits(\.fz|\.gz)?$", name):
                files.append(os.path.join(root, name))
    files.sort()
    passed = failed = 0
    counts = {"position": [0, 0], "energy": [0, 0]}
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as workdir:
        for path in files:
            try:
                hdus = headers_of(path)
            except Exception as e:  # noqa: BLE001 - astropy cannot read it: not ours to judge
                print(f"skip {os.path.relpath(path, conf)}: astropy cannot read it: {e}")
                continue
            for hdu, h in hdus:
                if isinstance(h, Exception):
                    continue
                try:
                    w = WCS(h, relax=True)
                except Exception:  # noqa: BLE001 - no usable WCS for astropy either
                    continue
                name = f"{os.path.relpath(path, conf)}[{hdu}]"
                for kind, check in (("position", lambda: check_position(binary, path, hdu, h, w)),
                                    ("energy", lambda: check_energy(binary, h, w, workdir))):
                    try:
                        r = check()
                    except Exception as e:  # noqa: BLE001 - report, do not stop
                        r = (False, f"oracle error: {e}")
                    if r is None:
                        continue
                    ok, msg = r
                    if ok:
                        passed += 1
                        counts[kind][0] += 1
                    else:
                        failed += 1
                        counts[kind][1] += 1
                        print(f"FAIL {kind} {name}: {msg}")
    for kind, (p, f) in counts.items():
        print(f"{kind}: {p} passed, {f} failed")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
