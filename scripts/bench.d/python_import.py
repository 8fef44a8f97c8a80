"""The peer for (a): a plain json.load + sqlite3.executemany of the same file into the same
table layout, in one transaction. Prints seconds."""
import json, sqlite3, sys, time
path, db = sys.argv[1:3]
t = time.perf_counter()
doc = json.load(open(path))
con = sqlite3.connect(db)
con.execute("pragma journal_mode = wal")
con.execute("pragma synchronous = normal")
con.execute("""create table observation (indicator_id text not null, unit_code text not null, period text not null,
  sex text not null, batch_id integer not null, value real, status text not null,
  primary key (indicator_id, unit_code, period, sex, batch_id)) without rowid""")
rows = ((v["kpi"], v["municipality"], str(v["period"]), g["gender"], 1, g["value"], "final" if g["value"] is not None else "missing")
        for v in doc["values"] for g in v["values"])
with con:
    con.executemany("insert into observation values (?,?,?,?,?,?,?)", rows)
n = con.execute("select count(*) from observation").fetchone()[0]
print(f"{time.perf_counter() - t:.3f} {n}")
