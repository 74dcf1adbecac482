//! The reference's header injection (`FitsParser.apply_blueprint`), done once per file before
//! wcslib reads any header:
//!
//! 1. global keys with a standard WCS keyword: a lookup copies the value of each listed
//!    keyword present in an HDU into the standard keyword (the *last* present one wins); a
//!    literal is written into the standard keyword of every HDU;
//! 2. per-HDU keys do the same in their own HDU;
//! 3. defaults of global lookups are written under the last keyword of the list wherever that
//!    keyword is missing or falsy (so a header's genuine `0` is overwritten);
//! 4. if an HDU has any `CDi_i`, `CDELTn` is copied to `CDn_n` where that diagonal is missing;
//! 5. with a `-SIP` axis, `DPn = 'NAXES: 1'` is added for the other axes.
//!
//! Values are typed on the way in as the reference's `_set_by_type` does.

use crate::blueprint::{standard_keywords, Axes};
use crate::card::{Card, Value};
use crate::functions::FnValue;
use crate::header::Header;

use super::plan::{Entry, Resolved};
use super::values::{py_str_value, set_by_type};

/// The reference's `has_no_value`: nothing, or text containing `None`.
fn has_no_value(e: &Entry) -> bool {
    match e {
        Entry::Null | Entry::Call(_) => true,
        Entry::Text(t) => t.trim().contains("None"),
        Entry::Value(FnValue::Scalar(Value::String(s))) => s.trim().contains("None"),
        _ => false,
    }
}

/// The text a plan value is written as.
fn value_text(e: &Entry) -> Option<String> {
    match e {
        Entry::Text(t) => Some(t.to_string()),
        Entry::Value(FnValue::Scalar(v)) => Some(py_str_value(v)),
        Entry::Value(FnValue::Set(s)) => Some(s.join(" ")),
        _ => None,
    }
}

/// What the injection did.
pub(crate) struct Injected {
    /// Sections for HDUs the file lacks.
    pub warnings: Vec<String>,
    /// Per HDU, the keywords written (upper case).
    pub written: Vec<Vec<String>>,
}

// every write goes through here, so that unchanged cards can be passed on as read
fn put(h: &mut Header, written: &mut Vec<String>, keyword: &str, v: Value) {
    // a new keyword goes at the end rather than before the trailing COMMENT/HISTORY cards
    // (astropy's place): wcslib reads the same cards, and nothing else sees the order
    if h.contains(keyword)
        || keyword.eq_ignore_ascii_case("COMMENT")
        || keyword.eq_ignore_ascii_case("HISTORY")
    {
        h.set(keyword, v);
    } else {
        h.push(Card::new(keyword, v, ""));
    }
    let k = keyword.to_ascii_uppercase();
    if !written.contains(&k) {
        written.push(k);
    }
}

/// Applies steps 1–5 to `headers`.
pub(crate) fn inject(plan: &Resolved, axes: &Axes, headers: &mut [Header], file: &str) -> Injected {
    let mut warnings = Vec::new();
    let mut written: Vec<Vec<String>> = vec![Vec::new(); headers.len()];
    // 1. global values for standard keywords
    for &key in plan.order() {
        let Some(std) = standard_keywords(axes, key) else {
            continue;
        };
        let Some(slot) = plan.global(key) else {
            continue;
        };
        match &slot.entry {
            Entry::Lookup(l) => {
                for (h, w) in headers.iter_mut().zip(written.iter_mut()) {
                    for item in &l.items {
                        let kw = item.text();
                        if std.contains(kw) {
                            continue;
                        }
                        if let Some(v) = h.get(kw) {
                            let typed = set_by_type(&py_str_value(v));
                            for s in std.iter() {
                                put(h, w, s, typed.clone());
                            }
                        }
                    }
                }
            }
            Entry::Table(_) => {}
            e if has_no_value(e) => {}
            e => {
                if let Some(text) = value_text(e) {
                    let typed = set_by_type(&text);
                    for s in std.iter() {
                        for (h, w) in headers.iter_mut().zip(written.iter_mut()) {
                            put(h, w, s, typed.clone());
                        }
                    }
                }
            }
        }
    }
    // 2. per-HDU values
    for (hdu, list) in plan.extensions() {
        let (Some(h), Some(w)) = (headers.get_mut(hdu), written.get_mut(hdu)) else {
            warnings.push(format!(
                "{file}: the blueprint has values for HDU {hdu}, but the file has {} HDUs",
                headers.len()
            ));
            continue;
        };
        for (key, slot) in list {
            let std = standard_keywords(axes, *key);
            match &slot.entry {
                Entry::Lookup(l) => {
                    let Some(std) = std else { continue };
                    for item in &l.items {
                        let kw = item.text();
                        if std.contains(kw) {
                            continue;
                        }
                        if let Some(v) = h.get(kw) {
                            let typed = set_by_type(&py_str_value(v));
                            for s in std.iter() {
                                put(h, w, s, typed.clone());
                            }
                        }
                    }
                }
                Entry::Table(_) => {}
                e if has_no_value(e) => {}
                e => {
                    if let (Some(std), Some(text)) = (std, value_text(e)) {
                        let typed = set_by_type(&text);
                        for s in std.iter() {
                            put(h, w, s, typed.clone());
                        }
                    }
                }
            }
        }
    }
    // 3. defaults of global lookups, under the last keyword
    for &key in plan.order() {
        let Some(slot) = plan.global(key) else {
            continue;
        };
        let Entry::Lookup(l) = &slot.entry else {
            continue;
        };
        let Some(default) = l.default.as_deref().filter(|d| !d.is_empty()) else {
            continue;
        };
        let Some(last) = l.items.last().map(|i| i.text()) else {
            continue;
        };
        if last.contains(',') {
            continue;
        }
        let kw = last.trim();
        let typed = set_by_type(default);
        for (h, w) in headers.iter_mut().zip(written.iter_mut()) {
            if !h.get(kw).is_some_and(Value::is_truthy) {
                put(h, w, kw, typed.clone());
            }
        }
    }
    // 4. CDELTn → CDn_n when the HDU has a CD matrix
    const CD: [&str; 5] = ["CD1_1", "CD2_2", "CD3_3", "CD4_4", "CD5_5"];
    const CDELT: [&str; 5] = ["CDELT1", "CDELT2", "CDELT3", "CDELT4", "CDELT5"];
    for (h, w) in headers.iter_mut().zip(written.iter_mut()) {
        if CD.iter().any(|k| h.contains(k)) {
            for (cd, cdelt) in CD.iter().zip(CDELT) {
                if !h.contains(cd) {
                    if let Some(v) = h.get(cdelt).cloned() {
                        put(h, w, cd, v);
                    }
                }
            }
        }
    }
    // 5. SIP: DPn = 'NAXES: 1' for the other axes
    for (h, w) in headers.iter_mut().zip(written.iter_mut()) {
        let ctype = |h: &Header, i: usize| h.get(&format!("CTYPE{i}")).cloned();
        let sip =
            (1..6).any(|i| matches!(ctype(h, i), Some(Value::String(s)) if s.contains("-SIP")));
        if sip {
            for i in 1..6 {
                if let Some(c) = ctype(h, i) {
                    let not_sip = !matches!(&c, Value::String(s) if s.contains("-SIP"));
                    let dp = format!("DP{i}");
                    if not_sip && !h.contains(&dp) {
                        put(h, w, &dp, Value::String("NAXES: 1".into()));
                    }
                }
            }
        }
    }
    Injected { warnings, written }
}
