//! Time scales: UTC, TAI and TT as two-part Julian dates and as MJD, with leap seconds, done
//! the way ERFA does it (`eraDat`, `eraUtctai`, `eraTaiutc`, `eraTttai`, `eraTaitt`,
//! `eraCal2jd`, `eraJd2cal`, `eraDtf2d`), because the reference compute calls ERFA and the
//! reference pipeline calls astropy, which calls ERFA too.
//!
//! The leap-second table is data, in `data/leap_seconds.txt` (its source and expiry are
//! documented there). Every lookup says whether the table can vouch for the date
//! ([`Validity`]): dates before 1960 (no UTC) and dates on or after the table's expiry are
//! flagged; [`Flagged::checked`] turns a flag into an error, as plane compute does (the
//! reference fails for ERFA's "dubious year" status).
//!
//! ```
//! use astro::time_scale;
//!
//! // 2012-09-03T01:04:44 UTC and 20 s later (astropy: 56173.044953703706, 56173.04518518518)
//! let start = time_scale::iso_to_mjd_utc("2012-09-03T01:04:44")?;
//! let end = time_scale::add_seconds_utc(start, 20.0)?;
//! assert!((start - 56173.044953703706).abs() < 1e-11);
//! assert!((end - 56173.04518518518).abs() < 1e-11);
//! # Ok::<(), astro::time_scale::TimeError>(())
//! ```

use std::sync::OnceLock;

/// Julian date of MJD 0.
pub const DJM0: f64 = 2_400_000.5;
/// Seconds per day.
pub const DAYSEC: f64 = 86_400.0;
/// TT − TAI in seconds.
pub const TT_MINUS_TAI: f64 = 32.184;

/// Why a time could not be converted.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum TimeError {
    /// A calendar date or Julian date outside what the algorithms accept (ERFA's negative
    /// statuses).
    #[error("invalid date: {0}")]
    InvalidDate(String),
    /// The leap-second table cannot vouch for the date (see [`Validity`]).
    #[error("{0}")]
    Unvouched(String),
    /// A date/time string that is not ISO 8601.
    #[error("cannot parse {text:?} as an ISO 8601 date/time: {why}")]
    Parse { text: String, why: String },
    /// The embedded leap-second table is malformed (a build defect, caught by the tests).
    #[error("leap-second table, line {line}: {why}")]
    Table { line: usize, why: String },
}

/// Whether the leap-second table vouches for a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validity {
    Valid,
    /// Before 1960: there was no UTC (ERFA status +1; ΔAT is taken as 0).
    BeforeUtc,
    /// On or after the table's expiry date: a leap second may have been announced since
    /// (ERFA's "dubious year"; the last ΔAT of the table is used).
    Expired {
        year: i32,
        month: i32,
        day: i32,
    },
}

/// A result with the table's verdict on the dates it needed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Flagged<T> {
    pub value: T,
    pub validity: Validity,
}

impl<T> Flagged<T> {
    fn new(value: T, validity: Validity) -> Flagged<T> {
        Flagged { value, validity }
    }

    /// The value, or an error when the table could not vouch for a date.
    pub fn checked(self) -> Result<T, TimeError> {
        match self.validity {
            Validity::Valid => Ok(self.value),
            Validity::BeforeUtc => Err(TimeError::Unvouched(
                "the date is before 1960, when UTC began".into(),
            )),
            Validity::Expired { year, month, day } => Err(TimeError::Unvouched(format!(
                "the date is beyond the leap-second table, which expires on \
                 {year:04}-{month:02}-{day:02} (update crates/astro/data/leap_seconds.txt)"
            ))),
        }
    }
}

