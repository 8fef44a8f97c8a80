//! What the tests of hostile input share about memory: the process's peak resident set.
//! Included by path by the tests that need it (`ingest/tests/hostile_xlsx.rs`,
//! `app/tests/hostile_text.rs`); nextest runs each test in a process of its own, so the
//! peak is the test's.

/// The peak resident set of this process so far, in MiB (`VmHWM` of `/proc/self/status`;
/// 0 where there is no such file).
pub fn peak_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb / 1024)
        .unwrap_or(0)
}
