//! Swedish full-text search over the library's paragraphs: an inverted index of word stems,
//! ranked by BM25. A query word also finds the compounds it is a part of and the parts of a
//! compound it is ("integrationsstrategi" finds "strategi för integration", and the other
//! way round), because stemmers do not split compounds: a query stem matches every indexed
//! stem it begins or ends (five letters at least). The index is derived data, built from
//! the database's paragraphs: the same paragraphs give the same answers on either database.

use crate::kpis::{each_stem, stem, stems};
use std::collections::HashMap;

/// BM25's parameters, the usual ones.
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// FNV-1a: the index hashes millions of short stems while it builds; SipHash's resistance
/// to chosen keys is not needed for a document's own words, and FNV is several times faster
/// on them.
#[derive(Default, Clone, Copy)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// A thread's score buffers, one slot per paragraph, zero between queries.
#[derive(Default)]
struct Scratch {
    scores: Vec<f64>,
    best: Vec<f64>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// A paragraph as the index holds it.
#[derive(Debug, Clone)]
struct Doc {
    entry: i64,
    n: i32,
    page: Option<i32>,
    body: String,
}

/// The index of every paragraph.
#[derive(Debug, Default)]
pub struct Index {
    docs: Vec<Doc>,
    /// stem → its number; by number: the stem, and (paragraph, the stem's BM25 weight in
    /// it before idf). The weight depends only on how often the stem stands in the
    /// paragraph and the paragraph's length, so it is computed once, when the index is
    /// built, not for every posting of every query.
    terms: FnvMap<String, u32>,
    names: Vec<String>,
    postings: Vec<Vec<(u32, f32)>>,
    /// The stems in order, and reversed in order: the compounds a query stem begins or
    /// ends are a range of each.
    vocab: Vec<String>,
    reversed: Vec<String>,
    avg_len: f64,
}

/// A paragraph that matches a query.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Hit {
    pub entry_id: i64,
    pub paragraph: i32,
    pub page: Option<i32>,
    pub score: f64,
    /// The paragraph around its first match, the matching words between « and ».
    pub snippet: String,
}

/// Whether an indexed stem answers a query stem: the same, or the query one of its parts,
/// or it one of the query's parts. The rule [`Index::expand`] implements with sorted
/// ranges; the tests check the two agree.
#[cfg(test)]
fn answers(query: &str, indexed: &str) -> bool {
    if query == indexed {
        return true;
    }
    let (short, long) = if query.len() <= indexed.len() {
        (query, indexed)
    } else {
        (indexed, query)
    };
    short.chars().count() >= 5
        && (long.starts_with(short) || long.ends_with(short) || {
            // The part before the linking -s of a compound: "integrations" + "strategi".
            long.strip_suffix(short)
                .is_some_and(|rest| rest.ends_with('s'))
        })
}

impl Index {
    /// The index of paragraphs given as (entry, paragraph number, page, text).
    pub fn build(paragraphs: impl IntoIterator<Item = (i64, i32, Option<i32>, String)>) -> Index {
        let mut idx = Index::default();
        let mut total = 0.0;
        let mut ids: Vec<u32> = Vec::new();
        // (paragraph, how often) while the average length is not yet known.
        let mut counts: Vec<Vec<(u32, u32)>> = Vec::new();
        let mut lens: Vec<f64> = Vec::new();
        for (entry, n, page, body) in paragraphs {
            let d = u32::try_from(idx.docs.len()).unwrap_or(u32::MAX);
            ids.clear();
            each_stem(&body, |w| {
                let next = idx.names.len() as u32;
                let id = *idx.terms.entry(w).or_insert_with_key(|k| {
                    idx.names.push(k.clone());
                    counts.push(Vec::new());
                    next
                });
                ids.push(id);
            });
            ids.sort_unstable();
            let mut i = 0;
            while i < ids.len() {
                let run = ids[i..].iter().take_while(|x| **x == ids[i]).count();
                counts[ids[i] as usize].push((d, run as u32));
                i += run;
            }
            total += ids.len() as f64;
            lens.push(ids.len() as f64);
            idx.docs.push(Doc {
                entry,
                n,
                page,
                body,
            });
        }
        idx.vocab = idx.names.clone();
        idx.vocab.sort_unstable();
        idx.reversed = idx
            .names
            .iter()
            .map(|k| k.chars().rev().collect())
            .collect();
        idx.reversed.sort_unstable();
        idx.avg_len = if idx.docs.is_empty() {
            1.0
        } else {
            (total / idx.docs.len() as f64).max(1.0)
        };
        let avg_len = idx.avg_len;
        idx.postings = counts
            .into_iter()
            .map(|list| {
                list.into_iter()
                    .map(|(d, f)| {
                        let f = f64::from(f);
                        let len = lens[d as usize];
                        let w = f * (K1 + 1.0) / (f + K1 * (1.0 - B + B * len / avg_len));
                        (d, w as f32)
                    })
                    .collect()
            })
            .collect();
        idx
    }

