"""Writes a Kolada-shaped (API v2) data file of ~1 000 000 values for real KPI ids and the
290 municipalities: 58 KPIs x 290 x 20 years x 3 sexes = 1 009 200 values."""
import json, random, sys, csv
out, kpi_json, muni_csv = sys.argv[1:4]
kpis = [v["id"] for v in json.load(open(kpi_json))["values"] if v["municipality_type"] == "K"][:58]
munis = [r["municipality_code"] for r in csv.DictReader(open(muni_csv))]
rnd = random.Random(1)
values = []
for k in kpis:
    for m in munis:
        for y in range(2005, 2025):
            vals = []
            for g in "TKM":
                v = None if rnd.random() < 0.03 else round(rnd.uniform(0, 100), 4)
                vals.append({"count": 1, "gender": g, "status": "", "value": v})
            values.append({"kpi": k, "municipality": m, "period": y, "values": vals})
json.dump({"count": len(values) * 3, "values": values, "next_page": None}, open(out, "w"))
