//! Matching and allocation from files: reads the tables users keep (households and
//! dwellings, people and internships, departments, kommuntal and past outcomes), checks them
//! row by row, runs the pure solvers in `etablera-matching` and writes a readable table, CSV
//! or JSON. Every proposed pair carries its score parts; every unassigned one says why.

use crate::error::{Error, Result};
use crate::table::Table;
#[allow(unused_imports)]
use crate::{bail, input};
use etablera_domain::format::number;
use etablera_domain::{Lang, Units};
use etablera_matching::apportion::{self, Department, FactorWeights, Method, Recipient};
use etablera_matching::flow::{self, CapProblem, Group, Unassigned};
use etablera_matching::placement::{self, PastOutcome, PlacementProblem, RateModel};
use etablera_matching::score::{self, Dwelling, Household, HousingWeights, Score};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write;

fn n(v: f64, d: usize) -> String {
    number(v, d, Lang::Sv)
}

fn opt_point(t: &Table, k: usize, lat: &str, lon: &str) -> Result<Option<(f64, f64)>> {
    match (t.opt_num(k, lat)?, t.opt_num(k, lon)?) {
        (Some(a), Some(b)) => Ok(Some((a, b))),
        (None, None) => Ok(None),
        _ => bail!("{}: give both `{lat}` and `{lon}` or neither", t.at(k, lat)),
    }
}

/// Why someone was left out, in Swedish.
pub fn why_sv(u: Unassigned) -> &'static str {
    match u {
        Unassigned::NoAcceptableOption => "inget godtagbart alternativ",
        Unassigned::CapacityTaken => {
            "platserna de kan ta är upptagna (eller taket för området är nått)"
        }
        Unassigned::PenaltyCheaper => "det gav mer totalt att ge platsen till andra",
    }
}

// --- housing --------------------------------------------------------------------------------

pub const HOUSEHOLD_COLUMNS: [&str; 3] = ["id", "storlek", "hyresbudget"];
pub const HOUSEHOLD_OPTIONAL: [&str; 5] = [
    "tillganglig",
    "sfi_lat",
    "sfi_lon",
    "skola_lat",
    "skola_lon",
];
pub const DWELLING_COLUMNS: [&str; 6] = ["id", "omrade", "rum", "hyra", "lat", "lon"];
pub const DWELLING_OPTIONAL: [&str; 3] = ["tillganglig", "andel_nyanlanda", "byggnad"];
pub const CAP_COLUMNS: [&str; 2] = ["grupp", "tak"];
pub const CAP_OPTIONAL: [&str; 1] = ["inom"];

/// One proposed or refused pair in a result.
#[derive(Debug, Clone, Serialize)]
pub struct Proposal {
    pub id: String,
    pub to: Option<String>,
    pub score: Option<f64>,
    pub parts: String,
    pub why_unassigned: Option<String>,
}

/// A matching's result: the pairs, totals, loads per cap.
#[derive(Debug, Clone, Serialize)]
pub struct MatchReport {
    pub title: String,
    pub proposals: Vec<Proposal>,
    pub placed: usize,
    pub total_score: f64,
    pub caps: Vec<(String, u32, u32)>,
}

impl MatchReport {
    pub fn to_text(&self) -> String {
        let mut s = format!("{}\n\n", self.title);
        let w = self
            .proposals
            .iter()
            .map(|p| p.id.chars().count())
            .max()
            .unwrap_or(2)
            .max(2);
        let t = self
            .proposals
            .iter()
            .filter_map(|p| p.to.as_ref())
            .map(|x| x.chars().count())
            .max()
            .unwrap_or(4)
            .max(4);
        let _ = writeln!(
            s,
            "{:<w$}  {:<t$}  {:>7}  motivering",
            "id", "till", "poäng"
        );
        for p in &self.proposals {
            let _ = writeln!(
                s,
                "{:<w$}  {:<t$}  {:>7}  {}",
                p.id,
                p.to.as_deref().unwrap_or("–"),
                p.score.map(|x| n(x, 1)).unwrap_or_else(|| "–".into()),
                p.why_unassigned
                    .as_ref()
                    .map(|x| format!("ej placerad: {x}"))
                    .unwrap_or_else(|| p.parts.clone())
            );
        }
        let _ = writeln!(
            s,
            "\nPlacerade: {} av {}; total poäng {}",
            self.placed,
            self.proposals.len(),
            n(self.total_score, 1)
        );
        if !self.caps.is_empty() {
            let _ = writeln!(s, "\nTak:");
            for (g, used, cap) in &self.caps {
                let _ = writeln!(s, "  {g}: {used} av högst {cap}");
            }
        }
        s
    }

    pub fn to_csv(&self) -> Result<String> {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(Vec::new());
        w.write_record(["id", "till", "poang", "motivering", "ej_placerad_varfor"])?;
        for p in &self.proposals {
            w.write_record([
                p.id.as_str(),
                p.to.as_deref().unwrap_or(""),
                &p.score.map(|x| format!("{x:.2}")).unwrap_or_default(),
                &p.parts,
                p.why_unassigned.as_deref().unwrap_or(""),
            ])?;
        }
        Ok(String::from_utf8(w.into_inner().map_err(Error::internal)?)?)
    }
}

