//! Fictitious example files for the README's worked examples of matching and allocation:
//! housing for 100 households in Östersund's areas with a spread cap, 100 internships
//! apportioned to Östersund's departments, and 8 000 people placed over the 290
//! municipalities. Deterministic; every file says it is fictitious in its name's README.

use crate::register_demo::Rng;
use etablera_domain::Units;
use std::fmt::Write;

/// Östersund's areas: name, (lat, lon), share of newcomers among households now (fictitious).
const AREAS: [(&str, (f64, f64), f64); 11] = [
    ("Centrum", (63.177, 14.636), 0.06),
    ("Odenslund", (63.187, 14.668), 0.12),
    ("Lugnvik", (63.196, 14.676), 0.22),
    ("Torvalla", (63.155, 14.701), 0.18),
    ("Brittsbo", (63.160, 14.680), 0.15),
    ("Körfältet", (63.168, 14.669), 0.10),
    ("Valla", (63.166, 14.656), 0.08),
    ("Frösön", (63.185, 14.560), 0.03),
    ("Odensala", (63.170, 14.620), 0.05),
    ("Brunflo", (63.074, 14.829), 0.04),
    ("Lit", (63.319, 14.850), 0.03),
];

const SFI: (f64, f64) = (63.176, 14.640);

fn jitter(r: &mut Rng, p: (f64, f64)) -> (f64, f64) {
    let d = |r: &mut Rng| (r.below(2001) as f64 - 1000.0) / 1000.0 * 0.006;
    (p.0 + d(r), p.1 + 2.0 * d(r))
}

