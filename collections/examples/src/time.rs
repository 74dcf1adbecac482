//! Small time helpers shared by the example collections.

/// MJD (UTC, days) of an ISO-like `YYYY-MM-DD[T ]HH:MM:SS[.fff]` text, computed as astropy
/// does for UTC: whole days plus the day fraction.
pub(crate) fn iso_to_mjd(text: &str) -> Option<f64> {
    let t = text.trim();
    let (date, time) = t.split_once(['T', ' ']).unwrap_or((t, "00:00:00"));
    let mut d = date.split('-');
    let y: i64 = d.next()?.trim().parse().ok()?;
    let m: i64 = d.next()?.trim().parse().ok()?;
    let day: i64 = d.next()?.trim().parse().ok()?;
    if d.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let mut hms = time.trim().split(':');
    let h: f64 = hms.next()?.trim().parse().ok()?;
    let mi: f64 = hms.next()?.trim().parse().ok()?;
    let s: f64 = hms.next().unwrap_or("0").trim().parse().ok()?;
    if hms.next().is_some() {
        return None;
    }
    // days from civil (proleptic Gregorian), then the MJD epoch 1858-11-17
    let yy = if m <= 2 { y - 1 } else { y };
    let era = if yy >= 0 { yy } else { yy - 399 } / 400;
    let yoe = yy - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let unix_days = era * 146_097 + doe - 719_468;
    let mjd_day = unix_days + 40_587;
    Some(mjd_day as f64 + (60.0 * (60.0 * h + mi) + s) / 86_400.0)
}

#[cfg(test)]
mod tests {
    use super::iso_to_mjd;

    #[test]
    fn known_dates() {
        assert_eq!(iso_to_mjd("1858-11-17 00:00:00"), Some(0.0));
        assert_eq!(iso_to_mjd("2000-01-01T12:00:00"), Some(51544.5));
        assert_eq!(iso_to_mjd("2023-05-18 09:00:00"), Some(60082.375));
        assert_eq!(iso_to_mjd("not a date"), None);
    }
}
