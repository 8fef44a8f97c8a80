//! The `etablera` command. It parses arguments, opens the database and calls the library.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use etablera::{Format, DEFAULT_DATABASE};
use etablera_domain::Lang;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "etablera",
    version,
    about = "Municipal integration work: strategy follow-up against Kolada, reports"
)]
struct Cli {
    /// SQLite file path or postgres:// URL.
    #[arg(long, global = true, env = "ETABLERA_DATABASE", default_value = DEFAULT_DATABASE)]
    database: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the schema and load the reference data (units, county groups, indicator catalogue).
    Init,
    /// Import files: Kolada JSON (data or KPI metadata, API v2 or v3), long CSV, wide xlsx.
    Import {
        files: Vec<PathBuf>,
        /// Fetch from a Kolada data URL instead (e.g. https://api.kolada.se/v3/data/kpi/N00973/municipality/2380), following the pages.
        #[arg(long)]
        url: Option<String>,
    },
    /// Load, validate, show and export strategy files.
    Strategy {
        #[command(subcommand)]
        command: StrategyCommand,
    },
    /// Search the indicator catalogue by id or words in the title.
    Indicators { query: Vec<String> },
    /// Follow up a strategy for a year: a table, or JSON.
    Followup {
        strategy: String,
        #[arg(long)]
        year: i32,
        /// Compare with this group (default: the owner's county).
        #[arg(long)]
        group: Option<String>,
        /// Use the data as it stood on this date (YYYY-MM-DD).
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long)]
        json: bool,
        #[arg(long, value_enum, default_value = "sv")]
        lang: LangArg,
    },
    /// Write the annual follow-up report.
    Report {
        strategy: String,
        #[arg(long)]
        year: i32,
        #[arg(long, value_enum, default_value = "html")]
        format: FormatArg,
        #[arg(long, value_enum, default_value = "sv")]
        lang: LangArg,
        #[arg(long)]
        group: Option<String>,
        #[arg(long)]
        as_of: Option<String>,
        /// Output file (default: uppfoljning-<strategy>-<year>.<html|md>).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Build the demo database and reports.
    Demo {
        #[arg(long, default_value = "demo-output")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum StrategyCommand {
    /// Validate a strategy file and store it.
    Load { file: PathBuf },
    /// Validate a strategy file without storing it.
    Check { file: PathBuf },
    /// List stored strategies, or show one.
    Show { id: Option<String> },
    /// Write a stored strategy as a strategy file.
    Export {
        id: String,
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Sv,
    En,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Html,
    Md,
}

fn lang(l: LangArg) -> Lang {
    match l {
        LangArg::Sv => Lang::Sv,
        LangArg::En => Lang::En,
    }
}

/// A progress line for long imports: values stored so far, and a bar once the total is
/// known (Kolada states it in its responses). It draws only on a terminal.
fn progress_bar(label: &str) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::new_spinner();
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} {msg}: {human_pos} values stored ({elapsed})",
    ) {
        pb.set_style(style);
    }
    pb.set_message(label.to_string());
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}