/// The most common refusal among a person's options, for "no acceptable option".
fn main_refusal(scores: &[Score]) -> String {
    let mut count: HashMap<String, usize> = HashMap::new();
    for s in scores {
        for r in &s.refused {
            // Group by the reason's kind (the text before the first figure).
            let key = r
                .split(|c: char| c.is_ascii_digit())
                .next()
                .unwrap_or(r)
                .trim()
                .to_string();
            *count.entry(key).or_default() += 1;
        }
    }
    let mut v: Vec<(String, usize)> = count.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.iter()
        .take(2)
        .map(|(r, c)| format!("{r} ({c} av {})", scores.len()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Caps from a table `grupp;tak;inom`: a number of placements, or a share of all households
/// ("30 %"). Groups are areas or buildings; `inom` nests one in another.
fn read_caps(t: &Table, households: usize) -> Result<(Vec<Group>, HashMap<String, usize>)> {
    let ids = t.ids("grupp")?;
    let index: HashMap<String, usize> = ids
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, g)| (g, i))
        .collect();
    let mut groups = Vec::new();
    for (k, id) in ids.iter().enumerate() {
        let raw = t.get(k, "tak");
        let v = t.non_negative(k, "tak")?;
        let cap = if raw.contains('%') {
            if v > 100.0 {
                bail!("{}: `{raw}` is above 100 %", t.at(k, "tak"));
            }
            (v / 100.0 * households as f64).floor() as u32
        } else {
            t.count(k, "tak")?
        };
        let parent = match t.get(k, "inom") {
            "" => None,
            p => Some(
                *index
                    .get(p)
                    .ok_or_else(|| input!("{}: no group `{p}` in the file", t.at(k, "inom")))?,
            ),
        };
        groups.push(Group {
            id: id.clone(),
            cap,
            parent,
        });
    }
    Ok((groups, index))
}

/// Proposes dwellings for households: each household at most one dwelling, each dwelling one
/// household, caps per area or building; the total fit is as high as possible. `penalty` is
/// what leaving a household without a dwelling costs, in score points; `None`: every
/// household must get one (or the error names those who cannot).
pub fn match_housing(
    households: (&str, &[u8]),
    dwellings: (&str, &[u8]),
    caps: Option<(&str, &[u8])>,
    penalty: Option<f64>,
    weights: &HousingWeights,
) -> Result<MatchReport> {
    let ht = Table::read(
        households.0,
        households.1,
        &HOUSEHOLD_COLUMNS,
        &HOUSEHOLD_OPTIONAL,
    )?;
    let dt = Table::read(
        dwellings.0,
        dwellings.1,
        &DWELLING_COLUMNS,
        &DWELLING_OPTIONAL,
    )?;
    let hids = ht.ids("id")?;
    let dids = dt.ids("id")?;
    let mut hs = Vec::with_capacity(hids.len());
    for (k, id) in hids.iter().enumerate() {
        let size = ht.count(k, "storlek")?;
        if size == 0 || size > 30 {
            bail!("{}: a household has 1 to 30 members", ht.at(k, "storlek"));
        }
        hs.push(Household {
            id: id.clone(),
            size,
            rent_budget: ht.non_negative(k, "hyresbudget")?,
            needs_accessible: ht.flag(k, "tillganglig")?,
            daily_place: opt_point(&ht, k, "sfi_lat", "sfi_lon")?,
            school: opt_point(&ht, k, "skola_lat", "skola_lon")?,
        });
    }
    let mut ds = Vec::with_capacity(dids.len());
    let mut building = Vec::with_capacity(dids.len());
    for (k, id) in dids.iter().enumerate() {
        let share = match dt.opt_num(k, "andel_nyanlanda")? {
            None => 0.0,
            Some(v) if dt.get(k, "andel_nyanlanda").contains('%') || v > 1.0 => v / 100.0,
            Some(v) => v,
        };
        if !(0.0..=1.0).contains(&share) {
            bail!("{}: a share from 0 to 100 %", dt.at(k, "andel_nyanlanda"));
        }
        let rooms = dt.count(k, "rum")?;
        if rooms == 0 {
            bail!("{}: at least 1 room", dt.at(k, "rum"));
        }
        let area = dt.get(k, "omrade").to_string();
        if area.is_empty() {
            bail!("{}: empty", dt.at(k, "omrade"));
        }
        ds.push(Dwelling {
            id: id.clone(),
            area,
            rooms,
            rent: dt.non_negative(k, "hyra")?,
            accessible: dt.flag(k, "tillganglig")?,
            location: (dt.num(k, "lat")?, dt.num(k, "lon")?),
            area_newcomer_share: share,
        });
        building.push(dt.get(k, "byggnad").to_string());
    }
    let (groups, gindex) = match caps {
        Some((name, bytes)) => read_caps(
            &Table::read(name, bytes, &CAP_COLUMNS, &CAP_OPTIONAL)?,
            hs.len(),
        )?,
        None => (Vec::new(), HashMap::new()),
    };
    let site_group: Vec<Option<usize>> = ds
        .iter()
        .zip(&building)
        .map(|(d, b)| gindex.get(b).or_else(|| gindex.get(&d.area)).copied())
        .collect();
    let mut scores: Vec<Vec<Score>> = Vec::with_capacity(hs.len());
    let mut arcs = Vec::new();
    for (i, h) in hs.iter().enumerate() {
        let row: Vec<Score> = ds
            .iter()
            .map(|d| score::housing_fit(h, d, weights))
            .collect();
        for (j, s) in row.iter().enumerate() {
            if s.acceptable() {
                arcs.push((i, j, -s.total));
            }
        }
        scores.push(row);
    }
    let problem = CapProblem {
        person_ids: hids.clone(),
        site_ids: dids.clone(),
        site_places: vec![1; ds.len()],
        site_group,
        groups: groups.clone(),
        arcs,
        unassigned: vec![penalty; hs.len()],
    };
    let sol = flow::solve(&problem).map_err(|e| input!("{e}"))?;
    let title = format!(
        "Bostäder till hushåll: {} hushåll, {} bostäder",
        hs.len(),
        ds.len()
    );
    Ok(report(
        title,
        &hids,
        |j| format!("{} ({})", ds[j].id, ds[j].area),
        &scores,
        &sol,
        &groups,
    ))
}

/// A flow solution as proposals: each placed one with its score parts, each unassigned one
/// with why (and, when nothing was acceptable, the commonest reasons).
fn report(
    title: String,
    ids: &[String],
    site_label: impl Fn(usize) -> String,
    scores: &[Vec<Score>],
    sol: &flow::CapSolution,
    groups: &[Group],
) -> MatchReport {
    let mut proposals = Vec::with_capacity(ids.len());
    let mut total = 0.0;
    for (i, id) in ids.iter().enumerate() {
        match sol.person_to_site[i] {
            Some(j) => {
                let s = &scores[i][j];
                total += s.total;
                proposals.push(Proposal {
                    id: id.clone(),
                    to: Some(site_label(j)),
                    score: Some(s.total),
                    parts: s.explain(),
                    why_unassigned: None,
                });
            }
            None => {
                let why = sol.why_unassigned[i].unwrap_or(Unassigned::NoAcceptableOption);
                let mut text = why_sv(why).to_string();
                if why == Unassigned::NoAcceptableOption && !scores[i].is_empty() {
                    text = format!("{text}: {}", main_refusal(&scores[i]));
                }
                proposals.push(Proposal {
                    id: id.clone(),
                    to: None,
                    score: None,
                    parts: String::new(),
                    why_unassigned: Some(text),
                });
            }
        }
    }
    MatchReport {
        title,
        placed: sol.person_to_site.iter().filter(|x| x.is_some()).count(),
        proposals,
        total_score: total,
        caps: groups
            .iter()
            .zip(&sol.group_load)
            .map(|(g, l)| (g.id.clone(), *l, g.cap))
            .collect(),
    }
}

// --- internships ----------------------------------------------------------------------------

pub const CANDIDATE_COLUMNS: [&str; 2] = ["id", "svenska"];
pub const CANDIDATE_OPTIONAL: [&str; 5] = ["ssyk", "utbildning", "lat", "lon", "max_pendling_km"];
pub const INTERNSHIP_COLUMNS: [&str; 3] = ["id", "ssyk", "platser"];
pub const INTERNSHIP_OPTIONAL: [&str; 5] =
    ["min_utbildning", "min_svenska", "lat", "lon", "forvaltning"];

fn level(t: &Table, k: usize, col: &str, max: u32) -> Result<Option<u8>> {
    if t.get(k, col).is_empty() {
        return Ok(None);
    }
    let v = t.count(k, col)?;
    if v > max {
        bail!("{}: `{}` is above {max}", t.at(k, col), t.get(k, col));
    }
    Ok(Some(v as u8))
}

/// Proposes internships or subsidised jobs for people: places per site, optional caps per
/// department (`grupp;tak;inom` with the departments' names), the highest total fit
/// (occupation by SSYK, education, Swedish, commute).
pub fn match_internships(
    people: (&str, &[u8]),
    places: (&str, &[u8]),
    caps: Option<(&str, &[u8])>,
    penalty: Option<f64>,
) -> Result<MatchReport> {
    let pt = Table::read(people.0, people.1, &CANDIDATE_COLUMNS, &CANDIDATE_OPTIONAL)?;
    let it = Table::read(
        places.0,
        places.1,
        &INTERNSHIP_COLUMNS,
        &INTERNSHIP_OPTIONAL,
    )?;
    let pids = pt.ids("id")?;
    let iids = it.ids("id")?;
    let mut cands = Vec::with_capacity(pids.len());
    for (k, id) in pids.iter().enumerate() {
        let ssyk: Vec<String> = pt
            .get(k, "ssyk")
            .split([',', ' '])
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(String::from)
            .collect();
        if let Some(bad) = ssyk
            .iter()
            .find(|x| x.len() > 4 || !x.chars().all(|c| c.is_ascii_digit()))
        {
            bail!(
                "{}: `{bad}` is not an SSYK code (1–4 digits)",
                pt.at(k, "ssyk")
            );
        }
        cands.push(score::Candidate {
            id: id.clone(),
            ssyk,
            education: level(&pt, k, "utbildning", 7)?,
            swedish: level(&pt, k, "svenska", 5)?.unwrap_or(0),
            home: opt_point(&pt, k, "lat", "lon")?,
            max_commute_km: pt.opt_num(k, "max_pendling_km")?,
        });
    }
    let mut sites = Vec::with_capacity(iids.len());
    let mut places_n = Vec::with_capacity(iids.len());
    let mut dept = Vec::with_capacity(iids.len());
    for (k, id) in iids.iter().enumerate() {
        let code = it.get(k, "ssyk");
        if code.is_empty() || code.len() > 4 || !code.chars().all(|c| c.is_ascii_digit()) {
            bail!(
                "{}: `{code}` is not an SSYK code (1–4 digits)",
                it.at(k, "ssyk")
            );
        }
        sites.push(score::Internship {
            id: id.clone(),
            ssyk: code.to_string(),
            min_education: level(&it, k, "min_utbildning", 7)?,
            min_swedish: level(&it, k, "min_svenska", 5)?.unwrap_or(0),
            location: opt_point(&it, k, "lat", "lon")?,
        });
        places_n.push(it.count(k, "platser")?);
        dept.push(it.get(k, "forvaltning").to_string());
    }
    let (groups, gindex) = match caps {
        Some((name, bytes)) => read_caps(
            &Table::read(name, bytes, &CAP_COLUMNS, &CAP_OPTIONAL)?,
            cands.len(),
        )?,
        None => (Vec::new(), HashMap::new()),
    };
    let mut scores: Vec<Vec<Score>> = Vec::with_capacity(cands.len());
    let mut arcs = Vec::new();
    for (i, c) in cands.iter().enumerate() {
        let row: Vec<Score> = sites.iter().map(|x| score::internship_fit(c, x)).collect();
        for (j, sc) in row.iter().enumerate() {
            if sc.acceptable() {
                arcs.push((i, j, -sc.total));
            }
        }
        scores.push(row);
    }
    let problem = CapProblem {
        person_ids: pids,
        site_ids: iids,
        site_places: places_n,
        site_group: dept.iter().map(|d| gindex.get(d).copied()).collect(),
        groups: groups.clone(),
        arcs,
        unassigned: vec![penalty; cands.len()],
    };
    let sol = flow::solve(&problem).map_err(|e| input!("{e}"))?;
    let title = format!(
        "Praktikplatser och subventionerade anställningar: {} personer, {} platser på {} ställen",
        cands.len(),
        problem.site_places.iter().sum::<u32>(),
        sites.len()
    );
    let label = |j: usize| {
        if dept[j].is_empty() {
            sites[j].id.clone()
        } else {
            format!("{} ({})", sites[j].id, dept[j])
        }
    };
    Ok(report(
        title,
        &problem.person_ids,
        label,
        &scores,
        &sol,
        &groups,
    ))
}

// --- stable matching and plain pairs --------------------------------------------------------

pub const PROPOSER_COLUMNS: [&str; 2] = ["id", "preferenser"];
pub const RECEIVER_COLUMNS: [&str; 3] = ["id", "platser", "preferenser"];
pub const PAIR_COLUMNS: [&str; 3] = ["rad", "kolumn", "kostnad"];
pub const PAIR_OPTIONAL: [&str; 0] = [];

fn prefs(t: &Table, k: usize, index: &HashMap<String, usize>, other: &str) -> Result<Vec<usize>> {
    let mut out = Vec::new();
    for name in t
        .get(k, "preferenser")
        .split([',', '>'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
    {
        let j = *index
            .get(name)
            .ok_or_else(|| input!("{}: `{name}` is not in {other}", t.at(k, "preferenser")))?;
        if out.contains(&j) {
            bail!("{}: `{name}` is listed twice", t.at(k, "preferenser"));
        }
        out.push(j);
    }
    Ok(out)
}

/// Stable matching by deferred acceptance: proposers (families, newcomers) and receivers
/// (landlords, mentors) each list whom they accept, best first (`a, b, c`). The proposers'
/// side is favoured: each gets the best partner any stable matching can give.
pub fn match_stable(proposers: (&str, &[u8]), receivers: (&str, &[u8])) -> Result<MatchReport> {
    let pt = Table::read(proposers.0, proposers.1, &PROPOSER_COLUMNS, &[])?;
    let rt = Table::read(receivers.0, receivers.1, &RECEIVER_COLUMNS, &[])?;
    let pids = pt.ids("id")?;
    let rids = rt.ids("id")?;
    let pindex: HashMap<String, usize> = pids
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, x)| (x, i))
        .collect();
    let rindex: HashMap<String, usize> = rids
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, x)| (x, i))
        .collect();
    let mut problem = etablera_matching::stable::StableProblem {
        proposer_ids: pids.clone(),
        receiver_ids: rids.clone(),
        ..Default::default()
    };
    for k in 0..pids.len() {
        problem
            .proposer_prefs
            .push(prefs(&pt, k, &rindex, rt.place.as_str())?);
    }
    for k in 0..rids.len() {
        problem.capacity.push(rt.count(k, "platser")?);
        problem
            .receiver_prefs
            .push(prefs(&rt, k, &pindex, pt.place.as_str())?);
    }
    let m = etablera_matching::stable::deferred_acceptance(&problem).map_err(|e| input!("{e}"))?;
    let proposals = (0..pids.len())
        .map(|i| match m.proposer_to[i] {
            Some(j) => {
                let mine = problem.proposer_prefs[i]
                    .iter()
                    .position(|&x| x == j)
                    .unwrap_or(0)
                    + 1;
                let theirs = problem.receiver_prefs[j]
                    .iter()
                    .position(|&x| x == i)
                    .unwrap_or(0)
                    + 1;
                Proposal {
                    id: pids[i].clone(),
                    to: Some(rids[j].clone()),
                    score: None,
                    parts: format!(
                        "val {mine} av {} för {}; plats {theirs} på {}s lista",
                        problem.proposer_prefs[i].len(),
                        pids[i],
                        rids[j]
                    ),
                    why_unassigned: None,
                }
            }
            None => Proposal {
                id: pids[i].clone(),
                to: None,
                score: None,
                parts: String::new(),
                why_unassigned: Some(if problem.proposer_prefs[i].is_empty() {
                    "listar inget godtagbart alternativ".into()
                } else {
                    "alla som den godtar är fulla med sådana de föredrar, eller godtar den inte"
                        .into()
                }),
            },
        })
        .collect::<Vec<_>>();
    Ok(MatchReport {
        title: format!(
            "Stabil matchning (uppskjuten acceptans, {} föreslår; gynnar den sida som föreslår): {} och {}",
            pt.place, pids.len(), rids.len()
        ),
        placed: m.proposer_to.iter().filter(|x| x.is_some()).count(),
        proposals,
        total_score: 0.0,
        caps: (0..rids.len()).map(|j| (rids[j].clone(), m.receiver_to[j].len() as u32, problem.capacity[j])).collect(),
    })
}