    /// How many paragraphs are indexed.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The indexed stems that answer each query stem: itself, the stems it begins or ends
    /// (ranges of the sorted and the reversed vocabulary), and the stems that begin or end
    /// it (its own prefixes and suffixes), five letters at least.
    fn expand(&self, query: &str) -> Vec<Vec<u32>> {
        let mut q = stems(query);
        q.dedup();
        q.iter()
            .map(|s| {
                let mut found: Vec<u32> = Vec::new();
                let mut look = |t: &str| {
                    if let Some(id) = self.terms.get(t) {
                        found.push(*id);
                    }
                };
                look(s);
                let chars: Vec<(usize, char)> = s.char_indices().collect();
                if chars.len() >= 5 {
                    let from = self.vocab.partition_point(|t| t.as_str() < s.as_str());
                    for t in self.vocab[from..]
                        .iter()
                        .take_while(|t| t.starts_with(s.as_str()))
                    {
                        look(t);
                    }
                    let r: String = s.chars().rev().collect();
                    let from = self.reversed.partition_point(|t| t.as_str() < r.as_str());
                    for t in self.reversed[from..]
                        .iter()
                        .take_while(|t| t.starts_with(&r))
                    {
                        look(&t.chars().rev().collect::<String>());
                    }
                    // Its own parts: prefixes and suffixes of five letters or more.
                    for (n, (at, _)) in chars.iter().enumerate().skip(1) {
                        let (head, tail) = s.split_at(*at);
                        if n >= 5 {
                            look(head);
                        }
                        if chars.len() - n >= 5 {
                            look(tail);
                        }
                    }
                }
                found.sort_unstable();
                found.dedup();
                found
            })
            .collect()
    }