fn with_total(pb: &indicatif::ProgressBar, total: u64) {
    if pb.length() != Some(total) {
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg} [{bar:30}] {human_pos}/{human_len} values ({eta} left)",
        ) {
            pb.set_style(style.progress_chars("=> "));
        }
        pb.set_length(total);
    }
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    if let Command::Demo { out } = &cli.command {
        let d = etablera::demo::run(out)?;
        for line in &d.summary {
            println!("{line}");
        }
        println!("\nDemo database: {}", d.database.display());
        println!("Reports (the figures marked «Fiktiva demodata» are fictitious):");
        for r in &d.reports {
            println!("  {}", r.display());
        }
        return Ok(());
    }
    let mut store = etablera_store::open(&cli.database)
        .with_context(|| format!("could not open the database `{}`", cli.database))?;
    let store = store.as_mut();
    match cli.command {
        Command::Init => {
            let r = etablera::init(store)?;
            println!(
                "{}: {} units updated, {} of {} indicators new or changed",
                cli.database, r.units, r.indicators_changed, r.indicators_total
            );
        }
        Command::Import { files, url } => {
            etablera::require_initialised(store)?;
            if let Some(url) = url {
                let pb = progress_bar(&url);
                let r = etablera::import_url(store, &url, &mut |n, total| {
                    if let Some(t) = total {
                        with_total(&pb, t);
                    }
                    pb.set_position(n);
                })?;
                pb.finish_and_clear();
                println!("{url}: {r}");
            }
            for f in files {
                let pb = progress_bar(&f.display().to_string());
                let r = etablera::import_file(store, &f, None, &mut |n| pb.set_position(n))?;
                pb.finish_and_clear();
                println!("{}: {r}", f.display());
            }
        }
        Command::Strategy { command } => {
            etablera::require_initialised(store)?;
            match command {
                StrategyCommand::Load { file } => {
                    let s = etablera::load_strategy(store, &file)?;
                    println!(
                        "loaded strategy {}: {} goals, {} targets, {} activities",
                        s.id,
                        s.goals.len(),
                        s.targets.len(),
                        s.activities.len()
                    );
                }
                StrategyCommand::Check { file } => {
                    let src = std::fs::read_to_string(&file)
                        .with_context(|| format!("{}: could not read the file", file.display()))?;
                    let units = etablera::units_of(store)?;
                    let known = store.indicators()?.into_iter().map(|i| i.id).collect();
                    let s = etablera_ingest::strategy_file::load(
                        &file.display().to_string(),
                        &src,
                        &units,
                        Some(&known),
                    )?;
                    println!(
                        "{}: valid ({} goals, {} targets)",
                        file.display(),
                        s.goals.len(),
                        s.targets.len()
                    );
                }
                StrategyCommand::Show { id: None } => {
                    for s in store.strategies()? {
                        println!(
                            "{:<24} {} {} (updated {})",
                            s.id, s.owner, s.title, s.updated_at
                        );
                    }
                }
                StrategyCommand::Show { id: Some(id) } => {
                    let s = etablera::get_strategy(store, &id)?;
                    println!(
                        "{} ({}–{}), {}",
                        s.title, s.period_from, s.period_to, s.owner
                    );
                    for g in s.root_goals() {
                        println!("\n{}", g.title);
                        for c in s.children(&g.id) {
                            println!("  – {}", c.title);
                        }
                        for t in s.targets.iter().filter(|t| s.root_of(&t.goal) == g.id) {
                            println!("  [{}] {}", t.kind.name(), t.text);
                        }
                    }
                }
                StrategyCommand::Export { id, output } => {
                    let s = etablera::get_strategy(store, &id)?;
                    let text = etablera_ingest::strategy_file::export(&s)?;
                    match output {
                        Some(p) => std::fs::write(&p, text)
                            .with_context(|| format!("could not write {}", p.display()))?,
                        None => print!("{text}"),
                    }
                }
            }
        }
        Command::Indicators { query } => {
            etablera::require_initialised(store)?;
            let all = store.indicators()?;
            for i in etablera_store::search_indicators(&all, &query.join(" "), 50) {
                println!("{:<20} {}", i.id, i.title);
            }
        }
        Command::Followup {
            strategy,
            year,
            group,
            as_of,
            json,
            lang: l,
        } => {
            etablera::require_initialised(store)?;
            let run =
                etablera::run_followup(store, &strategy, year, group.as_deref(), as_of.as_deref())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&run.followup)?);
            } else {
                print!("{}", etablera::followup_table(&run, lang(l)));
            }
        }
        Command::Report {
            strategy,
            year,
            format,
            lang: l,
            group,
            as_of,
            output,
        } => {
            etablera::require_initialised(store)?;
            let run =
                etablera::run_followup(store, &strategy, year, group.as_deref(), as_of.as_deref())?;
            let (fmt, ext) = match format {
                FormatArg::Html => (Format::Html, "html"),
                FormatArg::Md => (Format::Markdown, "md"),
            };
            let path = output
                .unwrap_or_else(|| PathBuf::from(format!("uppfoljning-{strategy}-{year}.{ext}")));
            std::fs::write(
                &path,
                etablera::render_report(&run, fmt, lang(l), as_of.as_deref()),
            )
            .with_context(|| format!("could not write {}", path.display()))?;
            println!("report written to {}", path.display());
        }
        Command::Demo { .. } => unreachable!("handled above"),
    }
    Ok(())
}
