//! Swedish sentences out of a strategy's text, as text extracted from a PDF gives it: the
//! full stop of an abbreviation ("bl.a.", "t.ex.", "s.k."), a decimal comma ("47,7 %"), a
//! thousands space ("5 000") and an initial do not end a sentence; a heading that runs into
//! the next sentence without a full stop ("… år 2020 Strategi Östersunds kommun har …")
//! does, and so do list items and blank lines.

/// A sentence and where it starts in the text (a byte offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub text: String,
    pub start: usize,
}

/// Abbreviations whose full stop does not end a sentence (lower case, without the last
/// full stop).
const ABBREVIATIONS: &[&str] = &[
    "bl.a", "t.ex", "s.k", "m.m", "o.s.v", "osv", "dvs", "d.v.s", "ca", "kap", "nr", "jfr", "resp",
    "t.o.m", "fr.o.m", "m.fl", "etc", "st", "kl", "tel", "p.g.a", "pga", "bla", "f.d", "inkl",
    "exkl", "ang", "enl", "mfl", "s", "prop", "dnr", "sfs", "ks", "kf", "jan", "feb", "apr", "aug",
    "sept", "okt", "nov", "dec",
];

/// Headings of Swedish strategy documents that PDF text runs into the next sentence.
const HEADINGS: &[&str] = &[
    "Kvantitativa mål",
    "Kvantitativt mål",
    "Delmål",
    "Strategi",
    "Indikatorer",
    "Uppföljning",
    "Långsiktigt mål",
    "Långsiktigtmål",
    "Syfte",
    "Bakgrund",
    "Mål",
];

/// The sentences of a text, in order. Headings are sentences of their own.
pub fn split(text: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        let c = text[i..].chars().next().unwrap_or(' ');
        let next = i + c.len_utf8();
        // A blank line, or a line that starts a list item, ends what came before.
        if c == '\n' {
            let rest = &text[next..];
            let trimmed = rest.trim_start_matches([' ', '\t']);
            if rest.starts_with('\n') || starts_list_item(trimmed) {
                push(&mut out, text, start, i);
                start = next;
            }
            i = next;
            continue;
        }
        if matches!(c, '.' | '!' | '?')
            && ends_sentence(text, i, bytes)
            && !(i - start <= 8 && list_number(&text[start..i]))
        {
            push(&mut out, text, start, next);
            start = next;
            i = next;
            continue;
        }
        // A heading that runs on: split before it when it stands capitalised after a
        // space and is followed by a capitalised word or a number (not "Strategi för …").
        let at_start = i - start <= 8 && text[start..i].trim().is_empty();
        if c.is_uppercase() && (at_start || text[..i].ends_with(' ')) {
            if let Some(h) = heading_at(&text[i..]) {
                push(&mut out, text, start, i);
                push(&mut out, text, i, i + h);
                start = i + h;
                i = start;
                continue;
            }
        }
        i = next;
    }
    push(&mut out, text, start, text.len());
    out
}

fn push(out: &mut Vec<Sentence>, text: &str, from: usize, to: usize) {
    let piece = &text[from..to];
    let lead = piece.len() - piece.trim_start().len();
    let s: String = piece.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().any(char::is_alphanumeric) {
        out.push(Sentence {
            text: s,
            start: from + lead,
        });
    }
}

/// Whether what stands before a full stop is a list item's number ("1." in "1. SFI").
fn list_number(before: &str) -> bool {
    let t = before.trim();
    !t.is_empty() && t.len() <= 3 && t.chars().all(|c| c.is_ascii_digit())
}

fn starts_list_item(line: &str) -> bool {
    line.starts_with(['•', '–', '-', '*', '●', '▪'])
        || line.split_once(['.', ')']).is_some_and(|(n, rest)| {
            !n.is_empty()
                && n.len() <= 2
                && n.chars().all(|c| c.is_ascii_digit())
                && rest.starts_with(' ')
        })
}

