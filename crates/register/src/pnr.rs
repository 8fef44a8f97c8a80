//! Personnummer and samordningsnummer (Skatteverket, SKV 704 and 707).
//!
//! Accepted forms: `YYYYMMDD-NNNN`, `YYYYMMDDNNNN`, `YYMMDD-NNNN`, `YYMMDDNNNN` and
//! `YYMMDD+NNNN` (the plus sign: the person has turned 100). The last digit is a Luhn check
//! digit over the ten digits `YYMMDDNNN`. A samordningsnummer has 60 added to the day.
//! Ten-digit forms need a reference date to choose the century: the most recent century in
//! which the person is younger than 100 (with `-`) or at least 100 (with `+`).
//! Stored as twelve digits.
//!
//! ```
//! use etablera_register::pnr::{Pnr, PnrKind};
//! use etablera_domain::Date;
//! let today = Date::new(2026, 11, 24).unwrap();
//! let p = Pnr::parse("811218-9876", today).unwrap();
//! assert_eq!(p.digits(), "198112189876");
//! assert_eq!(p.kind(), PnrKind::Personnummer);
//! let s = Pnr::parse("19810278-9875", today).unwrap();   // day 18 + 60
//! assert_eq!(s.kind(), PnrKind::Samordningsnummer);
//! assert!(Pnr::parse("811218-9875", today).is_err());     // wrong check digit
//! ```

use etablera_domain::Date;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A valid personnummer or samordningsnummer, as twelve digits.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Pnr(String);

/// Which kind of number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PnrKind {
    Personnummer,
    Samordningsnummer,
}

/// Why a text is not a personnummer. The messages never repeat the input, so they may be
/// shown and logged without leaking the number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PnrError {
    #[error("a personnummer has 10 or 12 digits (YYYYMMDD-NNNN)")]
    Format,
    #[error("the date in the personnummer does not exist")]
    Date,
    #[error("the check digit (the last digit) is wrong")]
    CheckDigit,
    #[error("the personnummer lies in the future")]
    Future,
}

impl PnrError {
    /// What is wrong, as a clause after the field's name, in `lang`.
    pub fn text(&self, lang: etablera_domain::Lang) -> &'static str {
        match self {
            PnrError::Format => lang.pick(
                "ska ha 10 eller 12 siffror (ÅÅÅÅMMDD-NNNN)",
                "must have 10 or 12 digits (YYYYMMDD-NNNN)",
            ),
            PnrError::Date => lang.pick(
                "har ett datum som inte finns",
                "has a date that does not exist",
            ),
            PnrError::CheckDigit => lang.pick(
                "har fel kontrollsiffra (den sista siffran)",
                "has a wrong check digit (the last digit)",
            ),
            PnrError::Future => lang.pick("ligger i framtiden", "lies in the future"),
        }
    }
}

impl Pnr {
    /// Parses and validates; `today` decides the century of ten-digit forms.
    pub fn parse(input: &str, today: Date) -> Result<Pnr, PnrError> {
        let s = input.trim();
        // Only digits and one separator make a number: anything else (a multi-byte
        // character too, which would split badly below) is refused first.
        if !s
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'-' || b == b'+')
        {
            return Err(PnrError::Format);
        }
        let (head, sep, tail) = match s.find(['-', '+']) {
            Some(i) => (&s[..i], Some(s.as_bytes()[i]), &s[i + 1..]),
            None if s.len() >= 4 => (&s[..s.len() - 4], None, &s[s.len() - 4..]),
            None => return Err(PnrError::Format),
        };
        let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(head) || !all_digits(tail) || tail.len() != 4 {
            return Err(PnrError::Format);
        }
        let (year, month, day) = match head.len() {
            8 => {
                if sep == Some(b'+') {
                    return Err(PnrError::Format);
                }
                let y: i32 = head[0..4].parse().map_err(|_| PnrError::Format)?;
                (y, num(&head[4..6]), num(&head[6..8]))
            }
            6 => {
                let yy = num(&head[0..2]) as i32;
                let (month, day) = (num(&head[2..4]), num(&head[4..6]));
                let real_day = if day > 60 { day - 60 } else { day };
                // The latest century that puts the birth date on or before today.
                let mut y = today.year() - today.year().rem_euclid(100) + yy;
                let born = |y: i32| Date::new(y, month as u8, real_day as u8);
                match born(y) {
                    Some(d) if d > today => y -= 100,
                    None if y > today.year() => y -= 100,
                    _ => {}
                }
                if sep == Some(b'+') {
                    y -= 100;
                }
                (y, month, day)
            }
            _ => return Err(PnrError::Format),
        };
        let (kind, real_day) = if day > 60 {
            (PnrKind::Samordningsnummer, day - 60)
        } else {
            (PnrKind::Personnummer, day)
        };
        let _ = kind;
        let birth = Date::new(year, month as u8, real_day as u8).ok_or(PnrError::Date)?;
        if birth > today {
            return Err(PnrError::Future);
        }
        let twelve = format!("{year:04}{month:02}{day:02}{tail}");
        if !luhn_ok(&twelve[2..]) {
            return Err(PnrError::CheckDigit);
        }
        Ok(Pnr(twelve))
    }

    /// The twelve digits, `YYYYMMDDNNNN`.
    pub fn digits(&self) -> &str {
        &self.0
    }

    pub fn kind(&self) -> PnrKind {
        if num(&self.0[6..8]) > 60 {
            PnrKind::Samordningsnummer
        } else {
            PnrKind::Personnummer
        }
    }

    /// The birth date (the day without the 60 of a samordningsnummer).
    pub fn birth_date(&self) -> Date {
        let y: i32 = self.0[0..4].parse().unwrap_or(0);
        let d = num(&self.0[6..8]);
        Date::new(
            y,
            num(&self.0[4..6]) as u8,
            (if d > 60 { d - 60 } else { d }) as u8,
        )
        .expect("validated on parse")
    }

    /// `YYYYMMDD-NNNN`.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[..8], &self.0[8..])
    }
}

