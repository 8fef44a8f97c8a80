//! `etablera match …` and `etablera allocate …`: files in, a readable table (or CSV/JSON) out.
//! No database.

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use etablera_app::matching as m;
use etablera_matching::apportion::{FactorWeights, Method};
use etablera_matching::score::HousingWeights;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum MatchCommand {
    /// Dwellings to households: each household at most one dwelling, caps per area or
    /// building, the highest total fit (rooms by crowding norm 2, rent, accessibility,
    /// distance to SFI/work and school, spread over areas).
    Housing {
        /// Households: id;storlek;hyresbudget[;tillganglig;sfi_lat;sfi_lon;skola_lat;skola_lon]
        #[arg(long)]
        households: PathBuf,
        /// Dwellings: id;omrade;rum;hyra;lat;lon[;tillganglig;andel_nyanlanda;byggnad]
        #[arg(long)]
        dwellings: PathBuf,
        #[command(flatten)]
        placing: Placing,
        #[command(flatten)]
        out: Output,
    },
    /// Internships and subsidised jobs to people: places per site, caps per department,
    /// the highest total fit (SSYK occupation, education, Swedish, commute).
    Internships {
        /// id;svenska[;ssyk;utbildning;lat;lon;max_pendling_km] (svenska 0–5, utbildning SUN 1–7)
        #[arg(long)]
        people: PathBuf,
        /// id;ssyk;platser[;min_utbildning;min_svenska;lat;lon;forvaltning]
        #[arg(long)]
        places: PathBuf,
        #[command(flatten)]
        placing: Placing,
        #[command(flatten)]
        out: Output,
    },
    /// Stable matching by deferred acceptance with capacities (families and private
    /// landlords, newcomers and mentors); favours the proposing side.
    Stable {
        /// The proposing side: id;preferenser (ids of the other side, best first, comma separated)
        #[arg(long)]
        proposers: PathBuf,
        /// The receiving side: id;platser;preferenser
        #[arg(long)]
        receivers: PathBuf,
        #[command(flatten)]
        out: Output,
    },
    /// One-to-one assignment at least total cost from allowed pairs rad;kolumn;kostnad
    /// (pairs not listed are not allowed).
    Pairs {
        #[arg(long)]
        pairs: PathBuf,
        /// The cost of leaving a row unassigned; without it every row must be assigned.
        #[arg(long)]
        penalty: Option<f64>,
        #[command(flatten)]
        out: Output,
    },
    /// Write the worked examples' fictitious input files into a directory.
    Example {
        #[arg(long, default_value = "matchning-exempel")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum AllocateCommand {
    /// Split places (internships, subsidised jobs) among departments: fördelningstal.
    Quotas {
        /// forvaltning;anstallda;utomnordiskt_fodda;kompetensbehov[;min;max] or forvaltning;vikt[;min;max]
        #[arg(long)]
        departments: PathBuf,
        /// The number of places to split.
        #[arg(long)]
        total: u32,
        /// sainte-lague (Swedish, first divisor 1.2), sainte-lague-pure, dhondt, largest-remainder
        #[arg(long, default_value = "sainte-lague")]
        method: String,
        /// The target share of staff born outside the Nordic countries (0.08 = 8 %).
        #[arg(long, default_value_t = 0.08)]
        target: f64,
        /// Weights of headcount, gap to the target and competence needs.
        #[arg(long, default_value = "0.5,0.3,0.2")]
        factors: String,
        #[command(flatten)]
        out: Output,
    },
    /// Place people and families across municipalities by predicted employment, within the
    /// places (kommuntal); reports the gain over random and arrival-order placement.
    Municipalities {
        /// id[;storlek;grupp]
        #[arg(long)]
        people: PathBuf,
        /// kommun;platser (code or name)
        #[arg(long)]
        places: PathBuf,
        /// id;kommun;sannolikhet for every pair …
        #[arg(long, conflicts_with = "outcomes")]
        probabilities: Option<PathBuf>,
        /// … or past outcomes kommun;grupp;sysselsatt to fit them from.
        #[arg(long)]
        outcomes: Option<PathBuf>,
        /// Later arrivals (id[;storlek;grupp]) placed one at a time, in file order, with the
        /// prices from this batch, in the places it leaves.
        #[arg(long)]
        arrivals: Option<PathBuf>,
        /// How many municipalities to list in the table.
        #[arg(long, default_value_t = 15)]
        top: usize,
        #[command(flatten)]
        out: Output,
    },
}

/// Caps and what leaving someone out costs, for housing and internships.
#[derive(clap::Args)]
pub struct Placing {
    /// Caps: grupp;tak[;inom] — an area, building or department, a number or a share
    /// ("20 %") of the people to place, and the group it lies in.
    #[arg(long)]
    caps: Option<PathBuf>,
    /// What leaving someone without a place costs, in score points.
    #[arg(long, default_value_t = 1000.0)]
    penalty: f64,
    /// Everyone must get a place: refuse the problem (naming who cannot be placed) instead
    /// of leaving anyone out.
    #[arg(long)]
    must_place: bool,
}

impl Placing {
    /// The caps file and the penalty (`None`: everyone must be placed).
    fn read(&self) -> Result<(Option<(String, Vec<u8>)>, Option<f64>)> {
        if !self.penalty.is_finite() || self.penalty < 0.0 {
            bail!("--penalty: a number from 0 up");
        }
        let caps = self.caps.as_deref().map(read).transpose()?;
        Ok((
            caps,
            if self.must_place {
                None
            } else {
                Some(self.penalty)
            },
        ))
    }
}

#[derive(clap::Args)]
pub struct Output {
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
    /// Also write the result as CSV to this file.
    #[arg(long)]
    csv: Option<PathBuf>,
}

/// A file read by [`read`], as the library takes it.
fn slice(x: &Option<(String, Vec<u8>)>) -> Option<(&str, &[u8])> {
    x.as_ref().map(|(n, b)| (n.as_str(), b.as_slice()))
}

fn read(p: &Path) -> Result<(String, Vec<u8>)> {
    let bytes = std::fs::read(p).with_context(|| format!("{}: could not read", p.display()))?;
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((name, bytes))
}

fn emit<T: serde::Serialize>(
    out: &Output,
    value: &T,
    text: String,
    csv: etablera_app::Result<String>,
) -> Result<()> {
    if let Some(p) = &out.csv {
        std::fs::write(p, csv?).with_context(|| format!("{}: could not write", p.display()))?;
    }
    if out.json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else {
        print!("{text}");
        if let Some(p) = &out.csv {
            println!("\nCSV: {}", p.display());
        }
    }
    Ok(())
}

pub fn run_match(cmd: &MatchCommand) -> Result<()> {
    match cmd {
        MatchCommand::Housing {
            households,
            dwellings,
            placing,
            out,
        } => {
            let (hn, hb) = read(households)?;
            let (dn, db) = read(dwellings)?;
            let (caps, penalty) = placing.read()?;
            let r = m::match_housing(
                (&hn, &hb),
                (&dn, &db),
                caps.as_ref().map(|(n, b)| (n.as_str(), b.as_slice())),
                penalty,
                &HousingWeights::default(),
            )?;
            emit(out, &r, r.to_text(), r.to_csv())
        }
        MatchCommand::Internships {
            people,
            places,
            placing,
            out,
        } => {
            let p = read(people)?;
            let i = read(places)?;
            let (caps, penalty) = placing.read()?;
            let r = m::match_internships(
                (&p.0, &p.1),
                (&i.0, &i.1),
                caps.as_ref().map(|(n, b)| (n.as_str(), b.as_slice())),
                penalty,
            )?;
            emit(out, &r, r.to_text(), r.to_csv())
        }
        MatchCommand::Stable {
            proposers,
            receivers,
            out,
        } => {
            let p = read(proposers)?;
            let r = read(receivers)?;
            let rep = m::match_stable((&p.0, &p.1), (&r.0, &r.1))?;
            emit(out, &rep, rep.to_text(), rep.to_csv())
        }
        MatchCommand::Pairs {
            pairs,
            penalty,
            out,
        } => {
            if penalty.is_some_and(|p| !p.is_finite() || p < 0.0) {
                bail!("--penalty: a number from 0 up");
            }
            let p = read(pairs)?;
            let rep = m::match_pairs((&p.0, &p.1), *penalty)?;
            emit(out, &rep, rep.to_text(), rep.to_csv())
        }
        MatchCommand::Example { out } => {
            std::fs::create_dir_all(out)
                .with_context(|| format!("{}: could not create", out.display()))?;
            for (name, body) in etablera_app::matching_demo::files() {
                std::fs::write(out.join(&name), body)?;
                println!("{}", out.join(&name).display());
            }
            Ok(())
        }
    }
}

pub fn run_allocate(cmd: &AllocateCommand) -> Result<()> {
    match cmd {
        AllocateCommand::Quotas {
            departments,
            total,
            method,
            target,
            factors,
            out,
        } => {
            let method = Method::parse(method).with_context(|| {
                format!("--method `{method}`: use sainte-lague, sainte-lague-pure, dhondt or largest-remainder")
            })?;
            let f: Vec<f64> = factors
                .split(',')
                .map(|x| {
                    etablera_app::table::parse_number(x).filter(|v| v.is_finite() && *v >= 0.0)
                })
                .collect::<Option<Vec<f64>>>()
                .filter(|v| v.len() == 3)
                .with_context(|| {
                    format!("--factors `{factors}`: three numbers from 0 up, such as 0.5,0.3,0.2")
                })?;
            let (n, b) = read(departments)?;
            let r = m::quotas(
                (&n, &b),
                *total,
                method,
                *target,
                FactorWeights {
                    headcount: f[0],
                    gap: f[1],
                    needs: f[2],
                },
            )?;
            emit(out, &r, r.to_text(), r.to_csv())
        }
        AllocateCommand::Municipalities {
            people,
            places,
            probabilities,
            outcomes,
            arrivals,
            top,
            out,
        } => {
            let p = read(people)?;
            let c = read(places)?;
            let pr = probabilities.as_deref().map(read).transpose()?;
            let oc = outcomes.as_deref().map(read).transpose()?;
            let ar = arrivals.as_deref().map(read).transpose()?;
            let r = m::place_people(
                (&p.0, &p.1),
                (&c.0, &c.1),
                slice(&pr),
                slice(&oc),
                slice(&ar),
            )?;
            emit(out, &r, r.to_text(*top), r.to_csv())
        }
    }
}