/// The example files, as (file name, contents).
pub fn files() -> Vec<(String, String)> {
    let mut r = Rng::new(2020);
    let mut out = Vec::new();

    // Housing: 100 households, 130 dwellings, caps per area and one building.
    let mut h =
        String::from("id;storlek;hyresbudget;tillganglig;sfi_lat;sfi_lon;skola_lat;skola_lon\n");
    for i in 1..=100 {
        let size = [1, 1, 1, 2, 2, 3, 4, 4, 5, 6, 7][r.below(11) as usize];
        let budget = 5200 + 900 * size + 100 * r.below(12) as u32;
        let access = if r.chance(0.06) { "ja" } else { "nej" };
        let school = if size >= 3 {
            let a = AREAS[r.below(AREAS.len() as u64) as usize].1;
            let p = jitter(&mut r, a);
            format!("{:.4};{:.4}", p.0, p.1)
        } else {
            ";".into()
        };
        let _ = writeln!(
            h,
            "H{i:03};{size};{budget};{access};{};{};{school}",
            SFI.0, SFI.1
        );
    }
    out.push(("hushall.csv".into(), h));
    let mut d = String::from("id;omrade;byggnad;rum;hyra;tillganglig;lat;lon;andel_nyanlanda\n");
    for i in 1..=130 {
        let (area, at, share) = AREAS[r.below(AREAS.len() as u64) as usize];
        let rooms = [1, 2, 2, 3, 3, 3, 4, 4, 5, 6][r.below(10) as usize];
        let rent = 3600 + 1500 * rooms + 100 * r.below(15) as u32;
        let p = jitter(&mut r, at);
        let building = if area == "Lugnvik" && r.chance(0.5) {
            "Lugnvik 1"
        } else {
            ""
        };
        let _ = writeln!(
            d,
            "B{i:03};{area};{building};{rooms};{rent};{};{:.4};{:.4};{}",
            if r.chance(0.15) { "ja" } else { "nej" },
            p.0,
            p.1,
            format!("{:.0} %", share * 100.0)
        );
    }
    out.push(("bostader.csv".into(), d));
    let mut c = String::from("grupp;tak;inom\n");
    for (area, _, _) in AREAS {
        let _ = writeln!(c, "{area};15 %;");
    }
    let _ = writeln!(c, "Lugnvik 1;3;Lugnvik");
    out.push(("tak.csv".into(), c));

    // Internships: 60 people and 45 places in 25 workplaces of five departments.
    let occupations = [
        ("5321", "Vård- och omsorgsförvaltningen"),
        ("5322", "Vård- och omsorgsförvaltningen"),
        ("5311", "Barn- och utbildningsförvaltningen"),
        ("5312", "Barn- och utbildningsförvaltningen"),
        ("9111", "Tekniska förvaltningen"),
        ("7411", "Tekniska förvaltningen"),
        ("5120", "Kultur- och fritidsförvaltningen"),
        ("4112", "Kommunledningsförvaltningen"),
    ];
    let mut pp = String::from("id;ssyk;platser;min_utbildning;min_svenska;lat;lon;forvaltning\n");
    for i in 1..=25 {
        let (code, dept) = occupations[r.below(occupations.len() as u64) as usize];
        let at = AREAS[r.below(AREAS.len() as u64) as usize].1;
        let p = jitter(&mut r, at);
        let min_sv = [1, 2, 2, 3, 4][r.below(5) as usize];
        let edu = if code.starts_with('4') { "4" } else { "" };
        let _ = writeln!(
            pp,
            "P{i:02};{code};{};{edu};{min_sv};{:.4};{:.4};{dept}",
            1 + r.below(3),
            p.0,
            p.1
        );
    }
    out.push(("praktikplatser.csv".into(), pp));
    let mut pe = String::from("id;ssyk;utbildning;svenska;lat;lon;max_pendling_km\n");
    for i in 1..=60 {
        let (code, _) = occupations[r.below(occupations.len() as u64) as usize];
        let code = if r.chance(0.3) { "" } else { code };
        let at = AREAS[r.below(AREAS.len() as u64) as usize].1;
        let p = jitter(&mut r, at);
        let _ = writeln!(
            pe,
            "N{i:03};{code};{};{};{:.4};{:.4};{}",
            1 + r.below(7),
            r.below(6),
            p.0,
            p.1,
            [10, 15, 25, 40][r.below(4) as usize]
        );
    }
    out.push(("praktikanter.csv".into(), pe));

    // Quotas: Östersund's departments (fictitious staff figures).
    let deps = [
        ("Vård- och omsorgsförvaltningen", 1900, 95, 120, 2),
        ("Barn- och utbildningsförvaltningen", 2300, 110, 150, 2),
        ("Socialförvaltningen", 420, 30, 25, 2),
        ("Tekniska förvaltningen", 380, 12, 30, 2),
        ("Kommunledningsförvaltningen", 260, 9, 12, 2),
        ("Kultur- och fritidsförvaltningen", 150, 6, 8, 2),
        ("Miljö- och samhällsbyggnadsförvaltningen", 170, 5, 15, 2),
        ("Servicecenter", 120, 14, 6, 2),
    ];
    let mut q = String::from("forvaltning;anstallda;utomnordiskt_fodda;kompetensbehov;min;max\n");
    for (name, staff, foreign, needs, min) in deps {
        let _ = writeln!(q, "{name};{staff};{foreign};{needs};{min};");
    }
    out.push(("forvaltningar.csv".into(), q));

    // Placement: 8 000 people (singles and families) over the 290 municipalities, kommuntal
    // summing to 8 000, and 40 past outcomes per municipality to fit the model from.
    let units = Units::sweden();
    let munis: Vec<(String, String)> = units
        .municipalities()
        .map(|u| (u.code.to_string(), u.name.clone()))
        .collect();
    let base: Vec<f64> = munis
        .iter()
        .map(|_| 0.30 + r.below(400) as f64 / 1000.0)
        .collect();
    let groups = [
        "K|kort",
        "K|gymnasial",
        "K|eftergymnasial",
        "M|kort",
        "M|gymnasial",
        "M|eftergymnasial",
    ];
    let effect = [-0.12, -0.04, 0.06, -0.05, 0.03, 0.10];
    let weight: Vec<u64> = munis.iter().map(|_| 1 + r.below(60)).collect();
    let wsum: u64 = weight.iter().sum();
    let mut cap: Vec<u32> = weight.iter().map(|w| (8000 * w / wsum) as u32).collect();
    let mut k = 0;
    while cap.iter().sum::<u32>() < 8000 {
        let len = cap.len();
        cap[k % len] += 1;
        k += 1;
    }
    let mut kt = String::from("kommun;platser\n");
    for ((code, _), c) in munis.iter().zip(&cap) {
        let _ = writeln!(kt, "{code};{c}");
    }
    out.push(("kommuntal.csv".into(), kt));
    let mut past = String::from("kommun;grupp;sysselsatt\n");
    for (m, (code, _)) in munis.iter().enumerate() {
        for _ in 0..40 {
            let g = r.below(groups.len() as u64) as usize;
            // A municipality's labour market suits some groups more than others.
            let fit = ((m * 7 + g * 13) % 11) as f64 / 100.0 - 0.05;
            let p = (base[m] + effect[g] + fit).clamp(0.02, 0.95);
            let _ = writeln!(
                past,
                "{code};{};{}",
                groups[g],
                if r.chance(p) { "ja" } else { "nej" }
            );
        }
    }
    out.push(("tidigare_utfall.csv".into(), past));
    let mut people = String::from("id;storlek;grupp\n");
    let mut placed = 0;
    let mut i = 0;
    while placed < 8000 {
        i += 1;
        let size = if r.chance(0.7) {
            1
        } else {
            2 + r.below(4) as u32
        }
        .min(8000 - placed);
        placed += size;
        let _ = writeln!(
            people,
            "P{i:05};{size};{}",
            groups[r.below(groups.len() as u64) as usize]
        );
    }
    out.push(("personer.csv".into(), people));
    out.push((
        "README.md".into(),
        "Fiktiva exempeldata för Etableras matchning och fördelning (etablera match example). \
         Inga verkliga personer, bostäder, förvaltningar eller utfall. Kommunkoderna kommer från \
         referenslistan i data/reference (CC0).\n"
            .into(),
    ));
    out
}
