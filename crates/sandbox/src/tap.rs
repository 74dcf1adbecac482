//! A TAP subset: the ADQL queries the pipeline (and an operator exploring the sandbox) asks,
//! translated into parameterised SQLite over the sandbox's own tables.
//!
//! Tables and columns:
//!
//! * `inventory.Artifact`: `uri`, `lastModified`, `contentChecksum`, `contentLength`,
//!   `contentType`, `contentEncoding`, `id`;
//! * `caom2.Observation`: `collection`, `observationID`, `maxLastModified`,
//!   `accMetaChecksum`, `obsID`.
//!
//! Grammar: `SELECT [TOP n] * | col, ... FROM table [[AS] alias] [WHERE cond] [ORDER BY col
//! [ASC|DESC], ...]`, where a condition combines `col op value` (`= != <> < <= > >=`),
//! `col [NOT] LIKE 'pattern'`, `col IS [NOT] NULL` and `col [NOT] BETWEEN a AND b` with
//! `AND`, `OR`, `NOT` and parentheses. Values are bound as parameters, identifiers come from
//! the table above, so nothing of the query text reaches SQLite as SQL. Times compared with
//! strings are normalised (`2024-01-01 10:00:00.5` and `2024-01-01T10:00:00.500` are the
//! same), and `LIKE` is case-sensitive, as in ADQL.

use crate::time;

/// A query the subset cannot answer.
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("ADQL: {0}")]
pub struct AdqlError(pub String);

fn err<T>(msg: impl Into<String>) -> Result<T, AdqlError> {
    Err(AdqlError(msg.into()))
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(String),
    Sym(&'static str),
}

fn tokens(q: &str) -> Result<Vec<Tok>, AdqlError> {
    let b: Vec<char> = q.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let s = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(b[s..i].iter().collect()));
        } else if c.is_ascii_digit()
            || (c == '-' && b.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let s = i;
            i += 1;
            while i < b.len()
                && (b[i].is_ascii_digit() || b[i] == '.' || b[i] == 'e' || b[i] == 'E')
            {
                i += 1;
            }
            out.push(Tok::Num(b[s..i].iter().collect()));
        } else if c == '\'' {
            let mut s = String::new();
            i += 1;
            loop {
                match b.get(i) {
                    None => return err("unterminated string"),
                    Some('\'') if b.get(i + 1) == Some(&'\'') => {
                        s.push('\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(&ch) => {
                        s.push(ch);
                        i += 1;
                    }
                }
            }
            out.push(Tok::Str(s));
        } else {
            let two: String = b[i..(i + 2).min(b.len())].iter().collect();
            let sym = match two.as_str() {
                "<=" => Some("<="),
                ">=" => Some(">="),
                "<>" => Some("<>"),
                "!=" => Some("!="),
                _ => None,
            };
            if let Some(s) = sym {
                out.push(Tok::Sym(s));
                i += 2;
                continue;
            }
            let s = match c {
                '(' => "(",
                ')' => ")",
                ',' => ",",
                '.' => ".",
                '*' => "*",
                '=' => "=",
                '<' => "<",
                '>' => ">",
                ';' => ";",
                other => return err(format!("unexpected character {other:?}")),
            };
            out.push(Tok::Sym(s));
            i += 1;
        }
    }
    Ok(out)
}

/// A column: its ADQL name, SQL name and whether it holds times.
struct Column {
    adql: &'static str,
    sql: &'static str,
    time: bool,
}

struct Table {
    adql: &'static str,
    sql: &'static str,
    columns: &'static [Column],
}

const TABLES: &[Table] = &[
    Table {
        adql: "inventory.Artifact",
        sql: "artifact",
        columns: &[
            Column {
                adql: "uri",
                sql: "uri",
                time: false,
            },
            Column {
                adql: "lastModified",
                sql: "last_modified",
                time: true,
            },
            Column {
                adql: "contentChecksum",
                sql: "content_checksum",
                time: false,
            },
            Column {
                adql: "contentLength",
                sql: "content_length",
                time: false,
            },
            Column {
                adql: "contentType",
                sql: "content_type",
                time: false,
            },
            Column {
                adql: "contentEncoding",
                sql: "content_encoding",
                time: false,
            },
            Column {
                adql: "id",
                sql: "id",
                time: false,
            },
        ],
    },
    Table {
        adql: "caom2.Observation",
        sql: "observation",
        columns: &[
            Column {
                adql: "collection",
                sql: "collection",
                time: false,
            },
            Column {
                adql: "observationID",
                sql: "observation_id",
                time: false,
            },
            Column {
                adql: "maxLastModified",
                sql: "max_last_modified",
                time: true,
            },
            Column {
                adql: "accMetaChecksum",
                sql: "acc_meta_checksum",
                time: false,
            },
            Column {
                adql: "obsID",
                sql: "id",
                time: false,
            },
        ],
    },
];

/// A translated query: SQL text, its parameters and the ADQL column names.
#[derive(Debug, PartialEq)]
pub struct Sql {
    pub text: String,
    pub args: Vec<String>,
    pub columns: Vec<String>,
}