/// One-to-one assignment from a list of allowed pairs `rad;kolumn;kostnad` (least total
/// cost; a pair not listed is not allowed), each row unassigned at `penalty` if given:
/// newcomers and mentors, households and dwellings scored elsewhere.
pub fn match_pairs(pairs: (&str, &[u8]), penalty: Option<f64>) -> Result<MatchReport> {
    let t = Table::read(pairs.0, pairs.1, &PAIR_COLUMNS, &PAIR_OPTIONAL)?;
    let mut rows: Vec<String> = Vec::new();
    let mut cols: Vec<String> = Vec::new();
    let (mut ri, mut ci): (HashMap<String, usize>, HashMap<String, usize>) =
        (HashMap::new(), HashMap::new());
    let mut arcs = Vec::with_capacity(t.rows.len());
    let mut seen: HashMap<(usize, usize), usize> = HashMap::new();
    for k in 0..t.rows.len() {
        let (r, c) = (t.get(k, "rad").to_string(), t.get(k, "kolumn").to_string());
        if r.is_empty() || c.is_empty() {
            bail!(
                "{}, row {}: `rad` and `kolumn` may not be empty",
                t.place,
                t.rows[k].0
            );
        }
        let i = *ri.entry(r.clone()).or_insert_with(|| {
            rows.push(r.clone());
            rows.len() - 1
        });
        let j = *ci.entry(c.clone()).or_insert_with(|| {
            cols.push(c.clone());
            cols.len() - 1
        });
        if let Some(first) = seen.insert((i, j), t.rows[k].0) {
            bail!(
                "{}: the pair `{r}` – `{c}` is also on row {first}",
                t.at(k, "kolumn")
            );
        }
        arcs.push((i, j, t.num(k, "kostnad")?));
    }
    let p = etablera_matching::assignment::SparseProblem {
        row_ids: rows.clone(),
        col_ids: cols.clone(),
        arcs: arcs.clone(),
        unassigned: vec![penalty; rows.len()],
    };
    let a =
        etablera_matching::assignment::solve_sparse(&p).map_err(|e| input!("{}: {e}", t.place))?;
    let cost: HashMap<(usize, usize), f64> = arcs.iter().map(|&(i, j, c)| ((i, j), c)).collect();
    let proposals = (0..rows.len())
        .map(|i| match a.row_to_col[i] {
            Some(j) => Proposal {
                id: rows[i].clone(),
                to: Some(cols[j].clone()),
                score: Some(cost[&(i, j)]),
                parts: format!("kostnad {}", n(cost[&(i, j)], 2)),
                why_unassigned: None,
            },
            None => Proposal {
                id: rows[i].clone(),
                to: None,
                score: None,
                parts: String::new(),
                why_unassigned: Some(format!(
                    "billigare totalt att lämna utan (kostnad {}) eller alla godtagbara är tagna",
                    n(penalty.unwrap_or(0.0), 2)
                )),
            },
        })
        .collect();
    Ok(MatchReport {
        title: format!(
            "Tilldelning (minsta totala kostnad): {} rader, {} kolumner, {} tillåtna par",
            rows.len(),
            cols.len(),
            arcs.len()
        ),
        placed: a.row_to_col.iter().filter(|x| x.is_some()).count(),
        proposals,
        total_score: a.cost,
        caps: Vec::new(),
    })
}