    /// The best `limit` paragraphs for a query, best first. Each query word scores a
    /// paragraph by the best of the stems that answer it, so a compound's parts both found
    /// count as the compound found.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        self.search_where(query, limit, None)
    }

    /// [`Index::search`] over the paragraphs of the entries `keep` lets through (a filter by
    /// municipality, county, year or kind), ranked among themselves.
    pub fn search_in(&self, query: &str, limit: usize, keep: &dyn Fn(i64) -> bool) -> Vec<Hit> {
        self.search_where(query, limit, Some(keep))
    }

    /// The search, with a filter or without one (an unfiltered search does not look up the
    /// entry of every paragraph it touched: that lookup cost as much as the scoring).
    fn search_where(
        &self,
        query: &str,
        limit: usize,
        keep: Option<&dyn Fn(i64) -> bool>,
    ) -> Vec<Hit> {
        let groups = self.expand(query);
        let q = {
            let mut q = stems(query);
            q.dedup();
            q
        };
        // Scores by paragraph, dense, with the paragraphs touched; the buffers are the
        // thread's own and kept between queries (zeroing two vectors of every paragraph
        // cost more than scoring a rare word), and only what a query touched is cleared.
        SCRATCH.with(|cell| {
            let mut scratch = cell.borrow_mut();
            let Scratch { scores, best } = &mut *scratch;
            if scores.len() < self.docs.len() {
                scores.resize(self.docs.len(), 0.0);
                best.resize(self.docs.len(), 0.0);
            }
            self.score(&q, &groups, scores, best, limit, keep)
        })
    }

    /// The scoring of [`Index::search`] on the thread's buffers, which it leaves zeroed.
    fn score(
        &self,
        q: &[String],
        groups: &[Vec<u32>],
        scores: &mut [f64],
        best: &mut [f64],
        limit: usize,
        keep: Option<&dyn Fn(i64) -> bool>,
    ) -> Vec<Hit> {
        let n = self.docs.len() as f64;
        let mut touched: Vec<u32> = Vec::new();
        let mut seen: Vec<u32> = Vec::new();
        for (word, terms) in q.iter().zip(groups) {
            let weight_of = |t: u32| {
                if self.names[t as usize] == *word {
                    1.0
                } else {
                    0.7
                }
            };
            // One answering stem (most query words): its postings are the paragraphs, and
            // their weights add to the scores directly.
            if let [t] = terms[..] {
                let list = &self.postings[t as usize];
                let df = list.len() as f64;
                let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln() * weight_of(t);
                for &(d, w) in list {
                    let i = d as usize;
                    if scores[i] == 0.0 {
                        touched.push(d);
                    }
                    scores[i] += idf * f64::from(w);
                }
                continue;
            }
            // The best answering stem per paragraph, for this query word; a stem that is
            // only a part of the word, or has it as a part, counts for less.
            seen.clear();
            for t in terms {
                let weight = weight_of(*t);
                for &(d, w) in &self.postings[*t as usize] {
                    let s = weight * f64::from(w);
                    let b = &mut best[d as usize];
                    if *b == 0.0 {
                        seen.push(d);
                    }
                    if s > *b {
                        *b = s;
                    }
                }
            }
            // The query word's rarity: the paragraphs any answering stem stands in.
            let df = seen.len() as f64;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            for &d in &seen {
                let i = d as usize;
                if scores[i] == 0.0 {
                    touched.push(d);
                }
                scores[i] += idf * best[i];
                best[i] = 0.0;
            }
        }
        let by_score = |a: &u32, b: &u32| {
            scores[*b as usize]
                .total_cmp(&scores[*a as usize])
                .then(a.cmp(b))
        };
        // Every score this query set, to clear when it is done.
        let all_touched = touched.clone();
        if let Some(keep) = keep {
            touched.retain(|d| keep(self.docs[*d as usize].entry));
        }
        if touched.len() > limit && limit > 0 {
            touched.select_nth_unstable_by(limit - 1, by_score);
            touched.truncate(limit);
        }
        touched.sort_by(by_score);
        // The stems that answered: a paragraph's word is a match when its stem is one.
        let all: std::collections::HashSet<&str> = groups
            .iter()
            .flatten()
            .map(|t| self.names[*t as usize].as_str())
            .collect();
        let hits = touched
            .into_iter()
            .take(limit)
            .map(|d| {
                let doc = &self.docs[d as usize];
                Hit {
                    entry_id: doc.entry,
                    paragraph: doc.n,
                    page: doc.page,
                    score: (scores[d as usize] * 1000.0).round() / 1000.0,
                    snippet: snippet(&doc.body, &all),
                }
            })
            .collect();
        for d in all_touched {
            scores[d as usize] = 0.0;
        }
        hits
    }
}