fn worst(a: Validity, b: Validity) -> Validity {
    match (a, b) {
        (Validity::Valid, x) | (x, Validity::Valid) => x,
        (x, _) => x,
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Row {
    year: i32,
    month: i32,
    delta_at: f64,
    /// (reference MJD, seconds per day) for the drifting pre-1972 UTC.
    drift: Option<(f64, f64)>,
}

/// TAI − UTC by date, with its expiry.
#[derive(Clone, Debug, PartialEq)]
pub struct LeapSecondTable {
    rows: Vec<Row>,
    expires: (i32, i32, i32),
}

const TABLE_TEXT: &str = include_str!("../data/leap_seconds.txt");

/// The built-in table (`data/leap_seconds.txt`), parsed once.
pub fn table() -> Result<&'static LeapSecondTable, TimeError> {
    static TABLE: OnceLock<Result<LeapSecondTable, TimeError>> = OnceLock::new();
    TABLE
        .get_or_init(|| LeapSecondTable::parse(TABLE_TEXT))
        .as_ref()
        .map_err(Clone::clone)
}

impl LeapSecondTable {
    /// Reads the format of `data/leap_seconds.txt`: `# expires YYYY-MM-DD`, then rows of
    /// `year month ΔAT [drift_mjd rate]` in date order.
    pub fn parse(text: &str) -> Result<LeapSecondTable, TimeError> {
        let mut rows: Vec<Row> = Vec::new();
        let mut expires = None;
        for (i, line) in text.lines().enumerate() {
            let bad = |why: &str| TimeError::Table {
                line: i + 1,
                why: why.to_string(),
            };
            let line = line.trim();
            if let Some(rest) = line.strip_prefix('#') {
                if let Some(date) = rest.trim().strip_prefix("expires ") {
                    let d: Vec<i32> = date
                        .trim()
                        .split('-')
                        .map(|x| x.parse().map_err(|_| bad("bad expiry date")))
                        .collect::<Result<_, _>>()?;
                    let [y, m, d] = d[..] else {
                        return Err(bad("expiry must be YYYY-MM-DD"));
                    };
                    cal2jd(y, m, d).map_err(|_| bad("bad expiry date"))?;
                    expires = Some((y, m, d));
                }
                continue;
            }
            if line.is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split_whitespace().collect();
            let num = |s: &str| s.parse::<f64>().map_err(|_| bad("not a number"));
            let int = |s: &str| s.parse::<i32>().map_err(|_| bad("not an integer"));
            let row = match f[..] {
                [y, m, d] => Row {
                    year: int(y)?,
                    month: int(m)?,
                    delta_at: num(d)?,
                    drift: None,
                },
                [y, m, d, mjd, rate] => Row {
                    year: int(y)?,
                    month: int(m)?,
                    delta_at: num(d)?,
                    drift: Some((num(mjd)?, num(rate)?)),
                },
                _ => return Err(bad("expected: year month ΔAT [drift_mjd rate]")),
            };
            if !(1..=12).contains(&row.month) {
                return Err(bad("month out of range"));
            }
            if let Some(prev) = rows.last() {
                if 12 * row.year + row.month <= 12 * prev.year + prev.month {
                    return Err(bad("rows must be in date order"));
                }
            }
            rows.push(row);
        }
        let expires = expires.ok_or(TimeError::Table {
            line: 0,
            why: "no `# expires YYYY-MM-DD` line".into(),
        })?;
        if rows.is_empty() {
            return Err(TimeError::Table {
                line: 0,
                why: "no rows".into(),
            });
        }
        Ok(LeapSecondTable { rows, expires })
    }

    /// The expiry date (year, month, day).
    pub fn expires(&self) -> (i32, i32, i32) {
        self.expires
    }

    /// The last tabulated ΔAT change (year, month, seconds).
    pub fn last_change(&self) -> (i32, i32, f64) {
        let r = self.rows[self.rows.len() - 1];
        (r.year, r.month, r.delta_at)
    }

    /// TAI − UTC in seconds at a UTC calendar date plus day fraction `fd` (`eraDat`).
    pub fn delta_at(&self, iy: i32, im: i32, id: i32, fd: f64) -> Result<Flagged<f64>, TimeError> {
        if !(0.0..=1.0).contains(&fd) {
            return Err(TimeError::InvalidDate(format!(
                "day fraction {fd} outside [0, 1]"
            )));
        }
        let (_, djm) = cal2jd(iy, im, id)?;
        let first = self.rows[0];
        if iy < first.year {
            return Ok(Flagged::new(0.0, Validity::BeforeUtc));
        }
        let (ey, em, ed) = self.expires;
        let validity = if (iy, im, id) >= (ey, em, ed) {
            Validity::Expired {
                year: ey,
                month: em,
                day: ed,
            }
        } else {
            Validity::Valid
        };
        let m = 12 * iy + im;
        let Some(row) = self.rows.iter().rev().find(|r| m >= 12 * r.year + r.month) else {
            // the first row is January of its year in any sane table; ERFA's status −5
            return Err(TimeError::InvalidDate(format!(
                "{iy:04}-{im:02}-{id:02} is before the first ΔAT entry"
            )));
        };
        let mut da = row.delta_at;
        if let Some((mjd, rate)) = row.drift {
            da += (djm + fd - mjd) * rate;
        }
        Ok(Flagged::new(da, validity))
    }

    /// UTC → TAI, two-part Julian dates, preserving the split and order (`eraUtctai`).
    pub fn utc_to_tai(&self, utc1: f64, utc2: f64) -> Result<Flagged<(f64, f64)>, TimeError> {
        let big1 = utc1.abs() >= utc2.abs();
        let (u1, u2) = if big1 { (utc1, utc2) } else { (utc2, utc1) };
        let (iy, im, id, fd) = jd2cal(u1, u2)?;
        let dat0 = self.delta_at(iy, im, id, 0.0)?;
        let dat12 = self.delta_at(iy, im, id, 0.5)?;
        let (iyt, imt, idt, _) = jd2cal(u1 + 1.5, u2 - fd)?;
        let dat24 = self.delta_at(iyt, imt, idt, 0.0)?;
        let validity = worst(worst(dat0.validity, dat12.validity), dat24.validity);
        let (dat0, dat12, dat24) = (dat0.value, dat12.value, dat24.value);
        // the change of ΔAT over the day: a drift (pre-1972) and a jump (a leap second)
        let dlod = 2.0 * (dat12 - dat0);
        let dleap = dat24 - (dat0 + dlod);
        // a leap-second day is 86401 SI seconds long: undo the spreading, then rescale
        let mut fd = fd * ((DAYSEC + dleap) / DAYSEC);
        fd *= (DAYSEC + dlod) / DAYSEC;
        let (z1, z2) = cal2jd(iy, im, id)?;
        let mut a2 = z1 - u1;
        a2 += z2;
        a2 += fd + dat0 / DAYSEC;
        let tai = if big1 { (u1, a2) } else { (a2, u1) };
        Ok(Flagged::new(tai, validity))
    }

    /// TAI → UTC, two-part Julian dates, by iterating [`Self::utc_to_tai`] (`eraTaiutc`).
    pub fn tai_to_utc(&self, tai1: f64, tai2: f64) -> Result<Flagged<(f64, f64)>, TimeError> {
        let big1 = tai1.abs() >= tai2.abs();
        let (a1, a2) = if big1 { (tai1, tai2) } else { (tai2, tai1) };
        let (u1, mut u2) = (a1, a2);
        let mut validity = Validity::Valid;
        for _ in 0..3 {
            let g = self.utc_to_tai(u1, u2)?;
            validity = g.validity;
            let (g1, g2) = g.value;
            u2 += a1 - g1;
            u2 += a2 - g2;
        }
        let utc = if big1 { (u1, u2) } else { (u2, u1) };
        Ok(Flagged::new(utc, validity))
    }
}

/// TT → TAI, two-part Julian dates (`eraTttai`).
pub fn tt_to_tai(tt1: f64, tt2: f64) -> (f64, f64) {
    let dtat = TT_MINUS_TAI / DAYSEC;
    if tt1.abs() > tt2.abs() {
        (tt1, tt2 - dtat)
    } else {
        (tt1 - dtat, tt2)
    }
}

/// TAI → TT, two-part Julian dates (`eraTaitt`).
pub fn tai_to_tt(tai1: f64, tai2: f64) -> (f64, f64) {
    let dtat = TT_MINUS_TAI / DAYSEC;
    if tai1.abs() > tai2.abs() {
        (tai1, tai2 + dtat)
    } else {
        (tai1 + dtat, tai2)
    }
}

/// TAI − UTC with the built-in table (`eraDat`).
pub fn delta_at(iy: i32, im: i32, id: i32, fd: f64) -> Result<Flagged<f64>, TimeError> {
    table()?.delta_at(iy, im, id, fd)
}

/// UTC → TAI with the built-in table (`eraUtctai`).
pub fn utc_to_tai(utc1: f64, utc2: f64) -> Result<Flagged<(f64, f64)>, TimeError> {
    table()?.utc_to_tai(utc1, utc2)
}

/// TAI → UTC with the built-in table (`eraTaiutc`).
pub fn tai_to_utc(tai1: f64, tai2: f64) -> Result<Flagged<(f64, f64)>, TimeError> {
    table()?.tai_to_utc(tai1, tai2)
}

/// TT → UTC (`eraTttai` then `eraTaiutc`).
pub fn tt_to_utc(tt1: f64, tt2: f64) -> Result<Flagged<(f64, f64)>, TimeError> {
    let (a, b) = tt_to_tai(tt1, tt2);
    tai_to_utc(a, b)
}

/// A TAI date given as `mjdref + offset` days, as UTC MJD: ERFA on the pair
/// `(mjdref + 2400000.5, offset)`, then `(u1 − 2400000.5) + u2`, exactly as the reference
/// compute does for a TemporalWCS in TAI.
pub fn tai_mjd_to_utc(mjdref: f64, offset: f64) -> Result<Flagged<f64>, TimeError> {
    let u = tai_to_utc(mjdref + DJM0, offset)?;
    Ok(Flagged::new((u.value.0 - DJM0) + u.value.1, u.validity))
}

/// A TT date given as `mjdref + offset` days, as UTC MJD (see [`tai_mjd_to_utc`]).
pub fn tt_mjd_to_utc(mjdref: f64, offset: f64) -> Result<Flagged<f64>, TimeError> {
    let u = tt_to_utc(mjdref + DJM0, offset)?;
    Ok(Flagged::new((u.value.0 - DJM0) + u.value.1, u.validity))
}

/// A UTC date given as `mjdref + offset` days, as TAI MJD.
pub fn utc_mjd_to_tai(mjdref: f64, offset: f64) -> Result<Flagged<f64>, TimeError> {
    let t = utc_to_tai(mjdref + DJM0, offset)?;
    Ok(Flagged::new((t.value.0 - DJM0) + t.value.1, t.validity))
}

/// A UTC date given as `mjdref + offset` days, as TT MJD.
pub fn utc_mjd_to_tt(mjdref: f64, offset: f64) -> Result<Flagged<f64>, TimeError> {
    let t = utc_to_tai(mjdref + DJM0, offset)?;
    let (a, b) = tai_to_tt(t.value.0, t.value.1);
    Ok(Flagged::new((a - DJM0) + b, t.validity))
}

/// ERFA's `ERFA_DNINT`: round half away from zero.
fn dnint(a: f64) -> f64 {
    if a < 0.0 {
        (a - 0.5).ceil()
    } else {
        (a + 0.5).floor()
    }
}

/// Gregorian calendar date → (2400000.5, MJD) (`eraCal2jd`). A day beyond the month's end
/// is an error here (ERFA computes it with status −3).
pub fn cal2jd(iy: i32, im: i32, id: i32) -> Result<(f64, f64), TimeError> {
    const MTAB: [i32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if iy < -4799 {
        return Err(TimeError::InvalidDate(format!("year {iy} before -4799")));
    }
    if !(1..=12).contains(&im) {
        return Err(TimeError::InvalidDate(format!("month {im}")));
    }
    let ly = i32::from(im == 2 && iy % 4 == 0 && (iy % 100 != 0 || iy % 400 == 0));
    if id < 1 || id > MTAB[(im - 1) as usize] + ly {
        return Err(TimeError::InvalidDate(format!(
            "day {id} of {iy:04}-{im:02}"
        )));
    }
    let my = i64::from((im - 14) / 12);
    let iypmy = i64::from(iy) + my;
    let (im, id) = (i64::from(im), i64::from(id));
    let djm = (1461 * (iypmy + 4800)) / 4 + (367 * (im - 2 - 12 * my)) / 12
        - (3 * ((iypmy + 4900) / 100)) / 4
        + id
        - 2_432_076;
    Ok((DJM0, djm as f64))
}

/// Two-part Julian date → Gregorian (year, month, day, fraction of day) (`eraJd2cal`, with
/// its compensated summation).
pub fn jd2cal(dj1: f64, dj2: f64) -> Result<(i32, i32, i32, f64), TimeError> {
    const DJMIN: f64 = -68569.5;
    const DJMAX: f64 = 1e9;
    let dj = dj1 + dj2;
    if !(DJMIN..=DJMAX).contains(&dj) {
        return Err(TimeError::InvalidDate(format!(
            "Julian date {dj} outside [{DJMIN}, {DJMAX}]"
        )));
    }
    let d = dnint(dj1);
    let f1 = dj1 - d;
    let mut jd = d as i64;
    let d = dnint(dj2);
    let f2 = dj2 - d;
    jd += d as i64;
    // f1 + f2 + 0.5 with compensated summation (Klein 2006)
    let mut s = 0.5;
    let mut cs = 0.0;
    for x in [f1, f2] {
        let t = s + x;
        cs += if f64::abs(s) >= f64::abs(x) {
            (s - t) + x
        } else {
            (x - t) + s
        };
        s = t;
        if s >= 1.0 {
            jd += 1;
            s -= 1.0;
        }
    }
    let mut f = s + cs;
    cs = f - s;
    if f < 0.0 {
        f = s + 1.0;
        cs += (1.0 - f) + s;
        s = f;
        f = s + cs;
        cs = f - s;
        jd -= 1;
    }
    if (f - 1.0) >= -f64::EPSILON / 4.0 {
        let t = s - 1.0;
        cs += (s - t) - 1.0;
        s = t;
        f = s + cs;
        if -f64::EPSILON / 2.0 < f {
            jd += 1;
            f = f.max(0.0);
        }
    }
    let mut l = jd + 68569;
    let n = (4 * l) / 146_097;
    l -= (146_097 * n + 3) / 4;
    let i = (4000 * (l + 1)) / 1_461_001;
    l -= (1461 * i) / 4 - 31;
    let k = (80 * l) / 2447;
    let id = l - (2447 * k) / 80;
    let l = k / 11;
    let im = k + 2 - 12 * l;
    let iy = 100 * (n - 49) + i + l;
    Ok((iy as i32, im as i32, id as i32, f))
}

/// A UTC calendar date and time → two-part Julian date (`eraDtf2d` for scale UTC): on a day
/// that ends with a leap second the day has 86401 seconds, and 23:59:60.x is accepted.
pub fn utc_dtf2d(
    iy: i32,
    im: i32,
    id: i32,
    ihr: i32,
    imn: i32,
    sec: f64,
) -> Result<Flagged<(f64, f64)>, TimeError> {
    let (dj, w) = cal2jd(iy, im, id)?;
    let dj = dj + w;
    let t = table()?;
    let dat0 = t.delta_at(iy, im, id, 0.0)?;
    let dat12 = t.delta_at(iy, im, id, 0.5)?;
    let (iy2, im2, id2, _) = jd2cal(dj, 1.5)?;
    let dat24 = t.delta_at(iy2, im2, id2, 0.0)?;
    let validity = worst(worst(dat0.validity, dat12.validity), dat24.validity);
    let dleap = dat24.value - (2.0 * dat12.value - dat0.value);
    let day = DAYSEC + dleap;
    let mut seclim = 60.0;
    if ihr == 23 && imn == 59 {
        seclim += dleap;
    }
    if !(0..=23).contains(&ihr) || !(0..=59).contains(&imn) || !(0.0..seclim).contains(&sec) {
        return Err(TimeError::InvalidDate(format!(
            "time {ihr:02}:{imn:02}:{sec} on {iy:04}-{im:02}-{id:02}"
        )));
    }
    let time = (60.0 * f64::from(60 * ihr + imn) + sec) / day;
    Ok(Flagged::new((dj, time), validity))
}

/// An ISO 8601 UTC date/time (`YYYY-MM-DD`, optionally `THH:MM[:SS[.fff]]`, `T` or a space,
/// an optional trailing `Z`) → UTC MJD, as astropy's `Time(value).mjd` gives it. Dates the
/// leap-second table cannot vouch for are errors (astropy warns; the value would be a guess).
pub fn iso_to_mjd_utc(text: &str) -> Result<f64, TimeError> {
    let (iy, im, id, ihr, imn, sec) = parse_iso(text)?;
    let (d1, d2) = utc_dtf2d(iy, im, id, ihr, imn, sec)?.checked()?;
    // astropy normalises (jd1, jd2) to a whole day plus a fraction before subtracting DJM0
    let (j1, j2) = day_frac(d1, d2);
    Ok((j1 - DJM0) + j2)
}

/// astropy's `day_frac`: an exact two-sum split into the nearest integer and a fraction.
pub(crate) fn day_frac(a: f64, b: f64) -> (f64, f64) {
    let (sum, err) = two_sum(a, b);
    let day = sum.round_ties_even();
    let (extra, frac) = two_sum(sum, -day);
    let frac = frac + (extra + err);
    // the fraction may have crossed ±0.5 after adding the error terms
    let excess = frac.round_ties_even();
    let day = day + excess;
    let (extra, frac) = two_sum(sum, -day);
    (day, frac + (extra + err))
}

fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let x = a + b;
    let eb = x - a;
    let ea = x - eb;
    (x, (b - eb) + (a - ea))
}

/// `mjd_utc` plus `seconds` of elapsed (SI) time, as astropy adds a `TimeDelta` in seconds
/// to a UTC `Time`: through TAI, so a leap second in between counts.
pub fn add_seconds_utc(mjd_utc: f64, seconds: f64) -> Result<f64, TimeError> {
    if !seconds.is_finite() || !mjd_utc.is_finite() {
        return Err(TimeError::InvalidDate(format!(
            "MJD {mjd_utc} + {seconds} s is not finite"
        )));
    }
    // astropy's Time(mjd, format='mjd'): split, shift to JD, split again
    let (j1, j2) = day_frac(mjd_utc, 0.0);
    let (j1, j2) = day_frac(j1 + DJM0, j2);
    let tai = utc_to_tai(j1, j2)?.checked()?;
    let (t1, t2) = day_frac(tai.0, tai.1 + seconds / DAYSEC);
    let (u1, u2) = tai_to_utc(t1, t2)?.checked()?;
    let (u1, u2) = day_frac(u1, u2);
    Ok((u1 - DJM0) + u2)
}

fn parse_iso(text: &str) -> Result<(i32, i32, i32, i32, i32, f64), TimeError> {
    let fail = |why: &str| TimeError::Parse {
        text: text.to_string(),
        why: why.to_string(),
    };
    let t = text.trim();
    let t = t.strip_suffix('Z').unwrap_or(t);
    let (date, time) = match t.find(['T', ' ']) {
        Some(i) => (&t[..i], Some(t[i + 1..].trim())),
        None => (t, None),
    };
    let d: Vec<&str> = date.split('-').collect();
    let [y, m, dd] = d[..] else {
        return Err(fail("expected YYYY-MM-DD"));
    };
    let int = |s: &str, what: &str| -> Result<i32, TimeError> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(fail(&format!("bad {what} {s:?}")));
        }
        s.parse().map_err(|_| fail(&format!("bad {what} {s:?}")))
    };
    let (iy, im, id) = (int(y, "year")?, int(m, "month")?, int(dd, "day")?);
    let (mut ihr, mut imn, mut sec) = (0, 0, 0.0);
    if let Some(time) = time.filter(|s| !s.is_empty()) {
        let p: Vec<&str> = time.split(':').collect();
        match p[..] {
            [h, mi] => {
                ihr = int(h, "hour")?;
                imn = int(mi, "minute")?;
            }
            [h, mi, s] => {
                ihr = int(h, "hour")?;
                imn = int(mi, "minute")?;
                let ok = !s.is_empty()
                    && s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                    && s.bytes().filter(|&b| b == b'.').count() <= 1;
                if !ok {
                    return Err(fail(&format!("bad seconds {s:?}")));
                }
                sec = s.parse().map_err(|_| fail(&format!("bad seconds {s:?}")))?;
            }
            _ => return Err(fail("expected HH:MM[:SS[.fff]]")),
        }
    }
    Ok((iy, im, id, ihr, imn, sec))
}