// --- quotas (fördelningstal) ----------------------------------------------------------------

pub const DEPARTMENT_COLUMNS: [&str; 1] = ["forvaltning"];
pub const DEPARTMENT_OPTIONAL: [&str; 6] = [
    "anstallda",
    "utomnordiskt_fodda",
    "kompetensbehov",
    "vikt",
    "min",
    "max",
];

/// The quota calculation: weights from factors (or given), the apportionment and its table.
#[derive(Debug, Clone, Serialize)]
pub struct QuotaReport {
    pub weights: Option<Vec<apportion::WeightRow>>,
    pub target_share: Option<f64>,
    pub factors: Option<FactorWeights>,
    pub result: apportion::Apportionment,
}

/// Splits `total` internships (or any places) among departments. With the columns
/// `anstallda;utomnordiskt_fodda;kompetensbehov` the weights come from those factors; with
/// `vikt` they are given.
pub fn quotas(
    file: (&str, &[u8]),
    total: u32,
    method: Method,
    target_share: f64,
    factors: FactorWeights,
) -> Result<QuotaReport> {
    let t = Table::read(file.0, file.1, &DEPARTMENT_COLUMNS, &DEPARTMENT_OPTIONAL)?;
    let ids = t.ids("forvaltning")?;
    let has = |c: &str| t.headers.iter().any(|h| h == c);
    let by_factors = has("anstallda");
    if !by_factors && !has("vikt") {
        bail!("{}, row 1: give either `anstallda` (with `utomnordiskt_fodda` and `kompetensbehov`) or `vikt`", t.place);
    }
    let mut mins = Vec::new();
    let mut maxs = Vec::new();
    for k in 0..ids.len() {
        mins.push(if t.get(k, "min").is_empty() {
            0
        } else {
            t.count(k, "min")?
        });
        maxs.push(if t.get(k, "max").is_empty() {
            None
        } else {
            Some(t.count(k, "max")?)
        });
    }
    let (weights, rows) = if by_factors {
        let mut deps = Vec::new();
        for (k, id) in ids.iter().enumerate() {
            let headcount = t.non_negative(k, "anstallda")?;
            let foreign = if has("utomnordiskt_fodda") {
                t.non_negative(k, "utomnordiskt_fodda")?
            } else {
                0.0
            };
            if foreign > headcount {
                bail!(
                    "{}: {} is more than the {} employees",
                    t.at(k, "utomnordiskt_fodda"),
                    t.get(k, "utomnordiskt_fodda"),
                    t.get(k, "anstallda")
                );
            }
            deps.push(Department {
                id: id.clone(),
                headcount,
                foreign_born: foreign,
                needs: if has("kompetensbehov") {
                    t.non_negative(k, "kompetensbehov")?
                } else {
                    0.0
                },
                min: mins[k],
                max: maxs[k],
            });
        }
        let rows = apportion::weights_from_factors(&deps, target_share, factors)
            .map_err(|e| input!("{}: {e}", t.place))?;
        // Weights scaled to the number of places: each is the department's ideal number of
        // places (the divisor methods do not depend on the scale), easier for a board to read.
        (
            rows.iter()
                .map(|r| r.weight * total as f64)
                .collect::<Vec<f64>>(),
            Some(rows),
        )
    } else {
        let mut w = Vec::new();
        for k in 0..ids.len() {
            w.push(t.non_negative(k, "vikt")?);
        }
        (w, None)
    };
    let recipients: Vec<Recipient> = ids
        .iter()
        .enumerate()
        .map(|(k, id)| Recipient {
            id: id.clone(),
            weight: weights[k],
            min: mins[k],
            max: maxs[k],
        })
        .collect();
    let result =
        apportion::apportion(&recipients, total, method).map_err(|e| input!("{}: {e}", t.place))?;
    Ok(QuotaReport {
        target_share: rows.as_ref().map(|_| target_share),
        factors: rows.as_ref().map(|_| factors),
        weights: rows,
        result,
    })
}

