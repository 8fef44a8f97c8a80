//! Swedish full-text search over the library's paragraphs: an inverted index of word stems,
//! ranked by BM25. A query word also finds the compounds it is a part of and the parts of a
//! compound it is ("integrationsstrategi" finds "strategi för integration", and the other
//! way round), because stemmers do not split compounds: a query stem matches every indexed
//! stem it begins or ends (five letters at least). The index is derived data, built from
//! the database's paragraphs: the same paragraphs give the same answers on either database.

use crate::kpis::{stem, stems};
use std::collections::HashMap;

/// BM25's parameters, the usual ones.
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// A paragraph as the index holds it.
#[derive(Debug, Clone)]
struct Doc {
    entry: i64,
    n: i32,
    page: Option<i32>,
    body: String,
    len: f64,
}

/// The index of every paragraph.
#[derive(Debug, Default)]
pub struct Index {
    docs: Vec<Doc>,
    /// stem → (paragraph, how often the stem stands in it)
    postings: HashMap<String, Vec<(u32, u32)>>,
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
/// or it one of the query's parts.
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
        for (entry, n, page, body) in paragraphs {
            let d = u32::try_from(idx.docs.len()).unwrap_or(u32::MAX);
            let words = stems(&body);
            let mut tf: HashMap<String, u32> = HashMap::new();
            for w in &words {
                *tf.entry(w.clone()).or_default() += 1;
            }
            for (w, f) in tf {
                idx.postings.entry(w).or_default().push((d, f));
            }
            total += words.len() as f64;
            idx.docs.push(Doc {
                entry,
                n,
                page,
                body,
                len: words.len() as f64,
            });
        }
        idx.avg_len = if idx.docs.is_empty() {
            1.0
        } else {
            (total / idx.docs.len() as f64).max(1.0)
        };
        idx
    }

    /// How many paragraphs are indexed.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The indexed stems that answer each query stem.
    fn expand(&self, query: &str) -> Vec<Vec<&str>> {
        let mut q = stems(query);
        q.dedup();
        q.iter()
            .map(|s| {
                self.postings
                    .keys()
                    .filter(|k| answers(s, k))
                    .map(String::as_str)
                    .collect()
            })
            .collect()
    }

    /// The best `limit` paragraphs for a query, best first. Each query word scores a
    /// paragraph by the best of the stems that answer it, so a compound's parts both found
    /// count as the compound found.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let n = self.docs.len() as f64;
        let groups = self.expand(query);
        let mut scores: HashMap<u32, f64> = HashMap::new();
        let q = {
            let mut q = stems(query);
            q.dedup();
            q
        };
        for (word, terms) in q.iter().zip(&groups) {
            // The paragraphs any answering stem stands in: the query word's own rarity.
            let mut best: HashMap<u32, f64> = HashMap::new();
            for t in terms {
                // A stem that is only a part of the query word, or has it as a part, counts
                // for less than the word itself.
                let weight = if *t == word.as_str() { 1.0 } else { 0.7 };
                for &(d, f) in &self.postings[*t] {
                    let len = self.docs[d as usize].len;
                    let f = f64::from(f);
                    let s = weight * f * (K1 + 1.0) / (f + K1 * (1.0 - B + B * len / self.avg_len));
                    let e = best.entry(d).or_default();
                    *e = e.max(s);
                }
            }
            let df = best.len() as f64;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            for (d, s) in best {
                *scores.entry(d).or_default() += idf * s;
            }
        }
        let mut ranked: Vec<(u32, f64)> = scores.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let all: Vec<&str> = groups.iter().flatten().copied().collect();
        ranked
            .into_iter()
            .take(limit)
            .map(|(d, score)| {
                let doc = &self.docs[d as usize];
                Hit {
                    entry_id: doc.entry,
                    paragraph: doc.n,
                    page: doc.page,
                    score: (score * 1000.0).round() / 1000.0,
                    snippet: snippet(&doc.body, &all),
                }
            })
            .collect()
    }
}

/// Up to 30 words of a paragraph around its first match, the matches between « and ».
fn snippet(body: &str, terms: &[&str]) -> String {
    let words: Vec<&str> = body.split_whitespace().collect();
    let hit = |w: &str| {
        let core: String = w.chars().filter(|c| c.is_alphanumeric()).collect();
        core.chars().count() >= 3 && {
            let s = stem(&core);
            terms.iter().any(|t| answers(t, &s) || *t == s)
        }
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
                (*w).to_string()
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

    #[test]
    fn rarer_words_rank_higher_and_snippets_mark_the_match() {
        let idx = index(&[
            "Arbete och bostad för nyanlända.",
            "Arbete för alla.",
            "Arbete, arbete och åter arbete.",
        ]);
        let hits = idx.search("bostad", 10);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].snippet, "Arbete och «bostad» för nyanlända.");
        assert!(idx.search("", 10).is_empty());
    }
}
