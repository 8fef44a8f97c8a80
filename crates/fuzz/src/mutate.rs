//! Mutations: small random changes to a seed, the kinds that find parser bugs — bit flips,
//! interesting bytes, inserted, deleted and duplicated runs, splices between seeds, tokens of
//! the format, and long repetitions (deep nesting, huge runs). Inputs stay under 2 MiB.

use std::io::{Read, Write};

/// The largest input a mutation makes.
pub const MAX_INPUT: usize = 2 * 1024 * 1024;

/// xorshift64*: small, fast, and the same run for the same seed.
#[derive(Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

const INTERESTING: &[u8] = &[
    0, 1, 0x7f, 0x80, 0xff, b'"', b'\'', b'<', b'>', b'&', b'[', b']', b'{', b'}', b';', b',',
    b'\n', b'\r', b'=', b'-', b'.', b'0', b'9', b'e', b'\\', b' ', b'\t',
];

/// A new input: a seed changed one to eight times; for zip inputs, sometimes one of the
/// archive's entries changed and the archive written anew.
pub fn mutant(rng: &mut Rng, seeds: &[Vec<u8>], tokens: &[&[u8]], zipped: bool) -> Vec<u8> {
    let seed = &seeds[rng.below(seeds.len())];
    if zipped && rng.chance(2) {
        if let Some(z) = mutate_zip(rng, seed, seeds, tokens) {
            return z;
        }
    }
    let mut v = seed.clone();
    for _ in 0..1 + rng.below(8) {
        mutate(rng, &mut v, seeds, tokens);
    }
    v.truncate(MAX_INPUT);
    v
}

fn mutate(rng: &mut Rng, v: &mut Vec<u8>, seeds: &[Vec<u8>], tokens: &[&[u8]]) {
    let at = |rng: &mut Rng, v: &Vec<u8>| rng.below(v.len() + 1);
    match rng.below(9) {
        0 if !v.is_empty() => {
            let i = rng.below(v.len());
            v[i] ^= 1 << rng.below(8);
        }
        1 if !v.is_empty() => {
            let i = rng.below(v.len());
            v[i] = INTERESTING[rng.below(INTERESTING.len())];
        }
        2 => {
            let i = at(rng, v);
            let n = 1 + rng.below(16);
            let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            v.splice(i..i, bytes);
        }
        3 if !v.is_empty() => {
            let i = rng.below(v.len());
            let n = 1 + rng.below((v.len() - i).min(64));
            v.drain(i..i + n);
        }
        4 if !v.is_empty() => {
            // Duplicate a run, many times over now and then.
            let i = rng.below(v.len());
            let n = 1 + rng.below((v.len() - i).min(256));
            let run = v[i..i + n].to_vec();
            let times = if rng.chance(8) {
                1 + rng.below(5000)
            } else {
                1 + rng.below(4)
            };
            let mut rep = Vec::with_capacity(run.len() * times);
            for _ in 0..times {
                if rep.len() + run.len() > MAX_INPUT {
                    break;
                }
                rep.extend_from_slice(&run);
            }
            v.splice(i..i, rep);
        }
        5 => {
            // A run of another seed.
            let other = &seeds[rng.below(seeds.len())];
            if !other.is_empty() {
                let j = rng.below(other.len());
                let n = 1 + rng.below((other.len() - j).min(512));
                let i = at(rng, v);
                v.splice(i..i, other[j..j + n].iter().copied());
            }
        }
        6 | 7 if !tokens.is_empty() => {
            let t = tokens[rng.below(tokens.len())];
            let i = at(rng, v);
            v.splice(i..i, t.iter().copied());
        }
        8 if !tokens.is_empty() => {
            // Deep nesting or a huge run of one token.
            let t = tokens[rng.below(tokens.len())];
            let times = 100 + rng.below(100_000);
            let mut rep = Vec::new();
            for _ in 0..times {
                if rep.len() + t.len() > MAX_INPUT / 2 {
                    break;
                }
                rep.extend_from_slice(t);
            }
            let i = at(rng, v);
            v.splice(i..i, rep);
        }
        _ => {}
    }
}

/// Unpacks a zip, mutates one entry (or drops, duplicates or renames one), packs it again.
fn mutate_zip(rng: &mut Rng, seed: &[u8], seeds: &[Vec<u8>], tokens: &[&[u8]]) -> Option<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(seed)).ok()?;
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..archive.len().min(64) {
        let mut f = archive.by_index(i).ok()?;
        let mut buf = Vec::new();
        f.by_ref()
            .take(MAX_INPUT as u64)
            .read_to_end(&mut buf)
            .ok()?;
        entries.push((f.name().to_string(), buf));
    }
    if entries.is_empty() {
        return None;
    }
    let k = rng.below(entries.len());
    match rng.below(10) {
        0 => {
            entries.remove(k);
        }
        1 => {
            let e = entries[k].clone();
            entries.push(e);
        }
        2 => entries[k].0 = format!("{}x", entries[k].0),
        _ => {
            for _ in 0..1 + rng.below(4) {
                mutate(rng, &mut entries[k].1, seeds, tokens);
            }
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in &entries {
            w.start_file(name.as_str(), opts).ok()?;
            w.write_all(bytes).ok()?;
        }
        w.finish().ok()?;
    }
    Some(out.into_inner())
}