impl QuotaReport {
    /// The calculation as a board reads it: the weights and what they are made of, then each
    /// place in order with its comparison figure (or the quota table).
    pub fn to_text(&self) -> String {
        let r = &self.result;
        let mut s = format!(
            "Fördelningstal: {} platser, {}\n\n",
            r.total,
            r.method.name()
        );
        let w = r
            .recipients
            .iter()
            .map(|x| x.id.chars().count())
            .max()
            .unwrap_or(4)
            .max(11);
        if let (Some(rows), Some(f), Some(target)) =
            (&self.weights, &self.factors, self.target_share)
        {
            let _ = writeln!(s, "Vikter: {} × andel av de anställda + {} × andel av gapet till målet {} % utomnordiskt födda + {} × andel av kompetensbehovet", n(f.headcount, 2), n(f.gap, 2), n(100.0 * target, 1), n(f.needs, 2));
            let _ = writeln!(
                s,
                "{:<w$}  {:>10}  {:>12}  {:>8}  {:>10}  {:>10}  {:>8}",
                "förvaltning",
                "anställda %",
                "utomnord. %",
                "gap pers",
                "gap %",
                "behov %",
                "vikt*"
            );
            for x in rows {
                let _ = writeln!(
                    s,
                    "{:<w$}  {:>10}  {:>12}  {:>8}  {:>10}  {:>10}  {:>8}",
                    x.id,
                    n(100.0 * x.headcount_share, 1),
                    n(100.0 * x.foreign_born_share, 1),
                    n(x.gap, 1),
                    n(100.0 * x.gap_share, 1),
                    n(100.0 * x.needs_share, 1),
                    n(x.weight * r.total as f64, 3)
                );
            }
            let _ = writeln!(
                s,
                "* vikten × {} platser: förvaltningens idealantal platser\n",
                r.total
            );
        }
        if r.steps.is_empty() {
            let _ = writeln!(
                s,
                "{:<w$}  {:>8}  {:>9}  {:>6}  {:>6}  {:>6}  {:>8}",
                "mottagare", "vikt", "kvot", "hela", "rest", "extra", "platser"
            );
            for (i, q) in r.quotas.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "{:<w$}  {:>8}  {:>9}  {:>6}  {:>6}  {:>6}  {:>8}{}",
                    r.recipients[i].id,
                    n(r.recipients[i].weight, 4),
                    n(q.quota, 3),
                    q.whole,
                    n(q.remainder, 3),
                    if q.extra { "+1" } else { "" },
                    r.places[i],
                    q.bound
                        .map(|b| format!("  (hålls vid {b})"))
                        .unwrap_or_default()
                );
            }
        } else {
            let mins: u32 = r.recipients.iter().map(|x| x.min).sum();
            if mins > 0 {
                let _ = writeln!(s, "Först lägsta antal: {mins} platser.");
            }
            let _ = writeln!(
                s,
                "{:>5}  {:<w$}  {:>8}  {:>14}",
                "plats", "mottagare", "divisor", "jämförelsetal"
            );
            for st in &r.steps {
                let _ = writeln!(
                    s,
                    "{:>5}  {:<w$}  {:>8}  {:>14}{}",
                    mins + st.place,
                    r.recipients[st.recipient].id,
                    n(st.divisor, 1),
                    n(st.quotient, 4),
                    if st.tied_with.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "  (lika med {}; större vikt först)",
                            st.tied_with
                                .iter()
                                .map(|&j| r.recipients[j].id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                );
            }
        }
        let _ = writeln!(s, "\nResultat:");
        for (i, x) in r.recipients.iter().enumerate() {
            let bounds = match (x.min, x.max) {
                (0, None) => String::new(),
                (a, None) => format!(" (minst {a})"),
                (0, Some(b)) => format!(" (högst {b})"),
                (a, Some(b)) => format!(" (minst {a}, högst {b})"),
            };
            let _ = writeln!(s, "  {:<w$}  {:>4}{bounds}", x.id, r.places[i]);
        }
        s
    }

    pub fn to_csv(&self) -> Result<String> {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(Vec::new());
        w.write_record(["forvaltning", "vikt", "platser"])?;
        for (i, x) in self.result.recipients.iter().enumerate() {
            w.write_record([
                x.id.clone(),
                format!("{:.6}", x.weight),
                self.result.places[i].to_string(),
            ])?;
        }
        Ok(String::from_utf8(w.into_inner().map_err(Error::internal)?)?)
    }
}

