#!/usr/bin/env python3
"""Expected SGP4 states for tests/verification.rs, from an independent SGP4.

Runs the PyPI `sgp4` package (2.27: Vallado's C++ SGP4, `Satrec`) with the
WGS-72 constants in AFSPC mode (opsmode 'a') on
  * every element set of Vallado's verification file SGP4-VER.TLE (shipped
    inside the package), each over 0..1440 minutes every 20 minutes, and
  * the ISS `$OMM` vector (omm-25544.fb; its elements are restated below),
    over the module's default window (60 s steps, 90 minutes).
Each case is written the way an OMM carries it (ISO epoch, degrees,
rev/day) and SGP4 is initialised from exactly those values, as the module
is. Output: expected.csv beside this script, one row per line:

  case,<i>,<name>,<norad>,<epoch>,<n rev/day>,<e>,<i deg>,<raan deg>,
       <argp deg>,<M deg>,<bstar>,<ndot>,<nddot>,<step s>,<span min>
  state,<i>,<k>,<x>,<y>,<z>,<xdot>,<ydot>,<zdot>   (TEME, km, km/s)
  fail,<i>,<k>,<sgp4 error code>                  (no state k: decayed/invalid)

Run: pip install sgp4==2.27 && python3 make_expected.py
"""

import math
import os
from datetime import datetime, timedelta, timezone

import sgp4
from sgp4.api import WGS72, Satrec

HERE = os.path.dirname(os.path.abspath(__file__))
EARTH_RADIUS_KM = 6378.135  # WGS-72
XPDOTP = 1440.0 / (2.0 * math.pi)  # rev/day per rad/min
EPOCH_1949 = datetime(1949, 12, 31, tzinfo=timezone.utc)


def tle_epoch_iso(line1):
    """The TLE epoch (YYDDD.DDDDDDDD) as ISO 8601 UTC to the microsecond."""
    yy = int(line1[18:20])
    year = 1900 + yy if yy >= 57 else 2000 + yy
    day = float(line1[20:32])
    start = datetime(year, 1, 1, tzinfo=timezone.utc)
    micros = round((day - 1.0) * 86400e6)
    return (start + timedelta(microseconds=micros)).strftime("%Y-%m-%dT%H:%M:%S.%f")


def days_since_1949(iso):
    t = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=timezone.utc)
    d = t - EPOCH_1949
    return d.days + (d.seconds + d.microseconds / 1e6) / 86400.0


def tle_cases():
    path = os.path.join(os.path.dirname(sgp4.__file__), "SGP4-VER.TLE")
    lines = [l.rstrip("\n") for l in open(path) if l.strip() and not l.startswith("#")]
    cases = []
    for l1, l2 in zip(lines[0::2], lines[1::2]):
        sat = Satrec.twoline2rv(l1, l2)
        cases.append(dict(
            name="VER " + l2[2:7],
            norad=int(l2[2:7]),
            epoch=tle_epoch_iso(l1),
            n=float(l2[52:63]),
            e=float("0." + l2[26:33]),
            i=float(l2[8:16]),
            raan=float(l2[17:25]),
            argp=float(l2[34:42]),
            m=float(l2[43:51]),
            bstar=sat.bstar,
            ndot=sat.ndot * XPDOTP * 1440.0,   # rad/min^2 -> rev/day^2
            nddot=sat.nddot * XPDOTP * 1440.0 * 1440.0,
            step=1200.0,
            span=1440.0,
        ))
    return cases


ISS = dict(  # the elements of omm-25544.fb
    name="ISS (ZARYA)", norad=25544, epoch="2024-01-01T00:00:00.000000",
    n=15.50000001, e=0.0006703, i=51.6414, raan=21.5245, argp=325.0288,
    m=173.4281, bstar=0.0001027, ndot=4.512e-05, nddot=0.0, step=60.0, span=90.0,
)


def run(case):
    sat = Satrec()
    sat.sgp4init(
        WGS72, "a", case["norad"], days_since_1949(case["epoch"]), case["bstar"],
        case["ndot"] / (XPDOTP * 1440.0), case["nddot"] / (XPDOTP * 1440.0 * 1440.0),
        case["e"], math.radians(case["argp"]), math.radians(case["i"]),
        math.radians(case["m"]), case["n"] / XPDOTP, math.radians(case["raan"]),
    )
    states = int(case["span"] * 60.0 / case["step"] * (1 + 1e-9)) + 1
    rows = []
    for k in range(states):
        err, r, v = sat.sgp4_tsince(k * case["step"] / 60.0)
        if err == 0 and math.sqrt(sum(x * x for x in r)) < EARTH_RADIUS_KM:
            err = 6
        if err != 0:
            rows.append(("fail", k, err))
            break
        rows.append(("state", k, *r, *v))
    return rows


def main():
    out = []
    for index, case in enumerate(tle_cases() + [ISS]):
        out.append(",".join(["case", str(index), case["name"], str(case["norad"]), case["epoch"]]
                            + [repr(float(case[k])) for k in
                               ("n", "e", "i", "raan", "argp", "m", "bstar", "ndot", "nddot",
                                "step", "span")]))
        for row in run(case):
            out.append(",".join([row[0], str(index)] + [repr(x) for x in row[1:]]))
    with open(os.path.join(HERE, "expected.csv"), "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
