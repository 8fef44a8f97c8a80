"""Data for (b): 290 municipalities x 30 indicators x 20 years (2005-2024), as CSV."""
import csv, random, sys
out, muni_csv = sys.argv[1:3]
munis = [r["municipality_code"] for r in csv.DictReader(open(muni_csv))]
rnd = random.Random(2)
with open(out, "w") as f:
    f.write("unit,indicator,year,value\n")
    for m in munis:
        for i in range(1, 31):
            base, slope = rnd.uniform(20, 60), rnd.uniform(-1, 2)
            for y in range(2005, 2025):
                f.write(f"{m},I{i:02d},{y},{base + slope * (y - 2005) + rnd.gauss(0, 2):.4f}\n")