// --- placement across municipalities --------------------------------------------------------

pub const PEOPLE_COLUMNS: [&str; 1] = ["id"];
pub const PEOPLE_OPTIONAL: [&str; 2] = ["storlek", "grupp"];
pub const CAPACITY_COLUMNS: [&str; 2] = ["kommun", "platser"];
pub const OUTCOME_COLUMNS: [&str; 3] = ["kommun", "grupp", "sysselsatt"];
pub const PROBABILITY_COLUMNS: [&str; 3] = ["id", "kommun", "sannolikhet"];

/// The placement's report.
#[derive(Debug, Clone, Serialize)]
pub struct PlacementReport {
    /// Later arrivals placed one at a time, if any were given.
    pub online: Option<Online>,
    pub people: usize,
    pub units: u32,
    pub municipalities: Vec<(String, String, u32, u32, f64)>,
    pub assignments: Vec<(String, u32, Option<String>)>,
    pub result: placement::PlacementResult,
    pub model: Option<String>,
}

/// Later arrivals placed one at a time with the batch's prices.
#[derive(Debug, Clone, Serialize)]
pub struct Online {
    pub assignments: Vec<(String, u32, Option<String>)>,
    /// Expected number employed among them.
    pub expected: f64,
    /// The same, placing them all at once in hindsight (the best the online mode could do).
    pub hindsight: Option<f64>,
}

