//! Swedish full-text search over the library's paragraphs: an inverted index of word stems,
//! ranked by BM25. A query word also finds the compounds it is a part of and the parts of a
//! compound it is ("integrationsstrategi" finds "strategi för integration", and the other
//! way round), because stemmers do not split compounds: a query stem matches every indexed
//! stem it begins or ends (five letters at least). The index is derived data, built from
//! the database's paragraphs: the same paragraphs give the same answers on either database.

use crate::kpis::{each_search_stem, search_stems, stem};
use std::collections::HashMap;

/// How many postings a stem and the stems it begins or ends must have between them for
/// the index to keep them merged (see [`Index::merged`]).
const MERGED_FROM: usize = 20_000;

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
    /// One bit a paragraph: those counted for a query word's rarity, and the candidates
    /// once no untouched paragraph can reach the best (see [`Index::score`]).
    seen: Vec<u64>,
    candidates: Vec<u64>,
}

fn bit(bits: &[u64], d: u32) -> bool {
    bits[(d >> 6) as usize] & (1 << (d & 63)) != 0
}

fn set_bit(bits: &mut [u64], d: u32) -> bool {
    let word = &mut bits[(d >> 6) as usize];
    let was = *word & (1 << (d & 63)) != 0;
    *word |= 1 << (d & 63);
    !was
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
    /// The largest weight in each stem's postings: a bound on what the stem adds.
    max_weight: Vec<f32>,
    /// For a stem that begins or ends many others with many postings (a compound's part
    /// such as "arbet"), its postings and theirs merged: each paragraph once, with the best
    /// weight (theirs counted 0.7), and the largest weight. A query for the stem then reads
    /// one list, in paragraph order, instead of scattering over dozens.
    merged: FnvMap<u32, (Vec<(u32, f32)>, f32)>,
    /// The stems in order, and reversed in order: the compounds a query stem begins or
    /// ends are a range of each.
    vocab: Vec<String>,
    reversed: Vec<String>,
    avg_len: f64,
}

