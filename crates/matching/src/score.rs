//! Scores that explain themselves. A score is a sum of named parts, each with the figures it
//! came from; a pair that is not acceptable says why. Higher is better; the solvers minimise
//! cost, so they take `-total`.

use serde::{Deserialize, Serialize};

/// One part of a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    /// A stable key (`rooms`, `rent`, `distance_sfi`, `ssyk`, …).
    pub key: &'static str,
    pub points: f64,
    /// What it rests on, in Swedish: "3 rum behövs, 3 finns".
    pub note: String,
}

/// A pair's score: its parts, or why it is not acceptable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub total: f64,
    pub parts: Vec<Part>,
    /// Empty when acceptable.
    pub refused: Vec<String>,
}

impl Score {
    pub fn acceptable(&self) -> bool {
        self.refused.is_empty()
    }
    fn new() -> Score {
        Score {
            total: 0.0,
            parts: Vec::new(),
            refused: Vec::new(),
        }
    }
    fn add(&mut self, key: &'static str, points: f64, note: String) {
        self.total += points;
        self.parts.push(Part { key, points, note });
    }
    /// The parts as one line: "rum +20 (3 behövs, 3 finns); hyra +4 (…)".
    pub fn explain(&self) -> String {
        if !self.acceptable() {
            return format!("ej godtagbar: {}", self.refused.join("; "));
        }
        self.parts
            .iter()
            .map(|p| {
                format!(
                    "{} {} ({})",
                    p.key,
                    format!("{:+.1}", p.points).replace('.', ","),
                    p.note
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A number with a decimal comma, as Swedish readers expect.
fn comma(v: f64, decimals: usize) -> String {
    format!("{v:.decimals$}").replace('.', ",")
}

/// Kilometres between two points given as (latitude, longitude) in degrees.
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

/// The rooms (besides the kitchen) a household needs under crowding norm 2 (SCB, Boverket):
/// at most two people per bedroom, plus a living room; one person needs one room.
pub fn rooms_needed(size: u32) -> u32 {
    if size <= 1 {
        1
    } else {
        1 + size.div_ceil(2)
    }
}

/// A household looking for a dwelling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Household {
    pub id: String,
    pub size: u32,
    /// The rent the household can pay, kronor per month.
    pub rent_budget: f64,
    #[serde(default)]
    pub needs_accessible: bool,
    /// Where the adults go (SFI, work), if known: (lat, lon).
    #[serde(default)]
    pub daily_place: Option<(f64, f64)>,
    /// The children's school, if any: (lat, lon).
    #[serde(default)]
    pub school: Option<(f64, f64)>,
}

/// A dwelling on offer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dwelling {
    pub id: String,
    pub area: String,
    pub rooms: u32,
    pub rent: f64,
    #[serde(default)]
    pub accessible: bool,
    pub location: (f64, f64),
    /// The share of the area's households that are newcomers now (0–1), for spread.
    #[serde(default)]
    pub area_newcomer_share: f64,
}

/// How much each housing part weighs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HousingWeights {
    /// Points for the right number of rooms; each room too many costs `extra_room`.
    pub rooms: f64,
    pub extra_room: f64,
    /// Points for the whole budget left over (scaled by the share left).
    pub rent: f64,
    /// Points lost per km to the daily place and to school.
    pub per_km: f64,
    /// Points lost per percentage point of newcomers already in the area.
    pub spread: f64,
}

impl Default for HousingWeights {
    fn default() -> Self {
        HousingWeights {
            rooms: 40.0,
            extra_room: 10.0,
            rent: 20.0,
            per_km: 2.0,
            spread: 1.0,
        }
    }
}

/// How well a dwelling fits a household.
pub fn housing_fit(h: &Household, d: &Dwelling, w: &HousingWeights) -> Score {
    let mut s = Score::new();
    let need = rooms_needed(h.size);
    if d.rooms < need {
        s.refused.push(format!(
            "trångbott: {} personer behöver {need} rum enligt norm 2, bostaden har {}",
            h.size, d.rooms
        ));
    }
    if d.rent > h.rent_budget {
        s.refused.push(format!(
            "hyran {:.0} kr överstiger hushållets {:.0} kr",
            d.rent, h.rent_budget
        ));
    }
    if h.needs_accessible && !d.accessible {
        s.refused
            .push("hushållet behöver tillgänglig bostad".into());
    }
    if !s.acceptable() {
        return s;
    }
    let extra = d.rooms - need;
    s.add(
        "rum",
        w.rooms - w.extra_room * extra as f64,
        format!("{need} rum behövs, {} finns", d.rooms),
    );
    let left = if h.rent_budget > 0.0 {
        (h.rent_budget - d.rent) / h.rent_budget
    } else {
        0.0
    };
    s.add(
        "hyra",
        w.rent * left,
        format!("hyra {:.0} kr av {:.0} kr", d.rent, h.rent_budget),
    );
    if h.needs_accessible {
        s.add("tillgänglighet", 0.0, "tillgänglig bostad".into());
    }
    if let Some(p) = h.daily_place {
        let km = distance_km(p, d.location);
        s.add(
            "avstånd_sfi_arbete",
            -w.per_km * km,
            format!("{} km till SFI/arbete", comma(km, 1)),
        );
    }
    if let Some(p) = h.school {
        let km = distance_km(p, d.location);
        s.add(
            "avstånd_skola",
            -w.per_km * km,
            format!("{} km till skolan", comma(km, 1)),
        );
    }
    s.add(
        "spridning",
        -w.spread * 100.0 * d.area_newcomer_share,
        format!(
            "{:.0} % nyanlända i {}",
            100.0 * d.area_newcomer_share,
            d.area
        ),
    );
    s
}

/// A person looking for an internship or subsidised job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: String,
    /// Work experience as SSYK 2012 codes (1–4 digits).
    #[serde(default)]
    pub ssyk: Vec<String>,
    /// Education level on the SUN scale 1–7.
    #[serde(default)]
    pub education: Option<u8>,
    /// Swedish: 0 none, 1–4 SFI courses A–D, 5 beyond SFI.
    pub swedish: u8,
    #[serde(default)]
    pub home: Option<(f64, f64)>,
    /// The longest commute the person can make, km.
    #[serde(default)]
    pub max_commute_km: Option<f64>,
}

/// An internship or subsidised job on offer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Internship {
    pub id: String,
    pub ssyk: String,
    #[serde(default)]
    pub min_education: Option<u8>,
    #[serde(default)]
    pub min_swedish: u8,
    #[serde(default)]
    pub location: Option<(f64, f64)>,
}