/// Municipalities by code or name, as in the reference list; errors name the row.
fn municipality(units: &Units, t: &Table, k: usize, col: &str) -> Result<(String, String)> {
    let raw = t.get(k, col);
    let u = units
        .find(raw)
        .filter(|u| u.kind == etablera_domain::UnitKind::Municipality)
        .ok_or_else(|| input!("{}: unknown municipality `{raw}`", t.at(k, col)))?;
    Ok((u.code.to_string(), u.name.clone()))
}

/// Places people (and families) across municipalities by predicted employment.
/// Probabilities come from a long table `id;kommun;sannolikhet` (every pair), or are fitted
/// from past outcomes `kommun;grupp;sysselsatt` by [`RateModel`] with the people's `grupp`.
pub fn place_people(
    people: (&str, &[u8]),
    capacity: (&str, &[u8]),
    probabilities: Option<(&str, &[u8])>,
    outcomes: Option<(&str, &[u8])>,
    arrivals: Option<(&str, &[u8])>,
) -> Result<PlacementReport> {
    let units = Units::sweden();
    let pt = Table::read(people.0, people.1, &PEOPLE_COLUMNS, &PEOPLE_OPTIONAL)?;
    let ct = Table::read(capacity.0, capacity.1, &CAPACITY_COLUMNS, &[])?;
    let at = arrivals
        .map(|(n, b)| Table::read(n, b, &PEOPLE_COLUMNS, &PEOPLE_OPTIONAL))
        .transpose()?;
    // The batch first, then the later arrivals (placed one at a time with the batch's prices).
    let mut ids = pt.ids("id")?;
    let batch = ids.len();
    let mut sizes = Vec::new();
    let mut groups = Vec::new();
    for t in std::iter::once(&pt).chain(at.iter()) {
        if !std::ptr::eq(t, &pt) {
            let more = t.ids("id")?;
            if let Some(dup) = more.iter().find(|x| ids.contains(x)) {
                bail!("{}: `{dup}` is also in {}", t.place, pt.place);
            }
            ids.extend(more);
        }
        for k in 0..t.rows.len() {
            let s = if t.get(k, "storlek").is_empty() {
                1
            } else {
                t.count(k, "storlek")?
            };
            if s == 0 {
                bail!("{}: at least 1", t.at(k, "storlek"));
            }
            sizes.push(s);
            groups.push(t.get(k, "grupp").to_string());
        }
    }
    let mut dest_ids = Vec::new();
    let mut dest_names = Vec::new();
    let mut cap = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for k in 0..ct.rows.len() {
        let (code, name) = municipality(&units, &ct, k, "kommun")?;
        if let Some(first) = seen.insert(code.clone(), ct.rows[k].0) {
            bail!("{}: {name} is also on row {first}", ct.at(k, "kommun"));
        }
        dest_ids.push(code);
        dest_names.push(name);
        cap.push(ct.count(k, "platser")?);
    }
    let d = dest_ids.len();
    let dindex: HashMap<&str, usize> = dest_ids
        .iter()
        .enumerate()
        .map(|(j, c)| (c.as_str(), j))
        .collect();
    let mut prob = vec![f64::NAN; ids.len() * d];
    let model_text;
    match (probabilities, outcomes) {
        (Some((name, bytes)), None) => {
            let t = Table::read(name, bytes, &PROBABILITY_COLUMNS, &[])?;
            let pindex: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, x)| (x.as_str(), i)).collect();
            for k in 0..t.rows.len() {
                let i = *pindex.get(t.get(k, "id")).ok_or_else(|| input!("{}: no person `{}` in {}", t.at(k, "id"), t.get(k, "id"), pt.place))?;
                let (code, mname) = municipality(&units, &t, k, "kommun")?;
                let j = *dindex.get(code.as_str()).ok_or_else(|| input!("{}: {mname} has no places in {}", t.at(k, "kommun"), ct.place))?;
                let v = t.non_negative(k, "sannolikhet")?;
                let v = if t.get(k, "sannolikhet").contains('%') { v / 100.0 } else { v };
                if v > 1.0 {
                    bail!("{}: `{}` is above 1 (100 %)", t.at(k, "sannolikhet"), t.get(k, "sannolikhet"));
                }
                if !prob[i * d + j].is_nan() {
                    bail!("{}: `{}` in {mname} is given twice", t.at(k, "id"), ids[i]);
                }
                prob[i * d + j] = v;
            }
            if let Some(k) = prob.iter().position(|x| x.is_nan()) {
                bail!("{name}: no probability for `{}` in {}; every person needs one for every municipality", ids[k / d], dest_names[k % d]);
            }
            model_text = None;
        }
        (None, Some((name, bytes))) => {
            let t = Table::read(name, bytes, &OUTCOME_COLUMNS, &[])?;
            let mut past = Vec::with_capacity(t.rows.len());
            for k in 0..t.rows.len() {
                let (code, _) = municipality(&units, &t, k, "kommun")?;
                past.push(PastOutcome { municipality: code, group: t.get(k, "grupp").to_string(), employed: t.flag(k, "sysselsatt")? });
            }
            let model = RateModel::fit(&past, 20.0).map_err(|e| input!("{name}: {e}"))?;
            for (i, g) in groups.iter().enumerate() {
                for j in 0..d {
                    prob[i * d + j] = model.predict(&dest_ids[j], g);
                }
            }
            model_text = Some(format!(
                "sannolikheter skattade ur {} tidigare utfall ({name}): andel i arbete per kommun och grupp, krympt mot kommunens och gruppens andelar (k = 20); riket {} %",
                past.len(),
                n(100.0 * model.national(), 1)
            ));
        }
        _ => bail!("give either the probabilities (id;kommun;sannolikhet) or past outcomes (kommun;grupp;sysselsatt)"),
    }
    let later_prob = prob.split_off(batch * d);
    let later_ids = ids.split_off(batch);
    let later_sizes = sizes.split_off(batch);
    let problem = PlacementProblem {
        group_ids: ids.clone(),
        sizes: sizes.clone(),
        dest_ids: dest_ids.clone(),
        capacity: cap.clone(),
        prob,
    };
    let result = placement::place(&problem).map_err(|e| input!("{e}"))?;
    let mut placed = vec![0u32; d];
    for (i, x) in result.dest_of.iter().enumerate() {
        if let Some(j) = x {
            placed[*j] += sizes[i];
        }
    }
    // Online: each later arrival, in order, to the municipality with room that gives the
    // most over its price; compared with placing them all at once in hindsight.
    let online = if later_ids.is_empty() {
        None
    } else {
        let mut room: Vec<u32> = cap.iter().zip(&placed).map(|(c, p)| c - p).collect();
        let start_room = room.clone();
        let mut out = Vec::new();
        let mut expected = 0.0;
        for (i, id) in later_ids.iter().enumerate() {
            let row = &later_prob[i * d..(i + 1) * d];
            let j = placement::place_one(row, &result.prices, &room, later_sizes[i]);
            if let Some(j) = j {
                room[j] -= later_sizes[i];
                expected += later_sizes[i] as f64 * row[j];
            }
            out.push((id.clone(), later_sizes[i], j.map(|j| dest_names[j].clone())));
        }
        let hindsight = placement::place(&PlacementProblem {
            group_ids: later_ids.clone(),
            sizes: later_sizes.clone(),
            dest_ids: dest_ids.clone(),
            capacity: start_room,
            prob: later_prob.clone(),
        })
        .ok()
        .map(|r| r.expected);
        Some(Online {
            assignments: out,
            expected,
            hindsight,
        })
    };
    Ok(PlacementReport {
        online,
        people: ids.len(),
        units: sizes.iter().sum(),
        municipalities: (0..d)
            .map(|j| {
                (
                    dest_ids[j].clone(),
                    dest_names[j].clone(),
                    cap[j],
                    placed[j],
                    result.prices[j],
                )
            })
            .collect(),
        assignments: ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                (
                    id.clone(),
                    sizes[i],
                    result.dest_of[i].map(|j| dest_names[j].clone()),
                )
            })
            .collect(),
        result,
        model: model_text,
    })
}

