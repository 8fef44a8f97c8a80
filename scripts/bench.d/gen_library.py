#!/usr/bin/env python3
"""gen_library.py OUT.tsv QUERIES.txt N WORDS: N generated Swedish strategy documents of about
WORDS words each, as paragraphs of 60-140 words (doc \\t paragraph \\t text), and 1 000
queries (words, compounds, two-word phrases). The vocabulary is the KPI catalogue's title
words and the parts of common Swedish compounds, so the text has the compounds and
inflections a search must handle. Seeded: the same arguments give the same files."""
import json, random, re, sys

out, qout, n, words = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(7)
kpi = json.load(open("data/kolada/kpi.json", encoding="utf-8"))["values"]
vocab = set()
for k in kpi:
    for w in re.findall(r"[a-zåäöé]+", k["title"].lower()):
        if len(w) >= 3:
            vocab.add(w)
vocab = sorted(vocab)
parts = ["integration", "strategi", "arbete", "marknad", "bostad", "brist", "språk", "utveckling",
         "mottagning", "flykting", "föräldra", "stöd", "skola", "resultat", "praktik", "plats",
         "utbildning", "kompetens", "försörjning", "samhälle", "orientering", "hälsa", "etablering",
         "insats", "mångfald", "jämställdhet", "förening", "fritid", "aktivitet", "samverkan"]
compounds = [a + ("s" if a[-1] not in "aeiouyåäö" else "") + b for a in parts for b in parts if a != b]
small = ["och", "i", "av", "för", "som", "är", "att", "med", "till", "på", "ska", "kommunen", "de", "en", "ett"]
with open(out, "w", encoding="utf-8") as f:
    for d in range(n):
        left = words
        p = 0
        while left > 0:
            k = min(left, rng.randint(60, 140))
            text = []
            for _ in range(k):
                r = rng.random()
                if r < 0.35:
                    text.append(rng.choice(small))
                elif r < 0.45:
                    text.append(rng.choice(compounds))
                elif r < 0.55:
                    text.append(rng.choice(parts))
                else:
                    text.append(rng.choice(vocab))
            f.write(f"{d}\t{p}\t{' '.join(text)}.\n")
            left -= k
            p += 1
with open(qout, "w", encoding="utf-8") as f:
    for i in range(1000):
        r = rng.random()
        if r < 0.4:
            q = rng.choice(compounds)
        elif r < 0.7:
            q = rng.choice(vocab)
        else:
            q = f"{rng.choice(parts)} {rng.choice(vocab)}"
        f.write(q + "\n")
