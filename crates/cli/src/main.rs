//! The `etablera` command. It parses arguments, opens the database and calls the library.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use etablera_app::{operator, Conn, Format, DEFAULT_DATABASE};
use etablera_domain::Lang;
use std::path::PathBuf;

mod matching;

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
        /// Output file (default: uppfoljning-<strategy>-<year>.<html|md|pdf|docx>).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Build the demo database and reports, then serve the web application on it.
    Demo {
        #[arg(long, default_value = "demo-output")]
        out: PathBuf,
        /// Only build; do not serve.
        #[arg(long)]
        no_serve: bool,
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
    },
    /// Bring the database's schema up to date (the server does it too when it starts);
    /// `--check` only says whether it is, and exits 1 when migrations are pending.
    Migrate {
        #[arg(long)]
        check: bool,
    },
    /// Write a consistent copy of the database to a new file while the server goes on:
    /// SQLite's online backup, or `pg_dump --format=custom` for PostgreSQL. The register's
    /// keys are not in it (back them up apart: docs/deployment.md).
    Backup { file: PathBuf },
    /// Restore a backup into the database named by --database, which must hold no
    /// Etablera tables yet unless --replace is given; prints each table's rows.
    Restore {
        file: PathBuf,
        #[arg(long)]
        replace: bool,
    },
    /// Break-glass: a one-time login for an account, for when the identity provider cannot
    /// be used and passwords are switched off. Prints a code that works once within 15
    /// minutes at /login/engang; the reason and the use go into the audit log.
    BreakGlass {
        username: String,
        /// Why (into the audit log).
        #[arg(long)]
        reason: String,
    },
    /// eID logins: linked identities, a staff member's personnummer for linking, and
    /// password login per municipality.
    Identity {
        #[command(subcommand)]
        command: IdentityCommand,
    },
    /// Serve the web application until Ctrl-C or SIGTERM.
    Serve {
        /// Address to listen on [default: 127.0.0.1:8080].
        #[arg(long, env = "ETABLERA_ADDR")]
        addr: Option<std::net::SocketAddr>,
        /// Mark cookies Secure and send HSTS (set when served over TLS, also behind a proxy).
        #[arg(long, env = "ETABLERA_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Largest upload in megabytes [default: 20].
        #[arg(long, env = "ETABLERA_MAX_UPLOAD_MB")]
        max_upload_mb: Option<usize>,
        /// A TOML file with `database`, `addr`, `secure_cookies`, `max_upload_mb`; flags and
        /// the environment take precedence over it.
        #[arg(long, env = "ETABLERA_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Write a one-sheet xlsx in the wide layout to standard output, from rows given as JSON
    /// (`[["Kommun","Indikator","2024"],["Östersund","N00973","54,0"]]`): a template to fill in.
    Xlsx {
        #[arg(long)]
        rows: String,
    },
    /// The strategy library: targets read out of strategy texts.
    Library {
        #[command(subcommand)]
        command: LibraryCommand,
    },
    /// Peer groups to compare with (the county groups GL01…GL25 are made by `init`).
    Group {
        #[command(subcommand)]
        command: GroupCommand,
    },
    /// Manage accounts. Passwords are read from standard input (one line).
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Matching: dwellings to households (and the worked examples' files). No database.
    Match {
        #[command(subcommand)]
        command: matching::MatchCommand,
    },
    /// Allocation: quotas to departments (fördelningstal), people across municipalities.
    /// No database.
    Allocate {
        #[command(subcommand)]
        command: matching::AllocateCommand,
    },
    /// The establishment register: keys, caseload import and export, figures, key rotation.
    /// Needs the keys in ETABLERA_REGISTER_KEYS (or --register-keys-file) where identities are read.
    Register {
        #[command(subcommand)]
        command: RegisterCommand,
        /// A file holding the register keys (`id:hex64`, comma separated, current first).
        #[arg(long, global = true, env = "ETABLERA_REGISTER_KEYS_FILE")]
        register_keys_file: Option<PathBuf>,
    },
    /// Gallring: remove or anonymise cases closed more than N years ago. Shows what it would
    /// do (a dry run) unless --execute is given.
    Gallra {
        /// Municipality (code or name).
        #[arg(long)]
        municipality: String,
        /// Years after closing [default: the municipality's setting, 5 unless changed].
        #[arg(long)]
        years: Option<u32>,
        #[arg(long, value_enum, default_value = "anonymise")]
        mode: GallringArg,
        /// The day to count from (YYYY-MM-DD) [default: today].
        #[arg(long)]
        today: Option<String>,
        /// Do it; without this flag only the plan is shown.
        #[arg(long)]
        execute: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum GallringArg {
    Anonymise,
    Delete,
}

#[derive(Subcommand)]
enum IdentityCommand {
    /// Every linked identity.
    List,
    /// Link an identity (issuer, subject) to an account by hand.
    Link {
        username: String,
        /// The configured provider's id (`freja`).
        #[arg(long)]
        provider: String,
        #[arg(long)]
        issuer: String,
        #[arg(long)]
        subject: String,
    },
    /// Remove a linked identity.
    Unlink {
        #[arg(long)]
        issuer: String,
        #[arg(long)]
        subject: String,
    },
    /// Set a staff member's personnummer (read from standard input, kept only as a blind
    /// index under the register's keys) for providers with `link = "personnummer"`; an
    /// empty line clears it.
    Personnummer {
        username: String,
        #[arg(long, env = "ETABLERA_REGISTER_KEYS_FILE")]
        keys_file: Option<PathBuf>,
    },
    /// Switch password login off (or on again) for a municipality's staff.
    Passwords {
        /// The municipality code (`2380`).
        unit: String,
        #[arg(value_enum)]
        switch: OnOff,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum OnOff {
    On,
    Off,
}

#[derive(Subcommand)]
enum RegisterCommand {
    /// Print a new random key (`id:hex64`) to put in ETABLERA_REGISTER_KEYS.
    Keygen {
        #[arg(long, default_value = "k1")]
        id: String,
    },
    /// Import a caseload CSV (columns as in the README); nothing is stored if a row is wrong.
    Import {
        file: PathBuf,
        #[arg(long)]
        municipality: String,
    },
    /// Write the caseload as CSV (the reads are logged).
    Export {
        #[arg(long)]
        municipality: String,
    },
    /// The register's figures (suppressed) as a table, or JSON.
    Figures {
        #[arg(long)]
        municipality: String,
        #[arg(long)]
        json: bool,
    },
    /// Store the register's figures as observations so strategies can follow them up.
    Feed {
        #[arg(long)]
        municipality: String,
    },
    /// Re-seal every identity with the current (first) key.
    RotateKeys,
    /// How many years reads of person data are kept (at least 5).
    LogRetention { years: Option<i64> },
    /// Check the read log's chain of HMACs and print its head; keep the head elsewhere and
    /// pass it later with `--expect-head` to see that no newer reads were removed.
    VerifyLog {
        #[arg(long)]
        expect_head: Option<String>,
    },
}

#[derive(Subcommand)]
enum GroupCommand {
    /// Create or replace a group: `etablera group add Gnorr "Norrlands inland" Östersund Krokom 2361`.
    Add {
        /// Starts with G.
        code: String,
        name: String,
        /// Municipalities by code or name.
        #[arg(required = true)]
        members: Vec<String>,
    },
    /// List the groups and their members.
    List,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account: `echo "$PASSWORD" | etablera user add anna --name "Anna Svensson"`.
    Add {
        username: String,
        #[arg(long)]
        name: String,
        /// A system administrator may do everything.
        #[arg(long)]
        system_admin: bool,
    },
    /// Set a new password (read from standard input); ends the account's sessions.
    Passwd { username: String },
    /// Give a role in a municipality (code or name), or remove it with `--remove`.
    Role {
        username: String,
        municipality: String,
        #[arg(value_parser = ["viewer", "strategist", "admin"], required_unless_present = "remove")]
        role: Option<String>,
        #[arg(long)]
        remove: bool,
    },
    /// Give a role in a municipality's establishment register, or remove it with `--remove`.
    RegisterRole {
        username: String,
        municipality: String,
        #[arg(value_parser = ["case_worker", "reception_manager", "analyst"], required_unless_present = "remove")]
        role: Option<String>,
        #[arg(long)]
        remove: bool,
    },
    /// List accounts with their roles.
    List,
}

#[derive(Subcommand)]
enum LibraryCommand {
    /// Read the targets out of a strategy's text (plain text in UTF-8, as copied or extracted
    /// from its PDF), as drafts to review: comparator, value and unit, year, and the
    /// sentence each was read from. Nothing is stored.
    Targets {
        /// A document (.docx or plain text) to read.
        #[arg(
            required_unless_present = "municipality",
            conflicts_with = "municipality"
        )]
        file: Option<PathBuf>,
        /// Instead of a file: every document of this municipality in the library.
        #[arg(long)]
        municipality: Option<String>,
        /// The strategy's last year, given to targets whose text names none (flagged).
        #[arg(long)]
        period_end: Option<i32>,
        /// Print the drafts as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Add a strategy document (PDF with a text layer, Word .docx, or plain text in UTF-8
    /// with pages separated by form feeds) to the library. The same content is never
    /// stored twice.
    Add {
        file: PathBuf,
        /// The municipality the document is about (name or code).
        #[arg(long)]
        municipality: String,
        #[arg(long)]
        title: String,
        #[arg(long)]
        year: Option<i32>,
        /// strategi, program, handlingsplan or plan.
        #[arg(long, default_value = "strategi")]
        kind: String,
        /// Where the document was found (a URL).
        #[arg(long)]
        source: Option<String>,
    },
    /// Search every document of the library (Swedish stems; a compound finds its parts).
    Search {
        query: Vec<String>,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Only documents about this municipality (name or code).
        #[arg(long)]
        municipality: Option<String>,
        /// Only documents about municipalities of this county (code, e.g. 23, or name).
        #[arg(long)]
        county: Option<String>,
        /// Only documents of this year or later.
        #[arg(long)]
        from_year: Option<i32>,
        /// Only documents of this year or earlier.
        #[arg(long)]
        to_year: Option<i32>,
        /// Only documents of this kind (strategi, program, handlingsplan, plan).
        #[arg(long)]
        kind: Option<String>,
        /// Only documents out of whose text a target is read.
        #[arg(long)]
        has_targets: bool,
        /// Only documents with a target this Kolada KPI may measure (e.g. N00973).
        #[arg(long)]
        indicator: Option<String>,
    },
    /// List the library's entries.
    List,
    /// Other municipalities' targets for one indicator: every stored strategy with a target
    /// on it and every library document whose text states one it may measure, with the
    /// level, year, latest value and status under its own target.
    Compare {
        /// The indicator (Kolada's KPI id, e.g. N00973).
        indicator: String,
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
    /// Open a strategy's overview and target pages to the public (or close them with --off).
    Publish {
        id: String,
        #[arg(long)]
        off: bool,
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
    /// Tagged PDF for the board and the archive (PDF/UA-1, PDF/A-2a).
    Pdf,
    /// Word document.
    Docx,
}

/// Migration numbers as `17, 18`.
fn list(versions: &[i64]) -> String {
    versions
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn lang(l: LangArg) -> Lang {
    match l {
        LangArg::Sv => Lang::Sv,
        LangArg::En => Lang::En,
    }
}

/// `{sv_pos}` and `{sv_len}`: counts with Swedish grouping (indicatif's `human_pos` writes
/// 100,002).
fn swedish_counts(style: indicatif::ProgressStyle) -> indicatif::ProgressStyle {
    let sv = |v: u64| etablera_domain::format::number(v as f64, 0, Lang::Sv);
    style
        .with_key(
            "sv_pos",
            move |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&sv(s.pos()));
            },
        )
        .with_key(
            "sv_len",
            move |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&sv(s.len().unwrap_or(0)));
            },
        )
}

/// A progress line for long imports: values stored so far, and a bar once the total is
/// known (Kolada states it in its responses). It draws only on a terminal.
fn progress_bar(label: &str) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::new_spinner();
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} {msg}: {sv_pos} values stored ({elapsed})",
    ) {
        pb.set_style(swedish_counts(style));
    }
    pb.set_message(label.to_string());
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}

