#!/usr/bin/env python3
"""fts5_library.py CORPUS.tsv QUERIES.txt: SQLite FTS5 (Python's sqlite3) over the same
paragraphs: index-only build time, then each query with bm25 ranking and a snippet, top 10.
Prints: build_ms p50_ms p99_ms hits_total."""
import sqlite3, sys, time

corpus, queries = sys.argv[1], sys.argv[2]
rows = []
with open(corpus, encoding="utf-8") as f:
    for line in f:
        d, p, text = line.rstrip("\n").split("\t", 2)
        rows.append((int(d), int(p), text))
qs = [q.strip() for q in open(queries, encoding="utf-8") if q.strip()]
db = sqlite3.connect(":memory:")
db.execute("create virtual table para using fts5(doc unindexed, n unindexed, body, tokenize = 'unicode61')")
t = time.perf_counter()
db.executemany("insert into para (doc, n, body) values (?, ?, ?)", rows)
db.commit()
build = (time.perf_counter() - t) * 1000
lat = []
hits = 0
for q in qs:
    match = " ".join('"' + w.replace('"', '') + '"' for w in q.split())
    t = time.perf_counter()
    r = db.execute(
        "select doc, n, snippet(para, 2, '«', '»', '…', 30) from para where para match ? order by bm25(para) limit 10",
        (match,),
    ).fetchall()
    lat.append((time.perf_counter() - t) * 1000)
    hits += len(r)
lat.sort()
p = lambda x: lat[min(len(lat) - 1, int(x * len(lat)))]
print(f"{build:.0f} {p(0.5):.3f} {p(0.99):.3f} {hits}")