/// Never prints the digits: a `Pnr` that ends up in a log shows nothing.
impl fmt::Debug for Pnr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pnr(…)")
    }
}

impl TryFrom<String> for Pnr {
    type Error = PnrError;
    fn try_from(s: String) -> Result<Pnr, PnrError> {
        // Stored form: twelve digits; validated again, with no century guessing needed.
        if s.len() != 12 {
            return Err(PnrError::Format);
        }
        Pnr::parse(&s, Date::new(9999, 12, 31).expect("valid"))
    }
}

impl From<Pnr> for String {
    fn from(p: Pnr) -> String {
        p.0
    }
}

fn num(s: &str) -> u32 {
    s.parse().unwrap_or(99)
}

/// The Luhn check over ten digits (weights 2,1,2,1,… from the left).
fn luhn_ok(ten: &str) -> bool {
    let sum: u32 = ten
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let d = (b - b'0') as u32 * if i % 2 == 0 { 2 } else { 1 };
            d / 10 + d % 10
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2026, 11, 24).unwrap()
    }

    #[test]
    fn valid_forms_agree() {
        for s in [
            "811218-9876",
            "8112189876",
            "19811218-9876",
            "198112189876",
            " 811218-9876 ",
        ] {
            let p = Pnr::parse(s, today()).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(p.digits(), "198112189876", "{s}");
            assert_eq!(p.kind(), PnrKind::Personnummer);
            assert_eq!(p.birth_date(), Date::new(1981, 12, 18).unwrap());
            assert_eq!(p.display(), "19811218-9876");
        }
    }

    #[test]
    fn wrong_check_digit() {
        for last in 0..10 {
            if last == 6 {
                continue;
            }
            let s = format!("811218-987{last}");
            assert_eq!(Pnr::parse(&s, today()), Err(PnrError::CheckDigit), "{s}");
        }
    }

    #[test]
    fn samordningsnummer_day_plus_sixty() {
        // 1981-02-18 with 60 added to the day: 810278; check digit computed by Luhn.
        let p = Pnr::parse("810278-9875", today()).unwrap();
        assert_eq!(p.kind(), PnrKind::Samordningsnummer);
        assert_eq!(p.digits(), "198102789875");
        assert_eq!(p.birth_date(), Date::new(1981, 2, 18).unwrap());
        // Day 18 + 60 = 78 is fine; day 92 (= 32) does not exist.
        assert_eq!(Pnr::parse("810292-9877", today()), Err(PnrError::Date));
        // A plain day 32 does not exist either.
        assert_eq!(Pnr::parse("810232-9870", today()), Err(PnrError::Date));
    }

    #[test]
    fn century_and_plus_sign() {
        // Born 2012: with the minus sign, the latest century that is not in the future.
        let young = Pnr::parse("121212-1212", today()).unwrap();
        assert_eq!(young.digits(), "201212121212");
        // The same ten digits with a plus: 100 years earlier.
        let old = Pnr::parse("121212+1212", today()).unwrap();
        assert_eq!(old.digits(), "191212121212");
        // A birthday later this year than today's date, two-digit year 26: last century.
        let p = Pnr::parse("261224-1238", today());
        // 2026-12-24 is in the future, so 1926.
        assert_eq!(p.map(|p| p.digits().to_string()), Ok("192612241238".into()));
        // Twelve digits in the future are refused.
        assert_eq!(Pnr::parse("20261224-1238", today()), Err(PnrError::Future));
        // A plus sign with twelve digits makes no sense.
        assert_eq!(Pnr::parse("19121212+1212", today()), Err(PnrError::Format));
    }

    #[test]
    fn bad_format() {
        for s in [
            "",
            "12345",
            "81121-89876",
            "811218-987",
            "8112189876x",
            "ÅÄÖ218-9876",
            "811218--9876",
            // Found by fuzzing: a multi-byte character where the last four digits start.
            "۩pۇ",
            "81121۩9876",
        ] {
            assert_eq!(Pnr::parse(s, today()), Err(PnrError::Format), "{s:?}");
        }
        // Errors never contain the digits.
        let e = Pnr::parse("811218-9875", today()).unwrap_err().to_string();
        assert!(!e.contains("811218"));
        assert_eq!(
            format!("{:?}", Pnr::parse("811218-9876", today()).unwrap()),
            "Pnr(…)"
        );
    }

    #[test]
    fn stored_form_round_trips() {
        let p = Pnr::parse("811218-9876", today()).unwrap();
        let s: String = p.clone().into();
        assert_eq!(Pnr::try_from(s).unwrap(), p);
        assert!(Pnr::try_from("8112189876".to_string()).is_err());
    }
}