fn with_total(pb: &indicatif::ProgressBar, total: u64) {
    if pb.length() != Some(total) {
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg} [{bar:30}] {sv_pos}/{sv_len} values ({eta} left)",
        ) {
            pb.set_style(swedish_counts(style).progress_chars("=> "));
        }
        pb.set_length(total);
    }
}

/// The configuration file of `etablera serve`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ServeFile {
    database: Option<String>,
    /// A file with the register keys.
    register_keys_file: Option<PathBuf>,
    addr: Option<std::net::SocketAddr>,
    secure_cookies: Option<bool>,
    max_upload_mb: Option<usize>,
    /// Proxies whose `X-Forwarded-For` names the client (also `ETABLERA_TRUSTED_PROXIES`).
    trusted_proxies: Option<Vec<String>>,
    /// Failed logins one address may make in an hour (default 300).
    login_failures_per_address: Option<i64>,
    /// eID logins one address may have begun and not finished (default 100).
    eid_pending_per_address: Option<i64>,
    /// The address users reach the server at, for the links in e-mails.
    public_url: Option<String>,
    /// The SMTP relay e-mail is sent through; without it messages wait in the outbox.
    smtp: Option<etablera_app::mail::SmtpSettings>,
    /// A second address serving only `/metrics` (also `ETABLERA_METRICS_ADDR`).
    metrics_addr: Option<std::net::SocketAddr>,
    /// OpenID Connect providers staff log in through, each `[[oidc]]`.
    #[serde(default)]
    oidc: Vec<etablera_oidc::ProviderSettings>,
}