/// How well an internship fits a person: occupation (SSYK: the more leading digits shared,
/// the more points), education and Swedish above the requirement, commute.
pub fn internship_fit(c: &Candidate, i: &Internship) -> Score {
    let mut s = Score::new();
    if let Some(m) = i.min_education {
        if c.education.is_none_or(|e| e < m) {
            s.refused.push(format!("kräver utbildningsnivå {m} (SUN)"));
        }
    }
    if c.swedish < i.min_swedish {
        s.refused.push(format!(
            "kräver svenska på nivå {}, personen har {}",
            i.min_swedish, c.swedish
        ));
    }
    let km = match (c.home, i.location) {
        (Some(a), Some(b)) => Some(distance_km(a, b)),
        _ => None,
    };
    if let (Some(km), Some(max)) = (km, c.max_commute_km) {
        if km > max {
            s.refused
                .push(format!("{km:.1} km pendling, högst {max:.0} km"));
        }
    }
    if !s.acceptable() {
        return s;
    }
    let shared = c
        .ssyk
        .iter()
        .map(|x| {
            x.chars()
                .zip(i.ssyk.chars())
                .take_while(|(a, b)| a == b)
                .count()
        })
        .max()
        .unwrap_or(0);
    let (pts, what) = match shared {
        4.. => (40.0, "samma yrke"),
        3 => (25.0, "samma yrkesgrupp"),
        2 => (12.0, "samma yrkesområde"),
        1 => (4.0, "samma yrkeskategori"),
        _ => (0.0, "ingen yrkeserfarenhet i området"),
    };
    s.add("ssyk", pts, format!("{what} (SSYK {})", i.ssyk));
    if let Some(e) = c.education {
        let over = e.saturating_sub(i.min_education.unwrap_or(1)) as f64;
        s.add("utbildning", 3.0 * over.min(3.0), format!("SUN-nivå {e}"));
    }
    s.add(
        "svenska",
        2.0 * (c.swedish.saturating_sub(i.min_swedish)) as f64,
        format!("nivå {} (krav {})", c.swedish, i.min_swedish),
    );
    if let Some(km) = km {
        s.add("pendling", -0.5 * km, format!("{} km", comma(km, 1)));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn housing_parts_and_refusals() {
        let h = Household {
            id: "H1".into(),
            size: 5,
            rent_budget: 9000.0,
            needs_accessible: false,
            daily_place: Some((63.18, 14.64)),
            school: None,
        };
        let mut d = Dwelling {
            id: "D1".into(),
            area: "Lugnvik".into(),
            rooms: 4,
            rent: 8000.0,
            accessible: false,
            location: (63.19, 14.60),
            area_newcomer_share: 0.1,
        };
        let s = housing_fit(&h, &d, &HousingWeights::default());
        assert!(s.acceptable());
        assert_eq!(s.parts[0].note, "4 rum behövs, 4 finns");
        assert!(s.explain().contains("rum +40,0"), "{}", s.explain());
        d.rooms = 3;
        d.rent = 9500.0;
        let s = housing_fit(&h, &d, &HousingWeights::default());
        assert_eq!(s.refused.len(), 2, "{:?}", s.refused);
        assert!(s
            .explain()
            .starts_with("ej godtagbar: trångbott: 5 personer behöver 4 rum"));
        assert_eq!(rooms_needed(1), 1);
        assert_eq!(rooms_needed(2), 2);
        assert_eq!(rooms_needed(4), 3);
    }

    #[test]
    fn internship_parts() {
        let c = Candidate {
            id: "P".into(),
            ssyk: vec!["5321".into()],
            education: Some(4),
            swedish: 3,
            home: Some((63.18, 14.64)),
            max_commute_km: Some(20.0),
        };
        let i = Internship {
            id: "I".into(),
            ssyk: "5322".into(),
            min_education: Some(3),
            min_swedish: 2,
            location: Some((63.17, 14.66)),
        };
        let s = internship_fit(&c, &i);
        assert_eq!(s.parts[0].points, 25.0);
        let far = Internship {
            location: Some((62.39, 17.30)),
            ..i.clone()
        };
        assert!(internship_fit(&c, &far).refused[0].contains("pendling"));
        let hard = Internship {
            min_swedish: 5,
            ..i
        };
        assert!(!internship_fit(&c, &hard).acceptable());
    }
}
