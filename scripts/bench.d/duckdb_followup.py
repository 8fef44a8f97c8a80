"""The peer for (b): the same follow-up as DuckDB SQL: per municipality and indicator, the
latest value up to 2024, the baseline (2015), the straight path to 50 in 2025, the trend
over the last five years (regr_slope), the projection and the status. Prints the best of 5
in milliseconds (the query only; the data is loaded first) and the status counts."""
import duckdb, sys, time
con = duckdb.connect()
con.execute("set threads = 1")
con.execute(f"create table obs as select * from read_csv_auto('{sys.argv[1]}')")
q = """
with latest as (
  select unit, indicator, arg_max(value, year) as v, max(year) as y from obs where year <= 2024 group by all),
base as (select unit, indicator, value as b from obs where year = 2015),
trend as (
  select o.unit, o.indicator, regr_slope(o.value, o.year) as slope, count(*) as n
  from obs o join latest l using (unit, indicator) where o.year > 2024 - 5 and o.year <= 2024 group by all),
j as (
  select l.unit, l.indicator, l.v, l.y, b.b, t.slope, t.n,
         b.b + (50 - b.b) * least(greatest((l.y - 2015) / 10.0, 0), 1) as expected,
         l.v + t.slope * (2025 - l.y) as projection
  from latest l left join base b using (unit, indicator) left join trend t using (unit, indicator))
select case
  when v >= 50 then 'achieved'
  when y >= 2025 then 'off_track'
  when b is not null and y > 2015 and b >= 50 then 'off_track'
  when b is not null and y > 2015 and (v - b) / nullif(expected - b, 0) >= 1 then 'on_track'
  when b is not null and y > 2015 and (v - b) / nullif(expected - b, 0) >= 0.5 then 'at_risk'
  when b is not null and y > 2015 then 'off_track'
  when n >= 3 and projection >= 50 then 'on_track'
  else 'no_data' end as status, count(*) from j group by 1 order by 1
"""
best = 1e9
for _ in range(5):
    t = time.perf_counter()
    res = con.execute(q).fetchall()
    best = min(best, (time.perf_counter() - t) * 1000)
print(f"{best:.2f} {dict(res)}")