/// A touched paragraph while the best are chosen: ordered best first (the higher score,
/// then the earlier paragraph), so a max-heap's top is the worst kept.
#[derive(Clone, Copy)]
struct Ranked {
    score: f64,
    d: u32,
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then(self.d.cmp(&other.d))
    }
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
            each_search_stem(&body, |w| {
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
        idx.max_weight = idx
            .postings
            .iter()
            .map(|l| l.iter().map(|(_, w)| *w).fold(0.0, f32::max))
            .collect();
        idx.merge_groups();
        idx
    }

    /// Fills [`Index::merged`]: the stems whose own and longer stems' postings number
    /// [`MERGED_FROM`] or more.
    fn merge_groups(&mut self) {
        let mut best = vec![0f32; self.docs.len()];
        let mut got: Vec<u32> = Vec::new();
        let mut up: Vec<u32> = Vec::new();
        for s in 0..self.names.len() as u32 {
            up.clear();
            self.upward(&self.names[s as usize], &mut up);
            if up.len() < 2 {
                continue;
            }
            let total: usize = self.postings[s as usize].len()
                + up.iter()
                    .map(|t| self.postings[*t as usize].len())
                    .sum::<usize>();
            if total < MERGED_FROM {
                continue;
            }
            for (t, weight) in std::iter::once((s, 1.0f32)).chain(up.iter().map(|t| (*t, 0.7))) {
                for &(d, w) in &self.postings[t as usize] {
                    let b = &mut best[d as usize];
                    if *b == 0.0 {
                        got.push(d);
                    }
                    *b = b.max(weight * w);
                }
            }
            got.sort_unstable();
            let list: Vec<(u32, f32)> = got
                .drain(..)
                .map(|d| (d, std::mem::take(&mut best[d as usize])))
                .collect();
            let max = list.iter().map(|(_, w)| *w).fold(0.0, f32::max);
            self.merged.insert(s, (list, max));
        }
    }

    /// The indexed stems, other than `s`, that begin or end with it (ranges of the sorted
    /// and the reversed vocabulary), when it has five letters or more.
    fn upward(&self, s: &str, out: &mut Vec<u32>) {
        if s.chars().count() < 5 {
            return;
        }
        let from = self.vocab.partition_point(|t| t.as_str() < s);
        for t in self.vocab[from..].iter().take_while(|t| t.starts_with(s)) {
            if t != s {
                if let Some(id) = self.terms.get(t) {
                    out.push(*id);
                }
            }
        }
        let r: String = s.chars().rev().collect();
        let from = self.reversed.partition_point(|t| t.as_str() < r.as_str());
        for t in self.reversed[from..]
            .iter()
            .take_while(|t| t.starts_with(&r))
        {
            let t: String = t.chars().rev().collect();
            if t != s {
                if let Some(id) = self.terms.get(&t) {
                    out.push(*id);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
    }

    /// The best `limit` of the touched paragraphs that `keep` lets through, best first, in
    /// one pass with a heap whose top is the worst kept (a selection comparing through the
    /// scores cost more than the scoring itself for common words).
    fn best_of(
        &self,
        touched: &[u32],
        scores: &[f64],
        limit: usize,
        keep: Option<&dyn Fn(i64) -> bool>,
    ) -> Vec<Ranked> {
        let mut heap: std::collections::BinaryHeap<Ranked> =
            std::collections::BinaryHeap::with_capacity(limit.min(touched.len()) + 1);
        if limit > 0 {
            for &d in touched {
                let c = Ranked {
                    score: scores[d as usize],
                    d,
                };
                if heap.len() < limit {
                    if keep.is_none_or(|k| k(self.docs[d as usize].entry)) {
                        heap.push(c);
                    }
                } else if heap.peek().is_some_and(|worst| c < *worst)
                    && keep.is_none_or(|k| k(self.docs[d as usize].entry))
                {
                    heap.pop();
                    heap.push(c);
                }
            }
        }
        heap.into_sorted_vec()
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
        let mut q = search_stems(query);
        q.dedup();
        q.iter()
            .map(|s| {
                let mut found: Vec<u32> = Vec::new();
                self.upward(s, &mut found);
                let mut look = |t: &str| {
                    if let Some(id) = self.terms.get(t) {
                        found.push(*id);
                    }
                };
                look(s);
                let chars: Vec<(usize, char)> = s.char_indices().collect();
                if chars.len() >= 5 {
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
            let mut q = search_stems(query);
            q.dedup();
            q
        };
        // Scores by paragraph, dense, with the paragraphs touched; the buffers are the
        // thread's own and kept between queries (zeroing two vectors of every paragraph
        // cost more than scoring a rare word), and only what a query touched is cleared.
        SCRATCH.with(|cell| {
            let mut scratch = cell.borrow_mut();
            let scratch = &mut *scratch;
            if scratch.scores.len() < self.docs.len() {
                scratch.scores.resize(self.docs.len(), 0.0);
                scratch.best.resize(self.docs.len(), 0.0);
            }
            let words = self.docs.len().div_ceil(64);
            if scratch.seen.len() < words {
                scratch.seen.resize(words, 0);
                scratch.candidates.resize(words, 0);
            }
            self.score(&q, &groups, scratch, limit, keep)
        })
    }

    /// The scoring of [`Index::search`] on the thread's buffers, which it leaves zeroed.
    ///
    /// A paragraph's score is, summed over the query words, the word's idf (from the
    /// paragraphs any of its answering stems stands in) times the best of its answering
    /// stems' weights there (a stem that is only a part of the word, or has it as a part,
    /// counts 0.7). The words are scored from the one that can add the most to the one
    /// that can add the least (MaxScore, Turtle and Flood 1995): once the `limit`-th best
    /// score so far is higher than all the remaining words together can add, no paragraph
    /// not yet touched can reach the best, and the remaining words only add to the
    /// paragraphs already touched. The answer is the same as scoring every paragraph.
    fn score(
        &self,
        q: &[String],
        groups: &[Vec<u32>],
        scratch: &mut Scratch,
        limit: usize,
        keep: Option<&dyn Fn(i64) -> bool>,
    ) -> Vec<Hit> {
        let Scratch {
            scores,
            best,
            seen,
            candidates,
        } = scratch;
        let n = self.docs.len() as f64;
        // Each word: the posting lists that answer it with their weights and largest
        // weights, its idf, and the most it can add.
        type Lists<'a> = Vec<(&'a [(u32, f32)], f64, f32)>;
        let mut words: Vec<(Lists, f64, f64)> = q
            .iter()
            .zip(groups)
            .filter(|(_, terms)| !terms.is_empty())
            .map(|(word, terms)| {
                let own = terms
                    .iter()
                    .find(|t| self.names[**t as usize] == *word)
                    .and_then(|t| self.merged.get(t));
                let lists: Lists = match own {
                    // The merged list, and the word's own parts (shorter than it).
                    Some((list, max)) => std::iter::once((list.as_slice(), 1.0, *max))
                        .chain(
                            terms
                                .iter()
                                .filter(|t| self.names[**t as usize].len() < word.len())
                                .map(|t| {
                                    let t = *t as usize;
                                    (self.postings[t].as_slice(), 0.7, self.max_weight[t])
                                }),
                        )
                        .collect(),
                    None => terms
                        .iter()
                        .map(|t| {
                            let t = *t as usize;
                            let weight = if self.names[t] == *word { 1.0 } else { 0.7 };
                            (self.postings[t].as_slice(), weight, self.max_weight[t])
                        })
                        .collect(),
                };
                let df = if let [(list, _, _)] = lists[..] {
                    list.len()
                } else {
                    let mut df = 0;
                    for (list, _, _) in &lists {
                        for &(d, _) in *list {
                            df += usize::from(set_bit(seen, d));
                        }
                    }
                    seen.fill(0);
                    df
                } as f64;
                let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
                let bound = lists
                    .iter()
                    .map(|(_, weight, max)| idf * (weight * f64::from(*max)))
                    .fold(0.0, f64::max);
                (lists, idf, bound)
            })
            .collect();
        words.sort_by(|a, b| b.2.total_cmp(&a.2));
        let mut remaining: f64 = words.iter().map(|w| w.2).sum();
        let mut touched: Vec<u32> = Vec::new();
        let mut pruning = false;
        for (lists, idf, bound) in &words {
            remaining -= bound;
            if let [(list, weight, _)] = lists[..] {
                for &(d, w) in list {
                    let i = d as usize;
                    if pruning {
                        if bit(candidates, d) {
                            scores[i] += idf * (weight * f64::from(w));
                        }
                        continue;
                    }
                    if scores[i] == 0.0 {
                        touched.push(d);
                    }
                    scores[i] += idf * (weight * f64::from(w));
                }
            } else {
                // The best answering stem per paragraph, for this query word.
                let mut got: Vec<u32> = Vec::new();
                for (list, weight, _) in lists {
                    for &(d, w) in *list {
                        if pruning && !bit(candidates, d) {
                            continue;
                        }
                        let s = weight * f64::from(w);
                        let b = &mut best[d as usize];
                        if *b == 0.0 {
                            got.push(d);
                        }
                        if s > *b {
                            *b = s;
                        }
                    }
                }
                for d in got {
                    let i = d as usize;
                    if scores[i] == 0.0 {
                        touched.push(d);
                    }
                    scores[i] += idf * best[i];
                    best[i] = 0.0;
                }
            }
            // Whether the words left can still bring in a paragraph not touched yet.
            if !pruning && remaining > 0.0 && limit > 0 && touched.len() >= limit {
                let kth = self.best_of(&touched, scores, limit, keep);
                if kth.len() == limit && kth[limit - 1].score > remaining * (1.0 + 1e-9) {
                    pruning = true;
                    for &d in &touched {
                        set_bit(candidates, d);
                    }
                }
            }
        }
        if pruning {
            candidates.fill(0);
        }
        let ranked = self.best_of(&touched, scores, limit, keep);
        // The stems that answered: a paragraph's word is a match when its stem is one.
        let all: std::collections::HashSet<&str> = groups
            .iter()
            .flatten()
            .map(|t| self.names[*t as usize].as_str())
            .collect();
        let hits = ranked
            .into_iter()
            .map(|Ranked { d, .. }| {
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
        for d in touched {
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

    /// The words of targets are searched ("mål", "andel", "procent"); function words and
    /// "kommunen" are not.
    #[test]
    fn target_words_are_searched_and_function_words_are_not() {
        let idx = index(&[
            "Målet är att andelen ska vara minst 60 procent.",
            "Kommunen och regionen.",
        ]);
        for q in ["målet", "andelen", "andel", "procent", "minst"] {
            assert_eq!(idx.search(q, 10).len(), 1, "{q}");
        }
        for q in ["och", "kommunen", "att"] {
            assert!(idx.search(q, 10).is_empty(), "{q}");
        }
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
            let qs = search_stems(q);
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

    /// Scoring the words that can add the most first and then only the paragraphs already
    /// touched (once the rest cannot reach the best) gives the best `limit` exactly as
    /// scoring every paragraph does.
    #[test]
    fn pruned_search_equals_the_exhaustive_one() {
        let words = [
            "arbete",
            "arbetsmarknad",
            "marknad",
            "bostad",
            "bostadsbrist",
            "brist",
            "språk",
            "språkutveckling",
            "utveckling",
            "integration",
            "integrationsstrategi",
            "strategi",
            "och",
            "för",
            "kommunen",
            "tumörer",
            "välja",
            "sällsynt",
            "ovanlig",
            "mångfald",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let texts: Vec<String> = (0..1200)
            .map(|_| {
                let len = 5 + next() % 40;
                (0..len)
                    .map(|_| {
                        // Skewed: the first words are common, the last rare.
                        let r = (next() % 1000) as f64 / 1000.0;
                        words[((r * r * r) * words.len() as f64) as usize % words.len()]
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let idx = index(&texts.iter().map(String::as_str).collect::<Vec<_>>());
        let mut queries: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        for a in words {
            for b in ["tumörer", "välja", "sällsynt", "arbete", "bostadsbrist"] {
                queries.push(format!("{a} {b}"));
            }
        }
        queries.push("arbete ovanlig sällsynt mångfald".into());
        for q in &queries {
            let all = idx.search(q, usize::MAX >> 1);
            for k in [1, 3, 10] {
                let top = idx.search(q, k);
                let want: Vec<_> = all.iter().take(k).cloned().collect();
                assert_eq!(top, want, "{q} top {k}");
            }
        }
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
