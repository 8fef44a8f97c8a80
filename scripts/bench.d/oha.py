"""Reads oha's JSON output: `latency` prints "p50_ms p99_ms success_percent", `rps` prints requests/s."""
import json
import sys

d = json.load(sys.stdin)
if sys.argv[1] == "latency":
    p = d["latencyPercentiles"]
    print(f'{p["p50"] * 1000:.1f} {p["p99"] * 1000:.1f} {d["summary"]["successRate"] * 100:.1f}')
else:
    print(f'{d["summary"]["requestsPerSec"]:.0f}')
