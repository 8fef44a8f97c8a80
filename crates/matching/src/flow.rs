//! Many-to-one with capacities: people to sites (internships, subsidised jobs, SFI groups,
//! dwellings), each site with a number of places, sites grouped under nested caps (a unit in
//! a building in an area, each level with its own ceiling), each person placed at most once
//! or left unassigned at a penalty. Solved exactly as a min-cost flow:
//!
//! ```text
//! source ─1─▶ person ─1, cost─▶ site ─places─▶ group ─cap─▶ parent group … ─▶ sink
//!                 └──────────1, penalty────────────────────────────────────▶ sink
//! ```
//!
//! by successive shortest paths with Dijkstra on reduced costs (potentials keep them
//! non-negative), one unit per person.

use crate::error::{list_names, MatchError, Result};
use crate::MinItem;
use std::collections::BinaryHeap;

/// A cap over several sites or groups (an area's ceiling on placements, a building's).
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub id: String,
    pub cap: u32,
    /// The group this one lies in, if any.
    pub parent: Option<usize>,
}

/// People × sites with places and nested caps.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CapProblem {
    pub person_ids: Vec<String>,
    pub site_ids: Vec<String>,
    pub site_places: Vec<u32>,
    pub site_group: Vec<Option<usize>>,
    pub groups: Vec<Group>,
    /// `(person, site, cost)`: the acceptable pairs.
    pub arcs: Vec<(usize, usize, f64)>,
    /// The cost of leaving each person unassigned; `None`: must be placed.
    pub unassigned: Vec<Option<f64>>,
}

/// Why a person is left unassigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unassigned {
    /// No site accepts the person (or the person accepts none).
    NoAcceptableOption,
    /// Every acceptable site, or a cap above it, is full.
    CapacityTaken,
    /// A place was free, but leaving the person out cost less overall (the penalty is lower
    /// than what placing them would have cost others).
    PenaltyCheaper,
}

/// The placement, its cost and the loads.
#[derive(Debug, Clone, PartialEq)]
pub struct CapSolution {
    pub person_to_site: Vec<Option<usize>>,
    pub why_unassigned: Vec<Option<Unassigned>>,
    pub cost: f64,
    pub site_load: Vec<u32>,
    pub group_load: Vec<u32>,
}

impl CapProblem {
    /// Checks ids, references, numbers and that groups nest without a cycle.
    pub fn validate(&self) -> Result<()> {
        let (np, ns) = (self.person_ids.len(), self.site_ids.len());
        crate::check_unique("person", &self.person_ids)?;
        crate::check_unique("site", &self.site_ids)?;
        let gids: Vec<&str> = self.groups.iter().map(|g| g.id.as_str()).collect();
        crate::check_unique("group", &gids)?;
        if self.site_places.len() != ns || self.site_group.len() != ns {
            return Err(MatchError::BadValue {
                place: "sites".into(),
                problem: "places and groups must be given for every site".into(),
            });
        }
        if self.unassigned.len() != np {
            return Err(MatchError::BadValue {
                place: "people".into(),
                problem: format!("{} penalties for {np} people", self.unassigned.len()),
            });
        }
        for (s, g) in self.site_group.iter().enumerate() {
            if let Some(g) = g {
                if *g >= self.groups.len() {
                    return Err(MatchError::Unknown {
                        place: format!("site `{}`", self.site_ids[s]),
                        what: "group",
                        id: (g + 1).to_string(),
                    });
                }
            }
        }
        for (k, g) in self.groups.iter().enumerate() {
            let mut seen = vec![false; self.groups.len()];
            let mut at = Some(k);
            while let Some(x) = at {
                if x >= self.groups.len() {
                    return Err(MatchError::Unknown {
                        place: format!("group `{}`", g.id),
                        what: "parent group",
                        id: (x + 1).to_string(),
                    });
                }
                if seen[x] {
                    return Err(MatchError::BadValue {
                        place: format!("group `{}`", g.id),
                        problem: "its parents form a cycle".into(),
                    });
                }
                seen[x] = true;
                at = self.groups[x].parent;
            }
        }
        crate::check_pairs(
            &self.person_ids,
            &self.site_ids,
            &self.arcs,
            &self.unassigned,
        )?;
        Ok(())
    }
}

#[derive(Debug, Clone)]
struct Edge {
    to: usize,
    cap: u32,
    cost: f64,
}