fn read_password() -> Result<etablera_app::accounts::Password> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("could not read the password from standard input")?;
    Ok(etablera_app::accounts::Password::new(
        line.trim_end_matches(['\n', '\r']),
    ))
}

fn run_server(config: etablera_web::Config, addr: std::net::SocketAddr) -> Result<()> {
    // Database work runs on blocking threads, at most a pool's worth at a time (see
    // `web::db`); a bounded thread pool keeps the process from growing under bursts.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(64)
        .enable_all()
        .build()
        .context("could not start the runtime")?;
    Ok(rt.block_on(etablera_web::serve(
        config,
        addr,
        etablera_web::shutdown_signal(),
    ))?)
}

/// Demo accounts: (username, name, password, system admin, roles).
#[rustfmt::skip]
const DEMO_ACCOUNTS: [(&str, &str, &str, bool, &[(&str, &str)]); 9] = [
    ("admin", "Systemadministratör", "demo-admin-lösenord", true, &[]),
    ("strateg", "Sara Strateg (Östersund)", "demo-strateg-lösenord", false, &[("2380", "strategist")]),
    ("lasare", "Lars Läsare (Östersund)", "demo-läsare-lösenord", false, &[("2380", "viewer")]),
    ("ljusnarsberg", "Lina Admin (Ljusnarsberg)", "demo-ljusnarsberg-lösenord", false, &[("1864", "admin")]),
    ("handlaggare", "Hanna Handläggare (Östersund, etablering)", "demo-handläggare-lösenord", false, &[("2380", "case_worker")]),
    ("mottagning", "Mats Mottagningsansvarig (Östersund)", "demo-mottagning-lösenord", false, &[("2380", "reception_manager")]),
    ("analytiker", "Anna Analytiker (Östersund)", "demo-analytiker-lösenord", false, &[("2380", "analyst")]),
    ("upphandling", "Ulla Upphandlare (Östersund, rapportör)", "demo-upphandling-lösenord", false, &[("2380", "viewer")]),
    ("skola", "Sam Skola (Östersund, rapportör)", "demo-skola-lösenord", false, &[("2380", "viewer")]),
];

/// The register keys: ETABLERA_REGISTER_KEYS, else the file named (flag, environment or
/// configuration). `None` when neither is set.
fn register_keys(file: Option<&std::path::Path>) -> Result<Option<etablera_vault::Keyring>> {
    if let Ok(spec) = std::env::var("ETABLERA_REGISTER_KEYS") {
        return Ok(Some(etablera_vault::Keyring::parse(&spec)?));
    }
    let file = file
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("ETABLERA_REGISTER_KEYS_FILE").map(PathBuf::from));
    match file {
        Some(p) => {
            let spec = std::fs::read_to_string(&p)
                .with_context(|| format!("{}: could not read the register keys", p.display()))?;
            Ok(Some(
                etablera_vault::Keyring::parse(spec.trim())
                    .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?,
            ))
        }
        None => Ok(None),
    }
}

fn need_keys(file: Option<&std::path::Path>) -> Result<etablera_vault::Keyring> {
    register_keys(file)?.ok_or_else(|| {
        anyhow::anyhow!("the register keys are needed: set ETABLERA_REGISTER_KEYS (make one with `etablera register keygen`) or --register-keys-file")
    })
}

