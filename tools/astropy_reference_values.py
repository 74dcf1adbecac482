#!/usr/bin/env python3
"""Writes the astropy values that crates/astro's conversions must agree with (1e-12 relative):
time scales (UTC calendar -> MJD, TAI/TT -> UTC, UTC + seconds), geodetic -> geocentric, and
FK4 / FK5 / galactic <-> ICRS. Run it in a venv with astropy (tools/astropy_oracle.sh makes
one); the JSON it prints is kept in crates/astro/tests/data/astropy_values.json, with the
astropy and pyerfa versions that made it.

    python3 tools/astropy_reference_values.py > crates/astro/tests/data/astropy_values.json
"""
import json
import sys

import astropy
import erfa
from astropy import units as u
from astropy.coordinates import FK4, FK5, ICRS, EarthLocation, Galactic, SkyCoord
from astropy.time import Time, TimeDelta

POSITIONS = [(0.0, 0.0), (10.0, 20.0), (120.0, 30.0), (266.4, -28.9), (150.0, -30.0),
             (359.9, 89.9), (192.25, 27.4), (45.0, -89.5), (300.0, 60.0)]


def sky(c):
    return [float(c.spherical.lon.degree), float(c.spherical.lat.degree)]


def main():
    out = {"astropy": astropy.__version__, "pyerfa": erfa.__version__,
           "erfa": erfa.version.erfa_version if hasattr(erfa, "version") else None}
    frames = []
    for ra, dec in POSITIONS:
        for eq in (1950.0, 1975.0, 2000.0, 2031.5):
            c = SkyCoord(ra * u.deg, dec * u.deg, frame=FK5(equinox=Time(eq, format="jyear")))
            frames.append({"kind": "fk5_to_icrs", "input": [ra, dec], "equinox": eq,
                           "expected": sky(c.transform_to(ICRS()))})
            frames.append({"kind": "fk5_precess", "input": [ra, dec], "equinox": eq,
                           "expected": sky(c.transform_to(FK5(equinox="J2000")))})
            i = SkyCoord(ra * u.deg, dec * u.deg, frame=ICRS())
            frames.append({"kind": "icrs_to_fk5", "input": [ra, dec], "equinox": eq,
                           "expected": sky(i.transform_to(FK5(equinox=Time(eq, format="jyear"))))})
        g = SkyCoord(ra * u.deg, dec * u.deg, frame=Galactic())
        frames.append({"kind": "galactic_to_icrs", "input": [ra, dec],
                       "expected": sky(g.transform_to(ICRS()))})
        i = SkyCoord(ra * u.deg, dec * u.deg, frame=ICRS())
        frames.append({"kind": "icrs_to_galactic", "input": [ra, dec],
                       "expected": sky(i.transform_to(Galactic()))})
        for beq in (1950.0, 1900.0):
            f4 = SkyCoord(ra * u.deg, dec * u.deg,
                          frame=FK4(equinox=Time(beq, format="byear")))
            frames.append({"kind": "fk4_to_icrs", "input": [ra, dec], "equinox": beq,
                           "expected": sky(f4.transform_to(ICRS()))})
    out["frames"] = frames

    times = []
    for s in ["2012-09-03T01:04:44", "2000-01-01T12:00:00", "2016-12-31T23:59:60.5",
              "2017-01-01T00:00:00", "1975-06-30T23:59:59.999", "2024-02-29T18:30:15.25",
              "1965-03-01T06:00:00", "2026-11-21"]:
        times.append({"kind": "iso_to_mjd_utc", "input": s, "expected": Time(s, scale="utc").mjd})
    for start, sec in [(56173.044953703706, 20.0), (57753.99998842592, 2.0),
                       (51544.5, 86400.0 * 365), (60000.25, 0.001), (41499.9, 7200.0)]:
        t = Time(start, format="mjd", scale="utc") + TimeDelta(sec, format="sec")
        t.format = "mjd"
        times.append({"kind": "add_seconds_utc", "input": [start, sec], "expected": t.value})
    for mjd in [41317.5, 54321.0, 57753.9996, 57754.0004, 60053.333, 45000.123]:
        times.append({"kind": "tai_to_utc", "input": mjd,
                      "expected": Time(mjd, format="mjd", scale="tai").utc.mjd})
        times.append({"kind": "tt_to_utc", "input": mjd,
                      "expected": Time(mjd, format="mjd", scale="tt").utc.mjd})
        times.append({"kind": "utc_to_tai", "input": mjd,
                      "expected": Time(mjd, format="mjd", scale="utc").tai.mjd})
        times.append({"kind": "utc_to_tt", "input": mjd,
                      "expected": Time(mjd, format="mjd", scale="utc").tt.mjd})
    out["times"] = times

    geo = []
    for lon, lat, h in [(-71.15, 45.455, 1114.0), (-70.806, -30.169, 2207.0), (0.0, 0.0, 0.0),
                        (-123.417, 48.519, 229.0), (155.47, 19.826, 4204.0), (10.0, -89.99, 0.0)]:
        loc = EarthLocation.from_geodetic(lon * u.deg, lat * u.deg, h * u.m, ellipsoid="WGS84")
        geo.append({"input": [lon, lat, h],
                    "expected": [float(loc.x.to_value(u.m)), float(loc.y.to_value(u.m)),
                                 float(loc.z.to_value(u.m))]})
    out["geocentric"] = geo
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