#[derive(Debug, Default)]
struct Graph {
    edges: Vec<Edge>,
    out: Vec<Vec<usize>>,
}

impl Graph {
    fn new(n: usize) -> Graph {
        Graph {
            edges: Vec::new(),
            out: vec![Vec::new(); n],
        }
    }
    fn add(&mut self, a: usize, b: usize, cap: u32, cost: f64) -> usize {
        let k = self.edges.len();
        self.edges.push(Edge { to: b, cap, cost });
        self.edges.push(Edge {
            to: a,
            cap: 0,
            cost: -cost,
        });
        self.out[a].push(k);
        self.out[b].push(k + 1);
        k
    }
}

/// Solves the problem exactly. People who must be placed and cannot be make it infeasible;
/// the error names them and why.
pub fn solve(p: &CapProblem) -> Result<CapSolution> {
    p.validate()?;
    let (np, ns, ng) = (p.person_ids.len(), p.site_ids.len(), p.groups.len());
    let src = 0;
    let person = |i: usize| 1 + i;
    let site = |s: usize| 1 + np + s;
    let group = |g: usize| 1 + np + ns + g;
    let sink = 1 + np + ns + ng;
    // Every routed person uses one arc out of their node; shifting those costs by the least
    // one keeps the optimum and makes every cost non-negative (zero potentials are valid).
    let least = p
        .arcs
        .iter()
        .map(|a| a.2)
        .chain(p.unassigned.iter().flatten().copied())
        .fold(0.0f64, f64::min);
    let mut g = Graph::new(sink + 1);
    for i in 0..np {
        g.add(src, person(i), 1, 0.0);
    }
    let mut arc_edge = Vec::with_capacity(p.arcs.len());
    for &(i, s, c) in &p.arcs {
        arc_edge.push(g.add(person(i), site(s), 1, c - least));
    }
    let mut pen_edge = vec![None; np];
    for (i, pen) in p.unassigned.iter().enumerate() {
        if let Some(c) = pen {
            pen_edge[i] = Some(g.add(person(i), sink, 1, c - least));
        }
    }
    let mut site_edge = Vec::with_capacity(ns);
    for s in 0..ns {
        let to = p.site_group[s].map(group).unwrap_or(sink);
        site_edge.push(g.add(site(s), to, p.site_places[s], 0.0));
    }
    let mut group_edge = Vec::with_capacity(ng);
    for (k, gr) in p.groups.iter().enumerate() {
        let to = gr.parent.map(group).unwrap_or(sink);
        group_edge.push(g.add(group(k), to, gr.cap, 0.0));
    }
    let n = sink + 1;
    let mut pot = vec![0.0f64; n];
    let mut dist = vec![f64::INFINITY; n];
    let mut prev = vec![usize::MAX; n];
    let mut done = vec![false; n];
    let mut heap = BinaryHeap::new();
    // One augmentation per person, in order; each finds the cheapest way to add one more
    // unit of flow, which may re-route earlier people.
    for _ in 0..np {
        dist.fill(f64::INFINITY);
        done.fill(false);
        dist[src] = 0.0;
        heap.clear();
        heap.push(MinItem(0.0, src));
        while let Some(MinItem(d, a)) = heap.pop() {
            if done[a] || d > dist[a] {
                continue;
            }
            done[a] = true;
            for &k in &g.out[a] {
                let e = &g.edges[k];
                if e.cap == 0 {
                    continue;
                }
                let nd = d + e.cost + pot[a] - pot[e.to];
                let nd = if nd < d { d } else { nd }; // rounding: never below the node's own
                if nd < dist[e.to] {
                    dist[e.to] = nd;
                    prev[e.to] = k;
                    heap.push(MinItem(nd, e.to));
                }
            }
        }
        if !dist[sink].is_finite() {
            break;
        }
        for x in 0..n {
            if dist[x].is_finite() {
                pot[x] += dist[x];
            }
        }
        let mut at = sink;
        while at != src {
            let k = prev[at];
            g.edges[k].cap -= 1;
            g.edges[k ^ 1].cap += 1;
            at = g.edges[k ^ 1].to;
        }
    }
    let mut person_to_site = vec![None; np];
    let mut cost = 0.0;
    for (k, &(i, s, c)) in p.arcs.iter().enumerate() {
        if g.edges[arc_edge[k]].cap == 0 {
            person_to_site[i] = Some(s);
            cost += c;
        }
    }
    let site_load: Vec<u32> = (0..ns).map(|s| g.edges[site_edge[s] ^ 1].cap).collect();
    let group_load: Vec<u32> = (0..ng).map(|k| g.edges[group_edge[k] ^ 1].cap).collect();
    let mut why = vec![None; np];
    let mut stuck = Vec::new();
    let mut accepts: Vec<Vec<usize>> = vec![Vec::new(); np];
    for &(i, s, _) in &p.arcs {
        accepts[i].push(s);
    }
    let full = |s: usize| {
        if site_load[s] >= p.site_places[s] {
            return true;
        }
        let mut at = p.site_group[s];
        while let Some(k) = at {
            if group_load[k] >= p.groups[k].cap {
                return true;
            }
            at = p.groups[k].parent;
        }
        false
    };
    for i in 0..np {
        if person_to_site[i].is_some() {
            continue;
        }
        let reason = if accepts[i].is_empty() {
            Unassigned::NoAcceptableOption
        } else if accepts[i].iter().all(|&s| full(s)) {
            Unassigned::CapacityTaken
        } else {
            Unassigned::PenaltyCheaper
        };
        match (pen_edge[i], p.unassigned[i]) {
            (Some(k), Some(c)) if g.edges[k].cap == 0 => {
                cost += c;
                why[i] = Some(reason);
            }
            _ => stuck.push((i, reason)),
        }
    }
    if !stuck.is_empty() {
        let names = |r: Unassigned| -> Vec<&str> {
            stuck
                .iter()
                .filter(|x| x.1 == r)
                .map(|x| p.person_ids[x.0].as_str())
                .collect()
        };
        let mut parts = Vec::new();
        let none = names(Unassigned::NoAcceptableOption);
        if !none.is_empty() {
            parts.push(format!(
                "{} {} no acceptable site",
                list_names(&none, 10),
                if none.len() == 1 { "has" } else { "have" }
            ));
        }
        let mut taken: Vec<&str> = names(Unassigned::CapacityTaken);
        taken.extend(names(Unassigned::PenaltyCheaper));
        if !taken.is_empty() {
            let mut sites: Vec<&str> = stuck
                .iter()
                .flat_map(|x| accepts[x.0].iter().map(|&s| p.site_ids[s].as_str()))
                .collect();
            sites.sort_unstable();
            sites.dedup();
            parts.push(format!(
                "{} cannot be placed: the sites they accept ({}) or the caps above them are full, and they may not stay unassigned",
                list_names(&taken, 10),
                list_names(&sites, 10)
            ));
        }
        return Err(MatchError::Infeasible(parts.join("; ")));
    }
    Ok(CapSolution {
        person_to_site,
        why_unassigned: why,
        cost,
        site_load,
        group_load,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Tries every choice for every person (a site or unassigned) and keeps the cheapest
    /// that respects places and caps.
    fn brute(p: &CapProblem) -> Option<f64> {
        let np = p.person_ids.len();
        let mut options: Vec<Vec<(Option<usize>, f64)>> = vec![Vec::new(); np];
        for &(i, s, c) in &p.arcs {
            options[i].push((Some(s), c));
        }
        for (i, pen) in p.unassigned.iter().enumerate() {
            if let Some(c) = pen {
                options[i].push((None, *c));
            }
        }
        fn ok(p: &CapProblem, choice: &[Option<usize>]) -> bool {
            let mut site = vec![0u32; p.site_ids.len()];
            let mut grp = vec![0u32; p.groups.len()];
            for s in choice.iter().flatten() {
                site[*s] += 1;
                let mut at = p.site_group[*s];
                while let Some(k) = at {
                    grp[k] += 1;
                    at = p.groups[k].parent;
                }
            }
            site.iter().zip(&p.site_places).all(|(a, b)| a <= b)
                && grp.iter().zip(&p.groups).all(|(a, g)| *a <= g.cap)
        }
        fn go(
            i: usize,
            p: &CapProblem,
            o: &[Vec<(Option<usize>, f64)>],
            ch: &mut Vec<Option<usize>>,
            acc: f64,
            best: &mut Option<f64>,
        ) {
            if i == o.len() {
                if ok(p, ch) && best.is_none_or(|b| acc < b) {
                    *best = Some(acc);
                }
                return;
            }
            for &(s, c) in &o[i] {
                ch.push(s);
                go(i + 1, p, o, ch, acc + c, best);
                ch.pop();
            }
        }
        let mut best = None;
        go(0, p, &options, &mut Vec::new(), 0.0, &mut best);
        best
    }

    fn problem() -> impl Strategy<Value = CapProblem> {
        (1usize..6, 1usize..5, 0usize..3).prop_flat_map(|(np, ns, ng)| {
            (
                proptest::collection::vec(proptest::option::weighted(0.6, -10i32..40), np * ns),
                proptest::collection::vec(proptest::option::weighted(0.6, 0i32..50), np),
                proptest::collection::vec(0u32..3, ns),
                proptest::collection::vec(proptest::option::of(0usize..3), ns),
                proptest::collection::vec(0u32..4, ng),
            )
                .prop_map(move |(cells, pens, places, sg, caps)| CapProblem {
                    person_ids: (0..np).map(|i| format!("p{i}")).collect(),
                    site_ids: (0..ns).map(|i| format!("s{i}")).collect(),
                    site_places: places,
                    site_group: sg.into_iter().map(|g| g.filter(|g| *g < ng)).collect(),
                    // Group k nests in group k+1 when k is even: a two-level chain.
                    groups: caps
                        .iter()
                        .enumerate()
                        .map(|(k, c)| Group {
                            id: format!("g{k}"),
                            cap: *c,
                            parent: if k % 2 == 0 && k + 1 < ng {
                                Some(k + 1)
                            } else {
                                None
                            },
                        })
                        .collect(),
                    arcs: crate::testing::arcs(&cells, ns),
                    unassigned: crate::testing::penalties(pens),
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn min_cost_flow_matches_brute_force(p in problem()) {
            match (solve(&p), brute(&p)) {
                (Ok(s), Some(b)) => {
                    prop_assert!((s.cost - b).abs() < 1e-9, "{} vs {}", s.cost, b);
                    for (sl, pl) in s.site_load.iter().zip(&p.site_places) {
                        prop_assert!(sl <= pl);
                    }
                    for (gl, g) in s.group_load.iter().zip(&p.groups) {
                        prop_assert!(*gl <= g.cap);
                    }
                }
                (Err(MatchError::Infeasible(_)), None) => {}
                (a, b) => prop_assert!(false, "solver {:?}, brute force {:?}", a, b),
            }
        }
    }

    #[test]
    fn nested_caps_and_reasons() {
        // Three households, three dwellings in one area capped at 2; one household accepts
        // nothing.
        let p = CapProblem {
            person_ids: vec!["A".into(), "B".into(), "C".into(), "D".into()],
            site_ids: vec!["x".into(), "y".into(), "z".into()],
            site_places: vec![1, 1, 1],
            site_group: vec![Some(0), Some(0), Some(0)],
            groups: vec![Group {
                id: "Lugnvik".into(),
                cap: 2,
                parent: None,
            }],
            arcs: vec![(0, 0, 1.0), (1, 1, 2.0), (2, 2, 5.0)],
            unassigned: vec![Some(10.0), Some(10.0), Some(10.0), Some(10.0)],
        };
        let s = solve(&p).unwrap();
        assert_eq!(s.person_to_site, vec![Some(0), Some(1), None, None]);
        assert_eq!(s.group_load, vec![2]);
        assert_eq!(s.why_unassigned[2], Some(Unassigned::CapacityTaken));
        assert_eq!(s.why_unassigned[3], Some(Unassigned::NoAcceptableOption));
        assert_eq!(s.cost, 1.0 + 2.0 + 10.0 + 10.0);
        let mut q = p.clone();
        q.unassigned[3] = None;
        let e = solve(&q).unwrap_err().to_string();
        assert_eq!(
            e, "no solution: `D` has no acceptable site",
            "C gets in if B stays out"
        );
        q.unassigned = vec![None, None, None, Some(1.0)];
        let e = solve(&q).unwrap_err().to_string();
        assert!(
            e.contains("cannot be placed") && e.contains("or the caps above them are full"),
            "{e}"
        );
        let mut q = p.clone();
        q.groups[0].parent = Some(0);
        assert!(solve(&q).unwrap_err().to_string().contains("cycle"));
    }
}