/// The demo's register: a key in the output folder (made once), a fictitious caseload for
/// Östersund, its figures fed to the follow-up, and one plan link to try.
fn demo_register(db: &str, out: &std::path::Path) -> Result<etablera_vault::Keyring> {
    let key_file = out.join("register-keys.txt");
    if !key_file.exists() {
        std::fs::write(&key_file, etablera_vault::Keyring::generate("demo1"))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    let keys = need_keys(Some(&key_file))?;
    let mut conn = Conn::open(db)?;
    let unit = etablera_domain::UnitCode::parse("2380")?;
    let (persons, households, n) =
        operator::demo_register(&mut conn, &keys, &unit, 600, "handlaggare")?;
    println!("Establishment register: {persons} fictitious cases and {households} households in Östersund, {n} register figures fed to the follow-up; key in {}", key_file.display());
    Ok(keys)
}

fn demo_accounts(db: &str) -> Result<()> {
    let mut conn = Conn::open(db)?;
    let c = &mut conn;
    for (user, name, pw, sysadm, roles) in DEMO_ACCOUNTS {
        operator::add_user(
            c,
            user,
            name,
            &etablera_app::accounts::Password::new(pw),
            sysadm,
        )?;
        for (unit, role) in roles {
            match etablera_domain::access::RegisterRole::parse(role) {
                Some(r) => operator::set_register_role(c, user, unit, Some(r))?,
                None => {
                    operator::set_role(c, user, unit, etablera_domain::access::Role::parse(role))?
                }
            }
        }
    }
    // Östersund and Luleå publish their follow-up; Ljusnarsberg's is for its users only.
    operator::publish(c, "ostersund-2020", true)?;
    operator::publish(c, "lulea-2019", true)?;
    Ok(())
}

/// The allocator of the whole process: under a long run of requests glibc's malloc kept the
/// memory of each burst in per-thread arenas (the server's RSS grew in steps); mimalloc
/// gives freed pages back, so memory stays flat (`scripts/soak`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The server's log: one line per request and every internal error with its causes, on
/// standard error; `ETABLERA_LOG` = error, warn, info (the default), debug or trace, and
/// `ETABLERA_LOG_FORMAT=json` for JSON lines. The lines carry no personal data (see
/// `etablera_web::router`).
fn init_log() {
    let level = match std::env::var("ETABLERA_LOG").as_deref() {
        Ok("error") => tracing::Level::ERROR,
        Ok("warn") => tracing::Level::WARN,
        Ok("debug") => tracing::Level::DEBUG,
        Ok("trace") => tracing::Level::TRACE,
        _ => tracing::Level::INFO,
    };
    let log = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .with_target(false)
        .with_ansi(false);
    // `ETABLERA_LOG_FORMAT=json`: one JSON object per line, the request's fields (id,
    // method, route) with each event, for a log collector.
    if std::env::var("ETABLERA_LOG_FORMAT").as_deref() == Ok("json") {
        log.json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init();
    } else {
        log.init();
    }
}

fn main() -> Result<()> {
    // The PDF reader's child process (see `etablera_pdf::pages_isolated`): a hostile PDF
    // ends that process, never this one.
    if std::env::var_os(etablera_pdf::CHILD_ENV).is_some() {
        etablera_pdf::child_main();
    }
    if let Ok(exe) = std::env::current_exe() {
        etablera_pdf::isolate_with(exe);
    }
    init_log();
    let cli = Cli::parse();
    if let Command::Demo {
        out,
        no_serve,
        addr,
    } = &cli.command
    {
        // `--database` (or ETABLERA_DATABASE) names where the demo goes; by default a fresh
        // SQLite file in the output folder.
        let given = (cli.database != DEFAULT_DATABASE).then_some(cli.database.as_str());
        let d = etablera_app::demo::run(out, given)?;
        for line in &d.summary {
            println!("{line}");
        }
        let db = d.database.clone();
        demo_accounts(&db)?;
        let keys = demo_register(&db, out)?;
        println!(
            "\nDemo database: {}",
            d.database.split('@').next_back().unwrap_or(&d.database)
        );
        println!("Reports (the figures marked «Fiktiva demodata» are fictitious):");
        for r in &d.reports {
            println!("  {}", r.display());
        }
        if !no_serve {
            println!("\nServing Etablera at http://{addr}/ (Ctrl-C to stop). Demo accounts (username / password):");
            for (user, name, pw, _, _) in DEMO_ACCOUNTS {
                println!("  {user:<13} {pw:<28} {name}");
            }
            run_server(
                etablera_web::Config {
                    database: db,
                    register_keys: Some(std::sync::Arc::new(keys)),
                    ..Default::default()
                },
                *addr,
            )?;
        }
        return Ok(());
    }
    match &cli.command {
        Command::Match { command } => return matching::run_match(command),
        Command::Allocate { command } => return matching::run_allocate(command),
        _ => {}
    }
    if let Command::Library {
        command:
            LibraryCommand::Targets {
                file: Some(file),
                period_end,
                json,
                ..
            },
    } = &cli.command
    {
        let bytes = read_limited(file, etablera_app::library::MAX_TEXT_BYTES)?;
        let name = file.display().to_string();
        let drafts = etablera_app::library::targets_of_text(&name, &bytes, *period_end)?;
        let drafts = etablera_app::library::with_kpis(drafts)?;
        if *json {
            println!("{}", serde_json::to_string_pretty(&drafts)?);
        } else {
            for (n, d) in drafts.iter().enumerate() {
                print_draft(n + 1, None, d);
            }
            println!(
                "{} mål lästa ur {name}; de är utkast att granska.",
                drafts.len()
            );
        }
        return Ok(());
    }
    if let Command::Xlsx { rows } = &cli.command {
        let rows: Vec<Vec<String>> = serde_json::from_str(rows)
            .context("--rows must be a JSON array of arrays of strings")?;
        let refs: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        use std::io::Write;
        std::io::stdout().write_all(&etablera_ingest::xlsx_wide::write(&refs))?;
        return Ok(());
    }
    if let Command::Serve {
        addr,
        secure_cookies,
        max_upload_mb,
        config,
    } = &cli.command
    {
        let file = match config {
            Some(p) => {
                let text = std::fs::read_to_string(p).with_context(|| {
                    format!("{}: could not read the configuration", p.display())
                })?;
                toml::from_str::<ServeFile>(&text)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?
            }
            None => ServeFile::default(),
        };
        let database = if cli.database != DEFAULT_DATABASE {
            cli.database.clone()
        } else {
            file.database.unwrap_or(cli.database.clone())
        };
        let addr = addr
            .or(file.addr)
            .unwrap_or_else(|| std::net::SocketAddr::from(([127, 0, 0, 1], 8080)));
        let mb = max_upload_mb
            .or(file.max_upload_mb)
            .unwrap_or(20)
            .clamp(1, 1024);
        let register_keys =
            register_keys(file.register_keys_file.as_deref())?.map(std::sync::Arc::new);
        if register_keys.is_none() {
            println!("The establishment register is off: no ETABLERA_REGISTER_KEYS (etablera register keygen).");
        }
        let proxies = match std::env::var("ETABLERA_TRUSTED_PROXIES") {
            Ok(v) if !v.trim().is_empty() => v,
            _ => file.trusted_proxies.clone().unwrap_or_default().join(","),
        };
        let trusted_proxies = etablera_web::parse_proxies(&proxies)
            .map_err(|e| anyhow::anyhow!("ETABLERA_TRUSTED_PROXIES / trusted_proxies: {e}"))?;
        if let Some(s) = &file.smtp {
            etablera_app::mail::Smtp::new(s).map_err(|e| anyhow::anyhow!("[smtp]: {e}"))?;
        } else {
            println!("E-mail is off: no [smtp] in the configuration; messages wait in the outbox.");
        }
        let public_url = file
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        let mut oidc = Vec::new();
        for p in &file.oidc {
            let secret = match &p.client_secret_env {
                Some(var) => Some(std::env::var(var).map_err(|_| {
                    anyhow::anyhow!("[[oidc]] {}: the environment variable {var} with the client secret is not set", p.id)
                })?),
                None => None,
            };
            if p.link == etablera_oidc::Link::Personnummer && register_keys.is_none() {
                anyhow::bail!("[[oidc]] {}: link = \"personnummer\" needs the register's keys (the blind index is made with them)", p.id);
            }
            if oidc
                .iter()
                .any(|o: &std::sync::Arc<etablera_oidc::Provider>| o.settings.id == p.id)
            {
                anyhow::bail!("[[oidc]] {}: two providers have this id", p.id);
            }
            oidc.push(std::sync::Arc::new(
                etablera_oidc::Provider::new(p.clone(), secret)
                    .map_err(|e| anyhow::anyhow!("[[oidc]] {}: {e}", p.id))?,
            ));
        }
        let config = etablera_web::Config {
            oidc,
            smtp: file.smtp.clone(),
            public_url,
            trusted_proxies,
            login_failures_per_address: file.login_failures_per_address.unwrap_or(300).max(10),
            eid_pending_per_address: file.eid_pending_per_address.unwrap_or(100).max(5),
            // `/metrics` on the application's address with this bearer token, or on an
            // address of its own; a token is a secret, so it is read from the environment.
            metrics_token: match std::env::var("ETABLERA_METRICS_TOKEN") {
                Ok(t) if t.len() >= 16 && t.bytes().all(|b| b.is_ascii_graphic()) => {
                    Some(etablera_app::accounts::Password::new(t))
                }
                Ok(t) if !t.is_empty() => {
                    anyhow::bail!("ETABLERA_METRICS_TOKEN must be at least 16 visible ASCII characters (it is sent in an HTTP header)")
                }
                _ => None,
            },
            metrics_addr: match std::env::var("ETABLERA_METRICS_ADDR") {
                Ok(v) if !v.trim().is_empty() => Some(v.trim().parse().map_err(|e| {
                    anyhow::anyhow!("ETABLERA_METRICS_ADDR `{v}` is not an address: {e}")
                })?),
                _ => file.metrics_addr,
            },
            database: database.clone(),
            secure_cookies: *secure_cookies || file.secure_cookies.unwrap_or(false),
            max_upload: mb * 1024 * 1024,
            register_keys,
            // Several processes behind one address must share it to accept each other's
            // login forms; one process makes its own.
            form_secret: std::env::var("ETABLERA_FORM_SECRET")
                .ok()
                .filter(|s| !s.is_empty())
                .map(etablera_app::accounts::Password::new),
        };
        // The address may hold a password: show only where the database is, not who logs in.
        let shown = database.split('@').next_back().unwrap_or(&database);
        println!("Serving Etablera at http://{addr}/ on {shown} (Ctrl-C to stop)");
        return run_server(config, addr);
    }
    if let Command::Register {
        command: RegisterCommand::Keygen { id },
        ..
    } = &cli.command
    {
        println!("{}", etablera_vault::Keyring::generate(id));
        return Ok(());
    }
    // Shown without a password the address may hold.
    let shown = cli
        .database
        .split('@')
        .next_back()
        .unwrap_or(&cli.database)
        .to_string();
    match &cli.command {
        Command::Backup { file } => {
            operator::backup(&cli.database, file)?;
            let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
            println!(
                "{shown} backed up to {} ({} bytes). The register's keys are not in it.",
                file.display(),
                etablera_domain::format::number(size as f64, 0, Lang::Sv)
            );
            return Ok(());
        }
        Command::Restore { file, replace } => {
            let tables = operator::restore(file, &cli.database, *replace)?;
            let rows: i64 = tables.iter().map(|t| t.rows).sum();
            println!(
                "{} restored into {shown}: {} tables, {} rows",
                file.display(),
                tables.len(),
                etablera_domain::format::number(rows as f64, 0, Lang::Sv)
            );
            return Ok(());
        }
        _ => {}
    }
    let mut conn = Conn::open(&cli.database)
        .with_context(|| format!("could not open the database `{}`", cli.database))?;
    let store = &mut conn;
    match cli.command {
        Command::Migrate { check: true } => {
            let s = operator::schema_status(store)?;
            if !s.unknown.is_empty() {
                println!(
                    "{shown}: migrations {} were applied by a newer Etablera",
                    list(&s.unknown)
                );
            }
            if s.current() {
                println!(
                    "{shown}: the schema is current ({} migrations)",
                    s.applied.len()
                );
            } else {
                println!(
                    "{shown}: {} of {} migrations pending: {} (run etablera migrate)",
                    s.pending.len(),
                    s.applied.len() + s.pending.len(),
                    list(&s.pending)
                );
                std::process::exit(1);
            }
        }
        Command::Migrate { check: false } => {
            let (before, after) = operator::migrate(store)?;
            if before.pending.is_empty() {
                println!(
                    "{shown}: the schema was current ({} migrations)",
                    after.applied.len()
                );
            } else {
                println!(
                    "{shown}: applied {}; the schema is current ({} migrations)",
                    list(&before.pending),
                    after.applied.len()
                );
            }
        }
        Command::Backup { .. } | Command::Restore { .. } => unreachable!("handled above"),
        Command::Init => {
            let r = operator::init(store)?;
            println!(
                "{}: {} units updated, {} of {} indicators new or changed",
                cli.database, r.units, r.indicators_changed, r.indicators_total
            );
        }
        Command::Import { files, url } => {
            operator::require_initialised(store)?;
            if let Some(url) = url {
                let pb = progress_bar(&url);
                let r = operator::import_url(store, &url, &mut |n, total| {
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
                let r = operator::import_file(store, &f, &mut |n| pb.set_position(n))?;
                pb.finish_and_clear();
                println!("{}: {r}", f.display());
            }
        }
        Command::Strategy { command } => {
            operator::require_initialised(store)?;
            match command {
                StrategyCommand::Load { file } => {
                    let s = operator::load_strategy(store, &file)?;
                    println!(
                        "loaded strategy {}: {} goals, {} targets, {} activities",
                        s.id,
                        s.goals.len(),
                        s.targets.len(),
                        s.activities.len()
                    );
                }
                StrategyCommand::Check { file } => {
                    let s = operator::check_strategy_file(store, &file)?;
                    println!(
                        "{}: valid ({} goals, {} targets)",
                        file.display(),
                        s.goals.len(),
                        s.targets.len()
                    );
                }
                StrategyCommand::Show { id: None } => {
                    for s in operator::strategies(store)? {
                        println!(
                            "{:<24} {} {} (updated {})",
                            s.id, s.owner, s.title, s.updated_at
                        );
                    }
                }
                StrategyCommand::Show { id: Some(id) } => {
                    let s = operator::strategy(store, &id)?;
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
                StrategyCommand::Publish { id, off } => {
                    operator::publish(store, &id, !off)?;
                    println!("{id}: {}", if off { "not published" } else { "published" });
                }
                StrategyCommand::Export { id, output } => {
                    let s = operator::strategy(store, &id)?;
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
            operator::require_initialised(store)?;
            for i in operator::search_indicators(store, &query.join(" "), 50)? {
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
            let run = follow_up(store, &strategy, year, group.as_deref(), as_of.as_deref())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&run.followup)?);
            } else {
                print!("{}", etablera_app::followup_table(&run, lang(l)));
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
            let run = follow_up(store, &strategy, year, group.as_deref(), as_of.as_deref())?;
            let ext = match format {
                FormatArg::Html => "html",
                FormatArg::Md => "md",
                FormatArg::Pdf => "pdf",
                FormatArg::Docx => "docx",
            };
            let path = output
                .unwrap_or_else(|| PathBuf::from(format!("uppfoljning-{strategy}-{year}.{ext}")));
            let bytes = match format {
                FormatArg::Html | FormatArg::Md => {
                    let fmt = if matches!(format, FormatArg::Html) {
                        Format::Html
                    } else {
                        Format::Markdown
                    };
                    etablera_app::render_report(&run, fmt, lang(l), as_of.as_deref()).into_bytes()
                }
                FormatArg::Pdf | FormatArg::Docx => {
                    let fmt = if matches!(format, FormatArg::Pdf) {
                        etablera_app::BoardFormat::Pdf
                    } else {
                        etablera_app::BoardFormat::Docx
                    };
                    etablera_app::render_board_document(&run, fmt, lang(l), as_of.as_deref())?
                }
            };
            std::fs::write(&path, bytes)
                .with_context(|| format!("could not write {}", path.display()))?;
            println!("report written to {}", path.display());
        }
        Command::Demo { .. }
        | Command::Serve { .. }
        | Command::Xlsx { .. }
        | Command::Match { .. }
        | Command::Allocate { .. } => {
            unreachable!("handled above")
        }
        Command::BreakGlass { username, reason } => {
            // Who asked, as the operating system knows them (the audit log has no account
            // for the operator).
            let who = std::env::var("SUDO_USER")
                .or_else(|_| std::env::var("USER"))
                .ok();
            let ticket = etablera_app::identity::break_glass(
                store,
                &etablera_app::Actor::system(),
                &username,
                &reason,
                who.as_deref(),
            )?;
            println!("One-time login for {username}, valid once for 15 minutes at /login/engang:");
            println!("{ticket}");
        }
        Command::Identity { command } => identity_command(store, command)?,
        Command::Library { command } => {
            operator::require_initialised(store)?;
            library_command(store, command)?;
        }
        Command::Group { command } => {
            operator::require_initialised(store)?;
            match command {
                GroupCommand::Add {
                    code,
                    name,
                    members,
                } => {
                    let n = operator::save_group(store, &code, &name, &members)?;
                    println!("group {code} \"{name}\": {n} municipalities");
                }
                GroupCommand::List => {
                    for g in operator::groups(store)? {
                        println!(
                            "{:<8} {:<40} {}",
                            g.code,
                            g.name,
                            g.members
                                .iter()
                                .map(|m| m.to_string())
                                .collect::<Vec<_>>()
                                .join(" ")
                        );
                    }
                }
            }
        }
        Command::User { command } => {
            operator::require_initialised(store)?;
            match command {
                UserCommand::Add {
                    username,
                    name,
                    system_admin,
                } => {
                    let pw = read_password()?;
                    let id = operator::add_user(store, &username, &name, &pw, system_admin)?;
                    println!("created user {username} (id {id})");
                }
                UserCommand::Passwd { username } => {
                    let pw = read_password()?;
                    operator::set_password(store, &username, &pw)?;
                    println!("password changed for {username}; their sessions have ended");
                }
                UserCommand::Role {
                    username,
                    municipality,
                    role,
                    remove,
                } => {
                    let role = chosen(role, remove, etablera_domain::access::Role::parse);
                    operator::set_role(store, &username, &municipality, role)?;
                    let now = match role {
                        Some(r) => format!("{} in {municipality}", r.as_str()),
                        None => format!("no role in {municipality}"),
                    };
                    println!("{username}: {now}");
                }
                UserCommand::RegisterRole {
                    username,
                    municipality,
                    role,
                    remove,
                } => {
                    let role = chosen(role, remove, etablera_domain::access::RegisterRole::parse);
                    operator::set_register_role(store, &username, &municipality, role)?;
                    let now = role.map_or(format!("no register role in {municipality}"), |r| {
                        format!("{} in the register of {municipality}", r.as_str())
                    });
                    println!("{username}: {now}");
                }
                UserCommand::List => {
                    for (u, roles) in operator::users(store)? {
                        let roles: Vec<String> = roles
                            .into_iter()
                            .map(|(c, r)| format!("{c}:{}", r.as_str()))
                            .collect();
                        println!(
                            "{:<20} {:<30} {}{}",
                            u.username,
                            u.display_name,
                            if u.system_admin { "system admin " } else { "" },
                            roles.join(" ")
                        );
                    }
                }
            }
        }
        Command::Register {
            command,
            register_keys_file,
        } => {
            operator::require_initialised(store)?;
            let kf = register_keys_file.as_deref();
            let muni = |store: &mut Conn, m: &str| operator::municipality(store, m);
            match command {
                RegisterCommand::Keygen { .. } => {
                    unreachable!("handled before the database is opened")
                }
                RegisterCommand::Import { file, municipality } => {
                    let keys = need_keys(kf)?;
                    let unit = muni(store, &municipality)?;
                    let bytes = std::fs::read(&file)
                        .with_context(|| format!("{}: could not read", file.display()))?;
                    let name = file
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let n = operator::register_import(store, &keys, &unit, &name, &bytes)?;
                    println!("{n} persons imported into the register of {unit}");
                }
                RegisterCommand::Export { municipality } => {
                    let keys = need_keys(kf)?;
                    let unit = muni(store, &municipality)?;
                    print!("{}", operator::register_export(store, &keys, &unit)?);
                }
                RegisterCommand::Figures { municipality, json } => {
                    let unit = muni(store, &municipality)?;
                    let fig = operator::register_figures(store, &unit)?;
                    match (fig, json) {
                        (None, _) => println!("inga ärenden i registret för {unit}"),
                        (Some(f), true) => println!("{}", serde_json::to_string_pretty(&f)?),
                        (Some(f), false) => {
                            use etablera_domain::{format::number, Lang};
                            println!(
                                "{:<18} {:>4} {:>3} {:>10} {:>6}",
                                "indikator", "år", "kön", "värde", "n"
                            );
                            for c in &f.cells {
                                let v = match (c.suppressed, c.value) {
                                    (Some(_), _) => "•".to_string(),
                                    (None, Some(v)) => number(v, 1, Lang::Sv),
                                    (None, None) => "–".to_string(),
                                };
                                let n = if c.suppressed.is_some() {
                                    "•".to_string()
                                } else {
                                    number(c.n as f64, 0, Lang::Sv)
                                };
                                println!(
                                    "{:<18} {:>4} {:>3} {:>10} {:>6}",
                                    c.indicator.id(),
                                    c.year,
                                    c.sex.code(),
                                    v,
                                    n
                                );
                            }
                            println!("• = skyddad uppgift (färre än {} personer, eller skulle röja en sådan cell)", f.threshold);
                        }
                    }
                }
                RegisterCommand::Feed { municipality } => {
                    let unit = muni(store, &municipality)?;
                    let n = operator::register_feed(store, &unit)?;
                    println!("{n} register figures stored for {unit}");
                }
                RegisterCommand::RotateKeys => {
                    let keys = need_keys(kf)?;
                    let n = operator::rotate_keys(store, &keys)?;
                    println!("{n} identities sealed with key {}", keys.current());
                }
                RegisterCommand::VerifyLog { expect_head } => {
                    let keys = need_keys(kf)?;
                    let r = operator::verify_read_log(store, &keys, expect_head.as_deref())?;
                    let n = |v: u64| {
                        etablera_domain::format::number(v as f64, 0, etablera_domain::Lang::Sv)
                    };
                    if let Some((id, why)) = &r.broken {
                        anyhow::bail!(
                            "läsloggen är bruten vid rad {id}: {}",
                            why.text(etablera_domain::Lang::Sv)
                        );
                    }
                    if r.expected_head_found == Some(false) {
                        anyhow::bail!(
                            "det sparade huvudet finns inte i läsloggen: rader har tagits bort efter det (kedjan har nu {} rader)",
                            n(r.rows)
                        );
                    }
                    match &r.head {
                        Some((id, mac)) => println!(
                            "läsloggen är hel: {} rader i kedjan ({} från före kedjan, {} gallringspunkter), sista rad {id}, huvud: {mac}",
                            n(r.rows),
                            n(r.unchained),
                            n(r.checkpoints as u64)
                        ),
                        None => println!(
                            "läsloggen har inga rader i kedjan ({} från före kedjan)",
                            n(r.unchained)
                        ),
                    }
                }
                RegisterCommand::LogRetention { years } => {
                    let (kept, removed) = operator::read_log_retention(store, years)?;
                    println!("reads are kept {kept} years; {removed} older reads removed");
                }
            }
        }
        Command::Gallra {
            municipality,
            years,
            mode,
            today,
            execute,
        } => {
            operator::require_initialised(store)?;
            let unit = operator::municipality(store, &municipality)?;
            let today = match today {
                Some(t) => etablera_domain::Date::parse(&t)?,
                None => etablera_app::register::today(),
            };
            let mode = match mode {
                GallringArg::Anonymise => etablera_app::register::GallringMode::Anonymise,
                GallringArg::Delete => etablera_app::register::GallringMode::Delete,
            };
            let plan = operator::gallra(store, &unit, years, mode, today, execute)?;
            let verb = match (plan.done, mode) {
                (false, etablera_app::register::GallringMode::Delete) => "would delete",
                (false, _) => "would anonymise",
                (true, etablera_app::register::GallringMode::Delete) => "deleted",
                (true, _) => "anonymised",
            };
            println!(
                "{unit}: cases closed before {}: {} {}",
                plan.cutoff,
                verb,
                plan.persons.len()
            );
            for (id, closed) in &plan.persons {
                println!("  {id}  closed {closed}");
            }
            if !plan.done && !plan.persons.is_empty() {
                println!("dry run: nothing was changed; run again with --execute to do it");
            }
        }
    }
    Ok(())
}

/// The role a `role` command gives: none with `--remove`, else the named one (clap has
/// checked the name against the roles there are).
fn chosen<R>(role: Option<String>, remove: bool, parse: fn(&str) -> Option<R>) -> Option<R> {
    role.filter(|_| !remove).as_deref().and_then(parse)
}

/// The follow-up `followup` prints and `report` writes, after checking the database is set
/// up and `--as-of` reads as a time.
fn follow_up(
    store: &mut Conn,
    strategy: &str,
    year: i32,
    group: Option<&str>,
    as_of: Option<&str>,
) -> Result<etablera_app::FollowUpRun> {
    operator::require_initialised(store)?;
    if let Some(a) = as_of {
        etablera_app::check_as_of(a).map_err(|e| anyhow::anyhow!("--as-of: {e}"))?;
    }
    Ok(operator::followup(store, strategy, year, group, as_of)?)
}

/// A file's bytes, refused with its name when it is larger than `max` (read no further).
fn read_limited(path: &std::path::Path, max: usize) -> Result<Vec<u8>> {
    use std::io::Read;
    let f =
        std::fs::File::open(path).with_context(|| format!("{}: could not open", path.display()))?;
    // A file known to be too large is refused unread, with its true size.
    if let Some(len) = f
        .metadata()
        .ok()
        .map(|m| m.len())
        .filter(|l| *l > max as u64)
    {
        let n = |v: u64| etablera_domain::format::number(v as f64, 0, etablera_domain::Lang::Sv);
        anyhow::bail!(
            "{}: the file is {} bytes; at most {} are read",
            path.display(),
            n(len),
            n(max as u64)
        );
    }
    let mut bytes = Vec::new();
    f.take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("{}: could not read", path.display()))?;
    Ok(bytes)
}

/// The library's commands that use the database (`targets` does not).
fn library_command(store: &mut Conn, command: LibraryCommand) -> Result<()> {
    use etablera_app::library;
    let lang = etablera_domain::Lang::Sv;
    match command {
        LibraryCommand::Targets {
            municipality,
            period_end,
            json,
            ..
        } => {
            let Some(m) = municipality else {
                unreachable!("a file is read before the database opens")
            };
            let found = library::targets_of_municipality(
                store,
                &etablera_app::Actor::system(),
                &m,
                period_end,
            )?;
            if json {
                println!("{}", serde_json::to_string_pretty(&found)?);
                return Ok(());
            }
            for e in &found {
                println!("{} ({}):", e.entry.meta.title, e.entry.meta.unit_code);
                for (n, (page, d)) in e.targets.iter().enumerate() {
                    print_draft(n + 1, *page, d);
                }
            }
            let n: usize = found.iter().map(|e| e.targets.len()).sum();
            println!(
                "{n} mål lästa ur {} dokument om {m}; de är utkast att granska.",
                found.len()
            );
        }
        LibraryCommand::Add {
            file,
            municipality,
            title,
            year,
            kind,
            source,
        } => {
            let bytes = read_limited(&file, library::MAX_TEXT_BYTES)?;
            let file_name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| file.display().to_string());
            let doc = library::NewDocument {
                municipality,
                title,
                year,
                kind,
                source,
                file_name,
                bytes,
            };
            let id = library::add(store, &etablera_app::Actor::system(), doc)?;
            println!("lagt till i biblioteket som post {id}");
        }
        LibraryCommand::Search {
            query,
            limit,
            municipality,
            county,
            from_year,
            to_year,
            kind,
            has_targets,
            indicator,
        } => {
            let query = query.join(" ");
            let filter = library::Filter {
                municipality,
                county,
                from_year,
                to_year,
                kind,
                has_targets,
                indicator,
            };
            let found = library::search_filtered(
                store,
                &etablera_app::Actor::system(),
                &query,
                &filter,
                limit,
            )?;
            for f in &found {
                let page = f.hit.page.map(|p| format!(", s. {p}")).unwrap_or_default();
                let score = etablera_domain::format::number(f.hit.score, 2, lang);
                let m = &f.entry.meta;
                println!("{} {} ({}{page}) [{score}]", m.unit_code, m.title, m.kind);
                println!("   {}", f.hit.snippet);
            }
            let word = if found.len() == 1 {
                "träff"
            } else {
                "träffar"
            };
            println!("{} {word} för «{query}»", found.len());
        }
        LibraryCommand::Compare { indicator } => {
            use etablera_app::comparison::{self, Source};
            let c = comparison::compare(store, &etablera_app::Actor::system(), &indicator)
                .map_err(|e| match e {
                    etablera_app::Error::NotFound => {
                        anyhow::anyhow!("no indicator `{indicator}`; `etablera indicators WORD` finds ids by title")
                    }
                    e => e.into(),
                })?;
            println!("{} ({})", c.indicator.title, c.indicator.id);
            for r in &c.rows {
                let latest = r.latest.map_or_else(
                    || "inget värde".to_string(),
                    |p| {
                        format!(
                            "senast {} ({}){}",
                            etablera_domain::format::value(p.value, &c.indicator.unit, lang),
                            p.period.label(lang),
                            if r.fictitious { "*" } else { "" }
                        )
                    },
                );
                let from = match &r.source {
                    Source::Strategy {
                        strategy_id,
                        target_id,
                        ..
                    } => {
                        format!("strategi {strategy_id}, mål {target_id}")
                    }
                    Source::Library {
                        entry_title, page, ..
                    } => format!(
                        "utkast ur «{entry_title}»{}",
                        page.map(|p| format!(", s. {p}")).unwrap_or_default()
                    ),
                };
                println!(
                    "{}: {} – {latest} – {}",
                    r.unit_name,
                    r.level,
                    comparison::status_label(r.status, lang)
                );
                println!("   [{from}]");
            }
            println!("{} mål på indikatorn", c.rows.len());
            if c.rows.iter().any(|r| r.fictitious) {
                println!("* Fiktiva demodata.");
            }
            println!("{}", c.indicator.source.citation(lang));
        }
        LibraryCommand::List => {
            for e in library::entries(store, &etablera_app::Actor::system())? {
                let m = &e.meta;
                let year = m.year.map_or_else(|| "okänt år".into(), |y| y.to_string());
                let text = if e.paragraphs == 0 {
                    "text saknas".to_string()
                } else {
                    format!("{} stycken", e.paragraphs)
                };
                println!(
                    "{:>4} {} {} ({}, {year}; {text})",
                    e.id, m.unit_code, m.title, m.kind
                );
            }
            let listed = library::listings(store, &etablera_app::Actor::system())?;
            for l in &listed {
                let unit = l.unit_code.as_deref().unwrap_or("okänd kommun");
                let year = l.year.map_or_else(|| "okänt år".into(), |y| y.to_string());
                println!(
                    "     {unit} {} ({}, {year}; text saknas; uppräknad i {}, rad {})",
                    l.title, l.kind, l.listed_in, l.line
                );
            }
            println!(
                "{} dokument uppräknade i andra dokument, utan text ännu.",
                listed.len()
            );
        }
    }
    Ok(())
}

/// A target draft as the library commands print it: number, what it says (and its page),
/// the sentence, and the Kolada KPIs suggested for it.
fn print_draft(n: usize, page: Option<i32>, d: &etablera_app::library::WithKpis) {
    let lang = etablera_domain::Lang::Sv;
    let page = page.map(|p| format!(" [s. {p}]")).unwrap_or_default();
    println!(
        "{n}. {}{page}",
        etablera_app::library::describe(&d.draft, lang)
    );
    println!("   «{}»", d.draft.sentence);
    for k in &d.kpis {
        let score = etablera_domain::format::number(k.score, 1, lang);
        println!("   Kolada {} ({score}): {}", k.id, k.title);
    }
}

fn identity_command(conn: &mut Conn, command: IdentityCommand) -> Result<()> {
    use etablera_app::identity;
    let system = etablera_app::Actor::system();
    match command {
        IdentityCommand::List => {
            for i in identity::identities(conn, &system)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    i.username, i.provider_id, i.issuer, i.subject, i.linked_by, i.linked_at
                );
            }
        }
        IdentityCommand::Link {
            username,
            provider,
            issuer,
            subject,
        } => {
            identity::link_by_hand(conn, &system, &username, &provider, &issuer, &subject)?;
            println!("Linked to {username}.");
        }
        IdentityCommand::Unlink { issuer, subject } => {
            identity::unlink(conn, &system, &issuer, &subject)?;
            println!("Removed.");
        }
        IdentityCommand::Personnummer {
            username,
            keys_file,
        } => {
            let keys = need_keys(keys_file.as_deref())?;
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .context("could not read the personnummer from standard input")?;
            let pnr = line.trim();
            identity::set_staff_personnummer(
                conn,
                &system,
                &keys,
                &username,
                (!pnr.is_empty()).then_some(pnr),
            )?;
            println!(
                "{username}: personnummer {}.",
                if pnr.is_empty() {
                    "cleared"
                } else {
                    "set (as a blind index)"
                }
            );
        }
        IdentityCommand::Passwords { unit, switch } => {
            let on = matches!(switch, OnOff::On);
            identity::set_password_login(conn, &system, &unit, on)?;
            println!(
                "Password login for the staff of {unit} is {}.",
                if on { "allowed" } else { "switched off" }
            );
        }
    }
    Ok(())
}