struct P<'a> {
    t: &'a [Tok],
    i: usize,
    table: Option<&'static Table>,
    alias: Option<String>,
    args: Vec<String>,
}

impl P<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.t.get(self.i)
    }
    fn kw(&self, k: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(s)) if s.eq_ignore_ascii_case(k))
    }
    fn eat_kw(&mut self, k: &str) -> bool {
        let y = self.kw(k);
        if y {
            self.i += 1;
        }
        y
    }
    fn expect_kw(&mut self, k: &str) -> Result<(), AdqlError> {
        if self.eat_kw(k) {
            Ok(())
        } else {
            err(format!("expected {k}"))
        }
    }
    fn sym(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Tok::Sym(x)) if *x == s)
    }
    fn eat_sym(&mut self, s: &str) -> bool {
        let y = self.sym(s);
        if y {
            self.i += 1;
        }
        y
    }
    fn ident(&mut self) -> Result<String, AdqlError> {
        match self.peek() {
            Some(Tok::Ident(s)) => {
                let s = s.clone();
                self.i += 1;
                Ok(s)
            }
            other => err(format!("expected a name, found {other:?}")),
        }
    }

    /// `[alias.]name`, resolved against the table.
    fn column(&mut self) -> Result<&'static Column, AdqlError> {
        let first = self.ident()?;
        let name = if self.eat_sym(".") {
            let second = self.ident()?;
            match &self.alias {
                Some(a) if a.eq_ignore_ascii_case(&first) => second,
                _ => return err(format!("unknown table alias {first:?}")),
            }
        } else {
            first
        };
        let table = self.table.ok_or_else(|| AdqlError("no table".into()))?;
        table
            .columns
            .iter()
            .find(|c| c.adql.eq_ignore_ascii_case(&name))
            .ok_or_else(|| AdqlError(format!("{} has no column {name:?}", table.adql)))
    }

    fn value(&mut self, col: &Column) -> Result<(), AdqlError> {
        let v = match self.peek() {
            Some(Tok::Str(s)) if col.time => {
                time::canonical(s).ok_or_else(|| AdqlError(format!("{s:?} is not a time")))?
            }
            Some(Tok::Str(s)) => s.clone(),
            Some(Tok::Num(n)) => n.clone(),
            other => return err(format!("expected a value, found {other:?}")),
        };
        self.i += 1;
        self.args.push(v);
        Ok(())
    }

    fn or_expr(&mut self, out: &mut String) -> Result<(), AdqlError> {
        self.and_expr(out)?;
        while self.eat_kw("OR") {
            out.push_str(" OR ");
            self.and_expr(out)?;
        }
        Ok(())
    }

    fn and_expr(&mut self, out: &mut String) -> Result<(), AdqlError> {
        self.not_expr(out)?;
        while self.eat_kw("AND") {
            out.push_str(" AND ");
            self.not_expr(out)?;
        }
        Ok(())
    }

    fn not_expr(&mut self, out: &mut String) -> Result<(), AdqlError> {
        if self.eat_kw("NOT") {
            out.push_str("NOT ");
        }
        if self.eat_sym("(") {
            out.push('(');
            self.or_expr(out)?;
            if !self.eat_sym(")") {
                return err("expected )");
            }
            out.push(')');
            return Ok(());
        }
        let col = self.column()?;
        out.push_str(col.sql);
        let negate = self.eat_kw("NOT");
        if self.eat_kw("LIKE") {
            out.push_str(if negate { " NOT LIKE ?" } else { " LIKE ?" });
            match self.peek() {
                Some(Tok::Str(s)) => {
                    self.args.push(s.clone());
                    self.i += 1;
                }
                _ => return err("LIKE needs a string"),
            }
        } else if self.eat_kw("BETWEEN") {
            out.push_str(if negate {
                " NOT BETWEEN ? AND ?"
            } else {
                " BETWEEN ? AND ?"
            });
            self.value(col)?;
            self.expect_kw("AND")?;
            self.value(col)?;
        } else if !negate && self.eat_kw("IS") {
            let not = self.eat_kw("NOT");
            self.expect_kw("NULL")?;
            out.push_str(if not { " IS NOT NULL" } else { " IS NULL" });
        } else if !negate {
            let op = match self.peek() {
                Some(Tok::Sym(s)) if ["=", "!=", "<>", "<", "<=", ">", ">="].contains(s) => *s,
                other => return err(format!("expected a comparison, found {other:?}")),
            };
            self.i += 1;
            out.push(' ');
            out.push_str(if op == "!=" { "<>" } else { op });
            out.push_str(" ?");
            self.value(col)?;
        } else {
            return err("NOT must be followed by LIKE or BETWEEN here");
        }
        Ok(())
    }
}

