//! What the generating examples share (`bench_reports`, `scale_generate`).

/// A deterministic number in [0, 1) from a text (FNV-1a): the same generated figures in
/// every run.
pub fn noise(s: &str) -> f64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    (h >> 11) as f64 / (1u64 << 53) as f64
}