/// Up to 30 words of a paragraph around its first match, the matches between « and »: the
/// words with a part (split as the index splits them) whose stem answered the query. The
/// paragraph's own « and » become plain quotes, so the marks are only the matches.
fn snippet(body: &str, answered: &std::collections::HashSet<&str>) -> String {
    let words: Vec<String> = body
        .split_whitespace()
        .map(|w| w.replace(['«', '»'], "\""))
        .collect();
    let hit = |w: &str| {
        w.split(|c: char| !c.is_alphanumeric())
            .filter(|part| part.chars().count() >= 3)
            .any(|part| answered.contains(stem(part).as_str()))
    };
    let first = words.iter().position(|w| hit(w)).unwrap_or(0);
    let from = first.saturating_sub(10);
    let to = (from + 30).min(words.len());
    let mut out: Vec<String> = words[from..to]
        .iter()
        .map(|w| {
            if hit(w) {
                format!("«{w}»")
            } else {
                w.clone()
            }
        })
        .collect();
    if from > 0 {
        out.insert(0, "…".into());
    }
    if to < words.len() {
        out.push("…".into());
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(texts: &[&str]) -> Index {
        Index::build(
            texts
                .iter()
                .enumerate()
                .map(|(i, t)| (i as i64 + 1, 0, Some(1), t.to_string())),
        )
    }

    #[test]
    fn a_compound_finds_its_phrase_and_the_phrase_the_compound() {
        let idx = index(&[
            "Kommunens strategi för integration antogs 2016.",
            "Integrationsstrategin följs upp varje år.",
            "Budgeten för skolan.",
        ]);
        let hits = idx.search("integrationsstrategi", 10);
        let found: Vec<i64> = hits.iter().map(|h| h.entry_id).collect();
        assert!(found.contains(&1) && found.contains(&2), "{hits:?}");
        assert!(!found.contains(&3), "{hits:?}");
        let hits = idx.search("strategi för integration", 10);
        let found: Vec<i64> = hits.iter().map(|h| h.entry_id).collect();
        assert!(found.contains(&1) && found.contains(&2), "{hits:?}");
        assert!(hits[0].snippet.contains('«'), "{hits:?}");
    }

    /// The ranges and parts `expand` looks up find exactly the stems `answers` accepts.
    #[test]
    fn expansion_finds_what_answers_accepts() {
        let idx = index(&[
            "Integrationsstrategin, strategi för integration och integrationsarbetet.",
            "Arbetsmarknaden, arbete, arbetslösheten och marknaden för bostäder.",
            "Bostadsbrist och bostadsförsörjning; brist på bostäder; försörjning.",
            "Språkutveckling, utveckling, språket och språkkunskaper.",
        ]);
        let queries = [
            "integrationsstrategi",
            "strategi",
            "integration",
            "arbete",
            "arbetsmarknad",
            "marknad",
            "bostadsbrist",
            "brist",
            "försörjning",
            "språkutveckling",
            "utveckling",
            "språk",
            "kunskaper",
            "mångfaldsarbete",
        ];
        for q in queries {
            let fast: Vec<&str> = idx
                .expand(q)
                .concat()
                .iter()
                .map(|t| idx.names[*t as usize].as_str())
                .collect();
            let qs = stems(q);
            let mut slow: Vec<&str> = idx
                .terms
                .keys()
                .filter(|k| qs.iter().any(|s| answers(s, k)))
                .map(String::as_str)
                .collect();
            slow.sort_unstable();
            let mut fast = fast;
            fast.sort_unstable();
            fast.dedup();
            assert_eq!(fast, slow, "{q}");
        }
    }

    #[test]
    fn rarer_words_rank_higher_and_snippets_mark_the_match() {
        let idx = index(&[
            "Arbete och bostad för nyanlända.",
            "Arbete för alla.",
            "Arbete, arbete och åter arbete.",
        ]);
        let hits = idx.search("bostad", 10);
        assert_eq!(hits.len(), 1);
        // A query leaves nothing behind for the next (the score buffers are reused).
        let first = idx.search("arbete", 1);
        idx.search("nyanlända arbete bostad", 10);
        assert_eq!(idx.search("arbete", 1), first);
        assert_eq!(hits[0].snippet, "Arbete och «bostad» för nyanlända.");
        assert!(idx.search("", 10).is_empty());
    }

    /// A word is marked when a part of it answered (as the index splits words), and the
    /// paragraph's own « » do not pass for marks.
    #[test]
    fn snippets_mark_hyphenated_words_and_only_the_matches() {
        let idx = index(&[
            "Fler e-tjänster på lätt svenska.",
            "Strategin kallas »Integration för alla» i texten.",
        ]);
        let hits = idx.search("tjänster", 10);
        assert_eq!(hits[0].snippet, "Fler «e-tjänster» på lätt svenska.");
        let hits = idx.search("strategi", 10);
        assert_eq!(
            hits[0].snippet,
            "«Strategin» kallas \"Integration för alla\" i texten."
        );
    }
}