/// Whether the mark at `i` ends a sentence: it is followed by whitespace (or the end)
/// and a capital, a digit or a quote, and the word before it is not an abbreviation or an
/// initial.
fn ends_sentence(text: &str, i: usize, bytes: &[u8]) -> bool {
    let after = &text[i + 1..];
    if !after.is_empty() && !after.starts_with(char::is_whitespace) {
        return false;
    }
    let next = after.trim_start();
    if let Some(c) = next.chars().next() {
        if !(c.is_uppercase() || c.is_ascii_digit() || matches!(c, '”' | '"' | '•' | '–' | '('))
        {
            return false;
        }
    }
    if bytes[i] != b'.' {
        return true;
    }
    // The word before the full stop, with its inner full stops ("bl.a").
    let before = &text[..i];
    let word_start = before
        .rfind(|c: char| c.is_whitespace() || c == '(')
        .map_or(0, |p| p + 1);
    let word = before[word_start..].to_lowercase();
    if ABBREVIATIONS.contains(&word.as_str()) {
        return false;
    }
    // An initial ("A. Andersson").
    let mut chars = word.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        if c.is_alphabetic() {
            return false;
        }
    }
    true
}

/// The length of a heading at the start of `s`, when one stands there.
fn heading_at(s: &str) -> Option<usize> {
    for h in HEADINGS {
        let Some(rest) = s.strip_prefix(h) else {
            continue;
        };
        // "Långsiktigt mål 1:", "Mål 2:" take their number and colon.
        let mut len = h.len();
        let mut rest = rest;
        let digits = rest
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .count();
        if digits > 0 {
            let skipped = rest.len() - rest.trim_start().len();
            len += skipped + digits;
            rest = &rest[skipped + digits..];
        }
        if let Some(r) = rest.strip_prefix(':') {
            len += 1;
            rest = r;
        }
        let Some(follow) = rest.strip_prefix(' ') else {
            continue;
        };
        let first = follow.chars().next();
        if first.is_some_and(|c| c.is_uppercase() || c.is_ascii_digit()) {
            return Some(len);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(t: &str) -> Vec<String> {
        split(t).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn abbreviations_decimals_and_thousands_do_not_end_sentences() {
        assert_eq!(
            texts("Kommunen ska bl.a. öka antalet platser, t.ex. inom SFI. Andelen var 47,7 % år 2019. Med 5 000 anställda är kommunen stor."),
            vec![
                "Kommunen ska bl.a. öka antalet platser, t.ex. inom SFI.",
                "Andelen var 47,7 % år 2019.",
                "Med 5 000 anställda är kommunen stor.",
            ]
        );
        assert_eq!(
            texts("Enligt A. Andersson m.fl. ska det ske. Nästa mening."),
            vec!["Enligt A. Andersson m.fl. ska det ske.", "Nästa mening."]
        );
    }

    #[test]
    fn headings_that_run_on_are_split_off() {
        assert_eq!(
            texts("Kvantitativa mål Minst 10 % av befolkningen är utrikes födda år 2020 Strategi Östersunds kommun har som ambition att årligen ta emot minst 300 nyanlända."),
            vec![
                "Kvantitativa mål",
                "Minst 10 % av befolkningen är utrikes födda år 2020",
                "Strategi",
                "Östersunds kommun har som ambition att årligen ta emot minst 300 nyanlända.",
            ]
        );
        // Not a heading: "Strategi för integration" is a title.
        assert_eq!(
            texts("Se Strategi för integration i Härnösands kommun."),
            vec!["Se Strategi för integration i Härnösands kommun."]
        );
        assert_eq!(
            texts("Mål Långsiktigt mål 1: Fler nya Östersundare Östersund behöver fler."),
            vec![
                "Mål",
                "Långsiktigt mål 1:",
                "Fler nya Östersundare Östersund behöver fler."
            ]
        );
    }

    #[test]
    fn list_items_and_blank_lines_end_sentences() {
        assert_eq!(
            texts("Målen är\n• fler i arbete\n• färre i bidrag\n\nNytt stycke"),
            vec![
                "Målen är",
                "• fler i arbete",
                "• färre i bidrag",
                "Nytt stycke"
            ]
        );
        assert_eq!(
            texts("Insatser:\n1. SFI\n2) Praktik"),
            vec!["Insatser:", "1. SFI", "2) Praktik"]
        );
    }

    #[test]
    fn offsets_point_into_the_text() {
        let t = "Ett. Två tre.";
        for s in split(t) {
            assert!(t[s.start..].starts_with(&s.text[..2]), "{s:?}");
        }
    }
}
