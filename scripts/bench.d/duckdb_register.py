"""The register's figures as DuckDB SQL over the same facts file (see crates/register/src/stats.rs).
Prints `best_ms cells suppressed sum_n sum_numerators sum_count_and_median_values`."""
import sys, time, duckdb

con = duckdb.connect()
con.execute("SET threads TO 1")
con.execute(f"CREATE TABLE f AS SELECT * FROM read_csv('{sys.argv[1]}', header=true, columns={{'woman':'INTEGER','received':'INTEGER','left_on':'INTEGER','status90':'VARCHAR','moved_out':'INTEGER','first_intervention':'INTEGER','sfi_start':'INTEGER','sfi_passed':'INTEGER'}})")
AS_OF = 20634  # 2026-06-30 in days since 1970-01-01
SQL = f"""
WITH base AS (
  SELECT CASE WHEN woman = 1 THEN 'K' ELSE 'M' END AS sex, * FROM f
), events AS (
  SELECT 'REG-N01986' ind, year(DATE '1970-01-01' + received) y, sex, 1 AS den, 0 AS num, NULL::INTEGER AS days FROM base WHERE received <= {AS_OF}
  UNION ALL SELECT 'REG-DAGAR-INSATS', year(DATE '1970-01-01' + received), sex, 1, 0, greatest(first_intervention - received, 0) FROM base WHERE received <= {AS_OF} AND first_intervention <= {AS_OF}
  UNION ALL SELECT 'REG-KVAR-ETABL', year(DATE '1970-01-01' + left_on), sex, 1, CASE WHEN moved_out IS NULL OR moved_out > left_on THEN 1 ELSE 0 END, NULL FROM base WHERE left_on <= {AS_OF}
  UNION ALL SELECT 'REG-N00971', year(DATE '1970-01-01' + left_on), sex, 1, CASE WHEN status90 IN ('work','both') THEN 1 ELSE 0 END, NULL FROM base WHERE left_on + 90 <= {AS_OF} AND status90 IS NOT NULL AND status90 <> 'moved_away'
  UNION ALL SELECT 'REG-N00972', year(DATE '1970-01-01' + left_on), sex, 1, CASE WHEN status90 IN ('studies','both') THEN 1 ELSE 0 END, NULL FROM base WHERE left_on + 90 <= {AS_OF} AND status90 IS NOT NULL AND status90 <> 'moved_away'
  UNION ALL SELECT 'REG-N00973', year(DATE '1970-01-01' + left_on), sex, 1, CASE WHEN status90 IN ('work','studies','both') THEN 1 ELSE 0 END, NULL FROM base WHERE left_on + 90 <= {AS_OF} AND status90 IS NOT NULL AND status90 <> 'moved_away'
  UNION ALL SELECT 'REG-SFI-12M', year(DATE '1970-01-01' + sfi_start), sex, 1, CASE WHEN sfi_passed BETWEEN sfi_start AND sfi_start + 365 THEN 1 ELSE 0 END, NULL FROM base WHERE sfi_start + 365 <= {AS_OF}
), cells AS (
  SELECT ind, y, coalesce(sex, 'T') AS sex, sum(den) AS den, sum(num) AS num, median(days) AS med, count(days) AS nd
  FROM events WHERE y BETWEEN 2015 AND 2026 GROUP BY GROUPING SETS ((ind, y, sex), (ind, y))
), n AS (
  SELECT *, CASE WHEN ind = 'REG-DAGAR-INSATS' THEN nd ELSE den END AS n FROM cells
), prim AS (
  SELECT *, (n > 0 AND n < 5) AS p FROM n
), sec AS (
  -- secondary: where exactly one of T, K, M is suppressed, also the smaller other part
  SELECT *, sum(p::INTEGER) OVER (PARTITION BY ind, y) AS k,
         min(CASE WHEN NOT p AND sex <> 'T' THEN n END) OVER (PARTITION BY ind, y) AS smallest_open
  FROM prim
)
SELECT count(*) AS cells,
       sum(CASE WHEN p OR (k = 1 AND sex <> 'T' AND n = smallest_open) THEN 1 ELSE 0 END) AS suppressed,
       sum(n), sum(CASE WHEN ind NOT IN ('REG-N01986','REG-DAGAR-INSATS') THEN num ELSE 0 END),
       sum(CASE WHEN p OR (k = 1 AND sex <> 'T' AND n = smallest_open) THEN 0 WHEN ind = 'REG-N01986' THEN den WHEN ind = 'REG-DAGAR-INSATS' THEN med ELSE 0 END)
FROM sec
"""
best = 1e9
for _ in range(5):
    t = time.perf_counter()
    row = con.execute(SQL).fetchone()
    best = min(best, (time.perf_counter() - t) * 1000)
print(f"{best:.1f} {row[0]} {row[1]} {row[2]} {row[3]} {row[4]:.1f}")