impl PlacementReport {
    pub fn to_text(&self, top: usize) -> String {
        let r = &self.result;
        let mut s = format!(
            "Placering över kommuner: {} personer/familjer ({} personer), {} kommuner\n",
            self.people,
            self.units,
            self.municipalities.len()
        );
        if let Some(m) = &self.model {
            let _ = writeln!(s, "Modell: {m}");
        }
        let _ = writeln!(s, "\nFörväntat antal i arbete:");
        let _ = writeln!(s, "  optimerad placering        {:>10}", n(r.expected, 1));
        let _ = writeln!(
            s,
            "  övre gräns (relaxation)    {:>10}  (gap {})",
            n(r.bound, 1),
            n(r.gap_to_bound(), 2)
        );
        let _ = writeln!(
            s,
            "  slumpvis efter kommuntal   {:>10}  (vinst {} %)",
            n(r.baseline_random, 1),
            n(r.gain_over(r.baseline_random), 1)
        );
        let _ = writeln!(
            s,
            "  i ankomstordning           {:>10}  (vinst {} %)",
            n(r.baseline_arrival, 1),
            n(r.gain_over(r.baseline_arrival), 1)
        );
        if r.families_moved > 0 {
            let _ = writeln!(
                s,
                "  {} familjer delades i relaxationen och flyttades hela",
                r.families_moved
            );
        }
        if !r.unplaced.is_empty() {
            let _ = writeln!(
                s,
                "  {} kunde inte placeras hela någonstans: {}",
                r.unplaced.len(),
                r.unplaced
                    .iter()
                    .take(10)
                    .map(|&i| self.assignments[i].0.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if let Some(o) = &self.online {
            let placed = o.assignments.iter().filter(|a| a.2.is_some()).count();
            let _ = writeln!(
                s,
                "\nSenare ankomna, placerade en i taget med priserna ovan: {} av {}, förväntat {} i arbete{}",
                placed,
                o.assignments.len(),
                n(o.expected, 1),
                o.hindsight
                    .map(|h| format!(" (alla på en gång i efterhand: {})", n(h, 1)))
                    .unwrap_or_default()
            );
        }
        let mut rows: Vec<&(String, String, u32, u32, f64)> = self.municipalities.iter().collect();
        rows.retain(|m| m.2 > 0);
        rows.sort_by(|a, b| b.4.total_cmp(&a.4).then(a.1.cmp(&b.1)));
        let _ = writeln!(s, "\nKommuner med högst pris (vad en plats till är värd i förväntat antal i arbete), {} av {} med platser:", top.min(rows.len()), rows.len());
        let _ = writeln!(
            s,
            "  {:<6} {:<22} {:>8} {:>9} {:>8}",
            "kod", "kommun", "platser", "placerade", "pris"
        );
        for m in rows.iter().take(top) {
            let _ = writeln!(
                s,
                "  {:<6} {:<22} {:>8} {:>9} {:>8}",
                m.0,
                m.1,
                m.2,
                m.3,
                n(m.4, 4)
            );
        }
        s
    }

    pub fn to_csv(&self) -> Result<String> {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(Vec::new());
        w.write_record(["id", "storlek", "kommun"])?;
        for (id, size, to) in self
            .assignments
            .iter()
            .chain(self.online.iter().flat_map(|o| &o.assignments))
        {
            w.write_record([id.as_str(), &size.to_string(), to.as_deref().unwrap_or("")])?;
        }
        Ok(String::from_utf8(w.into_inner().map_err(Error::internal)?)?)
    }
}