/// MJD ↔ calendar in whole days for callers that only need dates.
pub fn mjd_to_calendar(mjd: f64) -> Result<(i32, i32, i32, f64), TimeError> {
    jd2cal(DJM0, mjd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_parses_and_matches_the_iers_list() {
        let t = table().expect("built-in table");
        assert_eq!(t.expires(), (2027, 6, 28));
        assert_eq!(t.last_change(), (2017, 1, 37.0));
        assert_eq!(t.rows.len(), 42);
    }

    #[test]
    fn delta_at_known_dates() {
        let v = |y, m, d| delta_at(y, m, d, 0.0).unwrap();
        assert_eq!(v(2016, 12, 31).value, 36.0);
        assert_eq!(v(2017, 1, 1).value, 37.0);
        assert_eq!(v(2017, 1, 1).validity, Validity::Valid);
        assert_eq!(v(1972, 1, 1).value, 10.0);
        // drifting UTC: 1.4178180 + (37300 + 0.5 - 37300) × 0.0012960 on 1961-01-01? no: 1960
        let x = delta_at(1960, 1, 1, 0.5).unwrap().value;
        let (_, mjd) = cal2jd(1960, 1, 1).unwrap();
        assert_eq!(x, 1.4178180 + (mjd + 0.5 - 37300.0) * 0.0012960);
    }

    #[test]
    fn lookups_beyond_the_table_are_flagged() {
        let t = table().unwrap();
        let (y, m, d) = t.expires();
        let before = delta_at(y, m, d - 1, 0.0).unwrap();
        assert_eq!(before.validity, Validity::Valid);
        let on = delta_at(y, m, d, 0.0).unwrap();
        assert_eq!(
            on.validity,
            Validity::Expired {
                year: y,
                month: m,
                day: d
            }
        );
        // the value is still the last one, but checked() refuses it
        assert_eq!(on.value, 37.0);
        let err = on.checked().unwrap_err().to_string();
        assert!(err.contains("expires on 2027-06-28"), "{err}");
        let far = delta_at(2100, 1, 1, 0.0).unwrap();
        assert!(matches!(far.validity, Validity::Expired { .. }));
        assert_eq!(
            delta_at(1959, 12, 31, 0.0).unwrap().validity,
            Validity::BeforeUtc
        );
        assert!(delta_at(1959, 12, 31, 0.0).unwrap().checked().is_err());
        // conversions carry the flag
        let (_, mjd) = cal2jd(2030, 1, 1).unwrap();
        let r = tai_mjd_to_utc(mjd, 0.25).unwrap();
        assert!(matches!(r.validity, Validity::Expired { .. }));
        assert!(iso_to_mjd_utc("2030-01-01T00:00:00").is_err());
        assert!(add_seconds_utc(mjd, 1.0).is_err());
    }

    #[test]
    fn bad_dates_are_errors() {
        assert!(cal2jd(2020, 13, 1).is_err());
        assert!(cal2jd(2021, 2, 29).is_err());
        assert!(cal2jd(2020, 2, 29).is_ok());
        assert!(jd2cal(f64::NAN, 0.0).is_err());
        assert!(jd2cal(1e10, 0.0).is_err());
        assert!(delta_at(2020, 1, 1, 1.5).is_err());
        assert!(tai_to_utc(f64::NAN, 0.0).is_err());
        assert!(tai_mjd_to_utc(f64::INFINITY, 0.0).is_err());
        for bad in [
            "",
            "2020",
            "2020-01",
            "2020-1x-01",
            "2020-01-01T25:00",
            "2020-01-01T10:00:61",
        ] {
            assert!(iso_to_mjd_utc(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn leap_second_day_is_86401_seconds() {
        // 2016-12-31T23:59:60.5 exists, and lies in the last second of the day
        let a = iso_to_mjd_utc("2016-12-31T23:59:60.5").unwrap();
        let b = iso_to_mjd_utc("2017-01-01T00:00:00").unwrap();
        assert!(a < b && b - a < 1.0 / 86400.0);
        assert!(iso_to_mjd_utc("2016-12-30T23:59:60").is_err());
        // two seconds of elapsed time across the leap second: 23:59:59 → 00:00:00 + 1 s
        let start = iso_to_mjd_utc("2016-12-31T23:59:59").unwrap();
        let end = add_seconds_utc(start, 2.0).unwrap();
        assert!((end - b).abs() < 1e-10, "{end} {b}");
    }

    #[test]
    fn jd2cal_round_trips() {
        for &(y, m, d) in &[(2000, 1, 1), (1960, 2, 29), (2017, 1, 1), (1858, 11, 17)] {
            let (a, b) = cal2jd(y, m, d).unwrap();
            assert_eq!(jd2cal(a, b).unwrap(), (y, m, d, 0.0));
        }
        assert_eq!(mjd_to_calendar(0.0).unwrap(), (1858, 11, 17, 0.0));
    }
}
