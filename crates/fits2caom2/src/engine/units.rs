//! Unit strings as the reference writes them: wcslib normalises `CUNITn` (`km/s` → `m/s`,
//! `Angstrom` → `m`), and the reference then prints astropy's unit object, whose generic
//! format puts spaces around `/` and between factors (`m / s`, `1 / m`, `erg / (s cm2)`).
//! Simple units pass through unchanged; anything this parser does not understand is kept as
//! wcslib wrote it (astropy keeps unrecognised units verbatim too).

/// The astropy spelling of a unit string.
pub fn astropy_unit(unit: &str) -> String {
    let u = unit.trim();
    if u.is_empty() {
        return String::new();
    }
    parse(u).map_or_else(|| u.to_string(), |f| format(&f))
}

/// (unit name, integer power)
type Factor = (String, i32);

fn parse(s: &str) -> Option<Vec<Factor>> {
    // a single plain unit needs no work
    if s.chars().all(|c| c.is_ascii_alphabetic()) {
        return Some(vec![(s.to_string(), 1)]);
    }
    let mut factors: Vec<Factor> = Vec::new();
    let mut sign = 1i32;
    let mut rest = s;
    let mut numerator_one = false;
    while !rest.is_empty() {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix('/') {
            sign = -1;
            rest = r;
            continue;
        }
        if let Some(r) = rest.strip_prefix(['.', '*']) {
            rest = r;
            continue;
        }
        let name_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let name = &rest[..name_len];
        rest = &rest[name_len..];
        // a power: digits with an optional sign, or **n / ^n
        let rest2 = rest
            .strip_prefix("**")
            .or_else(|| rest.strip_prefix('^'))
            .unwrap_or(rest);
        let pow_len = rest2
            .char_indices()
            .take_while(|&(i, c)| c.is_ascii_digit() || (i == 0 && (c == '-' || c == '+')))
            .count();
        let power = if pow_len > 0 {
            let p: i32 = rest2[..pow_len].parse().ok()?;
            rest = &rest2[pow_len..];
            p
        } else {
            1
        };
        if name.is_empty() {
            // only the "1" of "1/m" may stand alone
            if power == 1 && factors.is_empty() && sign == 1 && pow_len == 1 {
                numerator_one = true;
                continue;
            }
            return None;
        }
        factors.push((name.to_string(), sign * power));
    }
    if factors.is_empty() || (numerator_one && factors.iter().all(|f| f.1 > 0)) {
        return None;
    }
    Some(factors)
}

fn format(factors: &[Factor]) -> String {
    let mut f: Vec<Factor> = Vec::new();
    for (n, p) in factors {
        match f.iter_mut().find(|(m, _)| m == n) {
            Some(e) => e.1 += p,
            None => f.push((n.clone(), *p)),
        }
    }
    f.retain(|(_, p)| *p != 0);
    // astropy orders by decreasing power, then by name
    f.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let show = |n: &str, p: i32| {
        if p == 1 {
            n.to_string()
        } else {
            format!("{n}{p}")
        }
    };
    let pos: Vec<String> = f
        .iter()
        .filter(|x| x.1 > 0)
        .map(|(n, p)| show(n, *p))
        .collect();
    let neg: Vec<String> = f
        .iter()
        .filter(|x| x.1 < 0)
        .map(|(n, p)| show(n, -*p))
        .collect();
    let mut s = if pos.is_empty() {
        "1".to_string()
    } else {
        pos.join(" ")
    };
    if !neg.is_empty() {
        s.push_str(" / ");
        if neg.len() == 1 {
            s.push_str(&neg[0]);
        } else {
            s.push('(');
            s.push_str(&neg.join(" "));
            s.push(')');
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::astropy_unit;

    #[test]
    fn like_astropy() {
        for (wcslib, astropy) in [
            ("m/s", "m / s"),
            ("1/m", "1 / m"),
            ("m", "m"),
            ("deg", "deg"),
            ("Hz", "Hz"),
            ("km/s", "km / s"),
            ("m.s-1", "m / s"),
            ("m s-1", "m / s"),
            ("cm-1", "1 / cm"),
            ("m2", "m2"),
            ("erg/s/cm2", "erg / (s cm2)"),
            ("Jy/beam", "Jy / beam"),
            ("", ""),
            ("COUNTS", "COUNTS"),
        ] {
            assert_eq!(astropy_unit(wcslib), astropy, "{wcslib}");
        }
    }
}