/// Translates a query; `maxrec` caps the rows.
pub fn translate(query: &str, maxrec: Option<u64>) -> Result<Sql, AdqlError> {
    let toks = tokens(query)?;
    let mut p = P {
        t: &toks,
        i: 0,
        table: None,
        alias: None,
        args: Vec::new(),
    };
    p.expect_kw("SELECT")?;
    let mut limit = maxrec;
    if p.eat_kw("TOP") {
        match p.peek() {
            Some(Tok::Num(n)) => {
                let n: u64 = n
                    .parse()
                    .map_err(|_| AdqlError("TOP needs a count".into()))?;
                limit = Some(limit.map_or(n, |m| m.min(n)));
                p.i += 1;
            }
            _ => return err("TOP needs a count"),
        }
    }
    // The select list refers to the alias, which comes later: find FROM first.
    let select_start = p.i;
    let from = (p.i..toks.len())
        .find(|&j| matches!(&toks[j], Tok::Ident(s) if s.eq_ignore_ascii_case("FROM")))
        .ok_or_else(|| AdqlError("expected FROM".into()))?;
    p.i = from + 1;
    let schema = p.ident()?;
    let name = if p.eat_sym(".") {
        format!("{schema}.{}", p.ident()?)
    } else {
        schema
    };
    let table = TABLES
        .iter()
        .find(|t| t.adql.eq_ignore_ascii_case(&name))
        .ok_or_else(|| {
            AdqlError(format!(
                "unknown table {name:?} (this service has inventory.Artifact and caom2.Observation)"
            ))
        })?;
    p.table = Some(table);
    p.eat_kw("AS");
    if let Some(Tok::Ident(a)) = p.peek() {
        if !["WHERE", "ORDER"].iter().any(|k| a.eq_ignore_ascii_case(k)) {
            p.alias = Some(a.clone());
            p.i += 1;
        }
    }
    let after_from = p.i;
    // select list
    p.i = select_start;
    let mut select = Vec::new();
    let mut columns = Vec::new();
    if p.eat_sym("*") {
        for c in table.columns {
            select.push(c.sql);
            columns.push(c.adql.to_string());
        }
    } else {
        loop {
            let c = p.column()?;
            select.push(c.sql);
            columns.push(c.adql.to_string());
            if !p.eat_sym(",") {
                break;
            }
        }
    }
    if p.i != from {
        return err("unexpected text before FROM");
    }
    p.i = after_from;
    let mut text = format!("SELECT {} FROM {}", select.join(", "), table.sql);
    if p.eat_kw("WHERE") {
        text.push_str(" WHERE ");
        p.or_expr(&mut text)?;
    }
    if p.eat_kw("ORDER") {
        p.expect_kw("BY")?;
        text.push_str(" ORDER BY ");
        loop {
            let c = p.column()?;
            text.push_str(c.sql);
            if p.eat_kw("DESC") {
                text.push_str(" DESC");
            } else {
                p.eat_kw("ASC");
            }
            if !p.eat_sym(",") {
                break;
            }
            text.push_str(", ");
        }
    }
    p.eat_sym(";");
    if p.i != toks.len() {
        return err(format!("unexpected {:?}", toks[p.i]));
    }
    if let Some(n) = limit {
        text.push_str(&format!(" LIMIT {n}"));
    }
    Ok(Sql {
        text,
        args: p.args,
        columns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pipeline_query() {
        let q = "SELECT A.uri, A.lastModified FROM inventory.Artifact AS A \
                 WHERE A.uri LIKE 'cadc:NEOSSAT/%' AND A.uri NOT LIKE '%jpg' \
                 AND A.lastModified > '2019-07-23 09:51:00.123456' AND A.lastModified <= '2019-07-23T21:31:00' \
                 ORDER BY A.lastModified ASC";
        let s = translate(q, Some(1000)).unwrap();
        assert_eq!(
            s.text,
            "SELECT uri, last_modified FROM artifact WHERE uri LIKE ? AND uri NOT LIKE ? \
             AND last_modified > ? AND last_modified <= ? ORDER BY last_modified LIMIT 1000"
        );
        assert_eq!(
            s.args,
            vec![
                "cadc:NEOSSAT/%",
                "%jpg",
                "2019-07-23T09:51:00.123",
                "2019-07-23T21:31:00.000"
            ]
        );
        assert_eq!(s.columns, vec!["uri", "lastModified"]);
    }

    #[test]
    fn other_forms_and_refusals() {
        let s = translate(
            "select top 5 * from caom2.Observation o where (o.collection = 'X' or collection='Y') \
             and not maxLastModified between '2020-01-01' and '2021-01-01' and accMetaChecksum is not null order by observationID desc",
            None,
        )
        .unwrap();
        assert!(
            s.text.ends_with("ORDER BY observation_id DESC LIMIT 5"),
            "{}",
            s.text
        );
        assert_eq!(s.columns.len(), 5);
        for bad in [
            "DROP TABLE artifact",
            "SELECT uri FROM artifact",
            "SELECT uri FROM inventory.Artifact WHERE uri = 'x'; DELETE",
            "SELECT x.uri FROM inventory.Artifact AS A",
            "SELECT uri FROM inventory.Artifact WHERE lastModified > 'yesterday'",
            "SELECT uri FROM inventory.Artifact WHERE uri = 'unterminated",
            "SELECT secret FROM inventory.Artifact",
        ] {
            assert!(translate(bad, None).is_err(), "{bad}");
        }
    }
}
