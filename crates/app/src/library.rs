//! The strategy library's use cases: adding a document (a strategy's text, with its
//! municipality, title, year and kind), searching every document in Swedish, and reading
//! the targets out of a text as drafts for a strategist to review.
//!
//! Library entries are public documents about the municipality they name, shared by all:
//! any strategist or administrator of any municipality may add one.

use crate::{Actor, Conn, Error, Result};
use etablera_domain::access::Role;
use etablera_domain::{format, IndicatorId, Lang, Sex};
use etablera_library::index::{Hit, Index};
use etablera_library::kpis::{Catalogue, Suggestion};
use etablera_library::targets::{self, Comparator, Draft, Unit};
use etablera_store::{AuditEntry, LibraryMeta, NewLibraryEntry};
pub use etablera_store::{LibraryEntry, LibraryListing};
use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::{Arc, Mutex};

/// The largest document read (a strategy is tens of pages; 20 MB is far beyond).
pub const MAX_TEXT_BYTES: usize = 20 * 1024 * 1024;

/// The targets a strategy's text states, each as a draft. `file` names the text in errors;
/// `period_end` is the strategy's last year, given to targets that name none (flagged).
pub fn targets_of_text(file: &str, bytes: &[u8], period_end: Option<i32>) -> Result<Vec<Draft>> {
    if let Some(y) = period_end.filter(|y| !(1990..=2100).contains(y)) {
        return Err(Error::input(format!(
            "--period-end: {y} is not a year between 1990 and 2100"
        )));
    }
    let (_, paragraphs) = document_paragraphs(file, bytes)?;
    let text: Vec<&str> = paragraphs.iter().map(|(_, p)| p.as_str()).collect();
    Ok(targets::read(&text.join("\n\n"), period_end))
}

/// The kinds of document the library holds.
pub const KINDS: &[&str] = &["strategi", "program", "handlingsplan", "plan"];

/// A document to add.
#[derive(Debug, Clone)]
pub struct NewDocument {
    /// The municipality the document is about, by name or code.
    pub municipality: String,
    pub title: String,
    pub year: Option<i32>,
    pub kind: String,
    pub source: Option<String>,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// Whether the actor may add to the library: a strategist or an administrator of any
/// municipality, or a system administrator.
fn may_add(actor: &Actor) -> Result<()> {
    let p = actor.principal().ok_or(Error::Unauthorized)?;
    let strategist = p
        .memberships
        .iter()
        .any(|(_, r)| matches!(r, Role::Strategist | Role::Admin));
    if p.system_admin || strategist {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// Who may read the library: every logged-in user (the entries are public documents about
/// municipalities, shared by all; the public pages of published entries come later).
fn may_read(actor: &Actor) -> Result<()> {
    actor.principal().map(|_| ()).ok_or(Error::Unauthorized)
}

/// The paragraphs of a plain text with their pages: pages are separated by form feeds (as
/// `pdftotext` writes them), paragraphs by blank lines, or by line ends when the text has
/// no blank lines (one paragraph a line).
pub fn paragraphs(text: &str) -> Vec<(Option<i32>, String)> {
    let blank_lines = text.contains("\n\n") || text.contains("\r\n\r\n");
    let mut out = Vec::new();
    for (page, page_text) in text.split('\u{c}').enumerate() {
        let page = i32::try_from(page + 1).ok();
        let blocks: Vec<String> = if blank_lines {
            page_text
                .split("\n\n")
                .map(|b| b.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect()
        } else {
            page_text
                .lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect()
        };
        out.extend(
            blocks
                .into_iter()
                .filter(|b| !b.is_empty())
                .map(|b| (page, b)),
        );
    }
    out
}

/// The paragraphs of a document with their pages, and its media type: a PDF (through the
/// bounded reader of `etablera-pdf`; a scan without text, an encrypted or a broken file is
/// refused), a Word document (docx, through the bounded reader of `ingest::docx`) or plain
/// text in UTF-8. An old .doc or an HTML page is refused with what to do instead.
pub fn document_paragraphs(
    name: &str,
    bytes: &[u8],
) -> Result<(&'static str, Vec<(Option<i32>, String)>)> {
    if bytes.len() > MAX_TEXT_BYTES {
        return Err(Error::input(format!(
            "{name}: the file is {} bytes; at most {} are read",
            format::number(bytes.len() as f64, 0, Lang::Sv),
            format::number(MAX_TEXT_BYTES as f64, 0, Lang::Sv)
        )));
    }
    let lower = name.to_lowercase();
    let (media, paragraphs) = if lower.ends_with(".docx") {
        let p = etablera_ingest::docx::paragraphs(name, bytes, &etablera_ingest::docx::limits())?;
        (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            p,
        )
    } else if lower.ends_with(".pdf") || bytes.starts_with(b"%PDF-") {
        let pages = etablera_pdf::pages_isolated(bytes, &etablera_pdf::Limits::default())
            .map_err(|e| Error::input(format!("{name}: {e}")))?;
        ("application/pdf", paragraphs(&pages.join("\u{c}")))
    } else if [".doc", ".html", ".htm", ".odt", ".rtf"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        return Err(Error::input(format!(
            "{name}: PDF, Word documents (.docx) and plain text (UTF-8) are read; save the document as one of them"
        )));
    } else {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            Error::input(format!(
                "{name}: not UTF-8 text (byte {}); save the document as plain text in UTF-8",
                e.valid_up_to()
            ))
        })?;
        ("text/plain", paragraphs(text))
    };
    if paragraphs.is_empty() {
        return Err(Error::input(format!("{name}: the file has no text")));
    }
    Ok((media, paragraphs))
}

/// Adds a document to the library; its id. Nothing is stored when anything is wrong.
pub fn add(conn: &mut Conn, actor: &Actor, doc: NewDocument) -> Result<i64> {
    may_add(actor)?;
    conn.act_as(actor)?;
    let (unit_code, title, year, source) = checked_meta(
        conn,
        &doc.municipality,
        &doc.title,
        &doc.kind,
        doc.year,
        doc.source.clone(),
    )?;
    let unit = etablera_domain::UnitCode::parse(&unit_code).map_err(Error::internal)?;
    let name = &doc.file_name;
    let (media_type, paragraphs) = document_paragraphs(name, &doc.bytes)?;
    let sha = crate::sessions::sha256_hex(&doc.bytes);
    let at = crate::register::now();
    let meta = LibraryMeta {
        unit_code,
        title,
        year,
        kind: doc.kind,
        source,
        file_name: Some(name.clone()),
        media_type: Some(media_type.into()),
        content_sha256: Some(sha),
        published: false,
        added_by: actor.user_id(),
        // The municipality the adder adds for: the first where they may add (a viewer's
        // membership elsewhere gives no rights to the entry).
        added_for: actor.principal().and_then(|p| {
            p.memberships
                .iter()
                .find(|(_, r)| matches!(r, Role::Strategist | Role::Admin))
                .map(|(u, _)| u.as_str().to_string())
        }),
        added_at: at.clone(),
    };
    let entry = NewLibraryEntry {
        meta,
        original: Some(doc.bytes),
    };
    let audit = AuditEntry::new(&at, actor.user_id(), "library.add", "library", Some(&unit));
    conn.store()
        .add_library_entry(&entry, &paragraphs, &audit)
        .map_err(|e| match e {
            etablera_store::StoreError::Conflict(m) => Error::input(format!("{name}: {m}")),
            e => e.into(),
        })
}

/// What an entry says it is, to change: the municipality it is about (name or code),
/// title, year, kind and source.
#[derive(Debug, Clone)]
pub struct EntryChange {
    pub municipality: String,
    pub title: String,
    pub year: Option<i32>,
    pub kind: String,
    pub source: Option<String>,
    /// Shown to the public.
    pub published: bool,
}

/// Who may change or remove an entry: a strategist or administrator of the municipality
/// that added it, an administrator of the municipality it is about, or a system
/// administrator. Everyone else who reads the library is refused (the entry is public:
/// refused, not hidden).
fn may_change(actor: &Actor, entry: &LibraryEntry) -> Result<()> {
    let p = actor.principal().ok_or(Error::Unauthorized)?;
    let adder = p.memberships.iter().any(|(u, r)| {
        Some(u.as_str()) == entry.meta.added_for.as_deref()
            && matches!(r, Role::Strategist | Role::Admin)
    });
    let admin_of_subject = p
        .memberships
        .iter()
        .any(|(u, r)| u.as_str() == entry.meta.unit_code && matches!(r, Role::Admin));
    if p.system_admin || adder || admin_of_subject {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// Whether the actor may change or remove the entry (for a page to offer it).
pub fn may_change_entry(actor: &Actor, entry: &LibraryEntry) -> bool {
    may_change(actor, entry).is_ok()
}

/// Whether the actor may add documents (for a page to offer it).
pub fn may_add_documents(actor: &Actor) -> bool {
    may_add(actor).is_ok()
}

fn entry(conn: &mut Conn, id: i64) -> Result<LibraryEntry> {
    conn.store()
        .library_entries()?
        .into_iter()
        .find(|e| e.id == id)
        .ok_or(Error::NotFound)
}

/// One entry: every logged-in user reads it; the public reads a published one (and is
/// asked to log in for the others).
pub fn get(conn: &mut Conn, actor: &Actor, id: i64) -> Result<LibraryEntry> {
    let e = entry(conn, id)?;
    if actor.principal().is_none() && !e.meta.published {
        return Err(Error::Unauthorized);
    }
    Ok(e)
}

/// The checked metadata of an entry: (municipality code, title, kind, year, source).
fn checked_meta(
    conn: &mut Conn,
    municipality: &str,
    title: &str,
    kind: &str,
    year: Option<i32>,
    source: Option<String>,
) -> Result<(String, String, Option<i32>, Option<String>)> {
    let unit = crate::operator::municipality(conn, municipality)?;
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 300 {
        return Err(Error::input(
            "--title: give the document's title (at most 300 characters)",
        ));
    }
    if !KINDS.contains(&kind) {
        return Err(Error::input(format!(
            "--kind: `{kind}` is not one of {}",
            KINDS.join(", ")
        )));
    }
    if let Some(y) = year.filter(|y| !(1990..=2100).contains(y)) {
        return Err(Error::input(format!(
            "--year: {y} is not a year between 1990 and 2100"
        )));
    }
    let source = source
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    if source.as_ref().is_some_and(|s| s.chars().count() > 2000) {
        return Err(Error::input("--source: at most 2 000 characters"));
    }
    Ok((unit.as_str().to_string(), title.to_string(), year, source))
}

/// Changes what an entry says it is; refused with nothing changed when the actor may not
/// (see [`may_change`]) or a field is wrong.
pub fn change(conn: &mut Conn, actor: &Actor, id: i64, c: EntryChange) -> Result<()> {
    may_read(actor)?;
    conn.act_as(actor)?;
    let old = entry(conn, id)?;
    may_change(actor, &old)?;
    let (unit_code, title, year, source) =
        checked_meta(conn, &c.municipality, &c.title, &c.kind, c.year, c.source)?;
    let meta = LibraryMeta {
        unit_code,
        title,
        year,
        kind: c.kind,
        source,
        published: c.published,
        ..old.meta.clone()
    };
    let at = crate::register::now();
    let unit = etablera_domain::UnitCode::parse(&meta.unit_code).ok();
    let described = |m: &LibraryMeta| {
        serde_json::json!({
            "municipality": m.unit_code, "title": m.title, "year": m.year,
            "kind": m.kind, "source": m.source, "published": m.published,
        })
        .to_string()
    };
    let audit = AuditEntry::new(
        &at,
        actor.user_id(),
        "library.change",
        &format!("library:{id}"),
        unit.as_ref(),
    )
    .change(Some(described(&old.meta)), Some(described(&meta)));
    if conn.store().change_library_entry(id, &meta, &audit)? {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

/// Shows an entry to the public, or stops showing it (see [`may_change`]).
pub fn publish(conn: &mut Conn, actor: &Actor, id: i64, published: bool) -> Result<()> {
    conn.act_as(actor)?;
    let old = entry(conn, id)?;
    may_change(actor, &old)?;
    let meta = LibraryMeta {
        published,
        ..old.meta.clone()
    };
    let unit = etablera_domain::UnitCode::parse(&meta.unit_code).ok();
    let audit = AuditEntry::new(
        &crate::register::now(),
        actor.user_id(),
        if published {
            "library.publish"
        } else {
            "library.unpublish"
        },
        &format!("library:{id}"),
        unit.as_ref(),
    );
    if conn.store().change_library_entry(id, &meta, &audit)? {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

/// Removes an entry with its text and original file (see [`may_change`]).
pub fn remove(conn: &mut Conn, actor: &Actor, id: i64) -> Result<()> {
    may_read(actor)?;
    conn.act_as(actor)?;
    let old = entry(conn, id)?;
    may_change(actor, &old)?;
    let at = crate::register::now();
    let unit = etablera_domain::UnitCode::parse(&old.meta.unit_code).ok();
    let audit = AuditEntry::new(
        &at,
        actor.user_id(),
        "library.remove",
        &format!("library:{id}"),
        unit.as_ref(),
    );
    if conn.store().remove_library_entry(id, &audit)? {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

/// Every entry of the library a reader sees: all for a logged-in user, the published ones
/// for the public.
pub fn entries(conn: &mut Conn, actor: &Actor) -> Result<Vec<LibraryEntry>> {
    let all = conn.store().library_entries()?;
    Ok(if actor.principal().is_some() {
        all
    } else {
        all.into_iter().filter(|e| e.meta.published).collect()
    })
}

/// The document whose list of other strategies ships with Etablera.
pub const OSTERSUND_2020: &str = "Östersund, Integrationsstrategi 2020";

/// The documents Östersund's strategy lists (its opening list of other municipalities'
/// strategies), with the municipality and year where the title states them:
/// `data/library/listed-in-ostersund-2020.csv` (line;title;municipality;year;kind).
const LISTED_IN_OSTERSUND: &str =
    include_str!("../../../data/library/listed-in-ostersund-2020.csv");

/// The listings that ship with Etablera, as `init` stores them.
pub fn shipped_listings() -> Result<Vec<LibraryListing>> {
    let mut out = Vec::new();
    for (n, row) in LISTED_IN_OSTERSUND.lines().enumerate().skip(1) {
        let bad = |what: &str| {
            Error::internal(format!(
                "data/library/listed-in-ostersund-2020.csv, row {}: {what}",
                n + 1
            ))
        };
        let f: Vec<&str> = row.split(';').collect();
        let [line, title, unit, year, kind] = f[..] else {
            return Err(bad("not five fields"));
        };
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        out.push(LibraryListing {
            listed_in: OSTERSUND_2020.into(),
            line: line.parse().map_err(|_| bad("line"))?,
            title: title.into(),
            unit_code: some(unit),
            year: match year {
                "" => None,
                y => Some(y.parse().map_err(|_| bad("year"))?),
            },
            kind: kind.into(),
        });
    }
    Ok(out)
}

/// Every listing: the documents other library documents list, whose text is missing.
pub fn listings(conn: &mut Conn, _actor: &Actor) -> Result<Vec<LibraryListing>> {
    // Titles from a published strategy's own list: public.
    Ok(conn.store().library_listings()?)
}

/// A paragraph found, with the entry it belongs to.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Found {
    pub entry: LibraryEntry,
    pub hit: Hit,
}

/// The process's search indexes, one per database address, each with the library version
/// it was built for. They are derived data: rebuilt from the database when it changes.
fn indexes() -> &'static Mutex<HashMap<String, ((i64, i64), Arc<Index>)>> {
    static I: std::sync::OnceLock<Mutex<HashMap<String, ((i64, i64), Arc<Index>)>>> =
        std::sync::OnceLock::new();
    I.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The index of the library as it is now.
fn current_index(conn: &mut Conn) -> Result<Arc<Index>> {
    let version = conn.store().library_version()?;
    let key = conn.address().map(str::to_string);
    if let Some(k) = &key {
        let map = indexes()
            .lock()
            .map_err(|_| Error::internal("the index lock"))?;
        if let Some((v, idx)) = map.get(k) {
            if *v == version {
                return Ok(idx.clone());
            }
        }
    }
    let idx = Arc::new(Index::build(
        conn.store()
            .library_paragraphs(None)?
            .into_iter()
            .map(|p| (p.entry_id, p.n, p.page, p.body)),
    ));
    if let Some(k) = key {
        let mut map = indexes()
            .lock()
            .map_err(|_| Error::internal("the index lock"))?;
        map.insert(k, (version, idx.clone()));
    }
    Ok(idx)
}

/// The documents that best answer a query (Swedish stems, compounds), best first, each
/// with its best paragraph.
pub fn search(conn: &mut Conn, actor: &Actor, query: &str, limit: usize) -> Result<Vec<Found>> {
    search_filtered(conn, actor, query, &Filter::default(), limit)
}

/// What a search is limited to: the municipality an entry is about (name or code), its
/// county (a county code such as `23`, or a region's or county's name), a range of years,
/// a kind. Empty fields limit nothing.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub municipality: Option<String>,
    pub county: Option<String>,
    pub from_year: Option<i32>,
    pub to_year: Option<i32>,
    pub kind: Option<String>,
    /// Only documents out of whose text at least one target is read.
    pub has_targets: bool,
    /// Only documents with a target read out of them that this indicator (Kolada's KPI id)
    /// is among the three best measures of.
    pub indicator: Option<String>,
}

/// [`search`] limited by a [`Filter`]; an unknown municipality, county or kind is refused
/// with the field named.
pub fn search_filtered(
    conn: &mut Conn,
    actor: &Actor,
    query: &str,
    filter: &Filter,
    limit: usize,
) -> Result<Vec<Found>> {
    let nonempty = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let unit = match nonempty(&filter.municipality) {
        Some(m) => Some(
            crate::operator::municipality(conn, &m)?
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    let county = match nonempty(&filter.county) {
        Some(c) => {
            let units = etablera_domain::Units::sweden();
            let code = if c.len() == 2 && c.bytes().all(|b| b.is_ascii_digit()) {
                Some(c.clone())
            } else {
                units
                    .all()
                    .iter()
                    .find(|u| {
                        u.kind == etablera_domain::UnitKind::Region
                            && u.name.to_lowercase().contains(&c.to_lowercase())
                    })
                    .and_then(|u| u.code.county().map(str::to_string))
            };
            match code {
                Some(code) if !units.county_members(&code).is_empty() => Some(code),
                _ => return Err(Error::input(format!("--county: no county `{c}`"))),
            }
        }
        None => None,
    };
    let kind = nonempty(&filter.kind);
    if let Some(k) = kind.as_deref().filter(|k| !KINDS.contains(k)) {
        return Err(Error::input(format!(
            "--kind: `{k}` is not one of {}",
            KINDS.join(", ")
        )));
    }
    let indicator = match nonempty(&filter.indicator) {
        Some(i) => Some(
            IndicatorId::parse(&i)
                .map_err(|_| Error::input(format!("--indicator: `{i}` is not an indicator id")))?
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    let entries: HashMap<i64, LibraryEntry> = entries(conn, actor)?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    // What each entry's targets may be measured by, read only when a filter asks.
    let measured: HashMap<i64, Arc<EntryDrafts>> = if filter.has_targets || indicator.is_some() {
        entries
            .values()
            .map(|e| Ok((e.id, cached_drafts(conn, e)?)))
            .collect::<Result<_>>()?
    } else {
        HashMap::new()
    };
    let keep = |id: i64| {
        let Some(e) = entries.get(&id) else {
            return false;
        };
        let m = &e.meta;
        unit.as_deref().is_none_or(|u| m.unit_code == u)
            && county
                .as_deref()
                .is_none_or(|c| m.unit_code.get(..2) == Some(c))
            && filter
                .from_year
                .is_none_or(|y| m.year.is_some_and(|my| my >= y))
            && filter
                .to_year
                .is_none_or(|y| m.year.is_some_and(|my| my <= y))
            && kind.as_deref().is_none_or(|k| m.kind == k)
            && (!filter.has_targets || measured.get(&id).is_some_and(|d| !d.1.is_empty()))
            && indicator.as_deref().is_none_or(|i| {
                measured
                    .get(&id)
                    .is_some_and(|d| d.1.iter().any(|(_, t)| t.kpis.iter().any(|k| k.id == i)))
            })
    };
    // Without a filter, a logged-in reader searches every entry: no lookup per paragraph.
    let unfiltered = actor.principal().is_some()
        && unit.is_none()
        && county.is_none()
        && filter.from_year.is_none()
        && filter.to_year.is_none()
        && kind.is_none()
        && !filter.has_targets
        && indicator.is_none();
    search_kept(
        conn,
        query,
        limit,
        (!unfiltered).then_some(&keep as &dyn Fn(i64) -> bool),
        &entries,
    )
}

fn search_kept(
    conn: &mut Conn,
    query: &str,
    limit: usize,
    keep: Option<&dyn Fn(i64) -> bool>,
    entries: &HashMap<i64, LibraryEntry>,
) -> Result<Vec<Found>> {
    if query.chars().count() > 500 {
        return Err(Error::input("the query is longer than 500 characters"));
    }
    let idx = current_index(conn)?;
    let limit = limit.clamp(1, 100);
    // Documents, each by its best paragraph: a long document with many matching
    // paragraphs does not crowd out the others.
    let hits = match keep {
        Some(keep) => idx.search_in(query, limit * 50, keep),
        None => idx.search(query, limit * 50),
    };
    let mut seen = std::collections::HashSet::new();
    Ok(hits
        .into_iter()
        .filter(|h| seen.insert(h.entry_id))
        .take(limit)
        .filter_map(|h| {
            let entry = entries.get(&h.entry_id)?.clone();
            Some(Found { entry, hit: h })
        })
        .collect())
}

/// The targets read out of a stored document, with the page each stands on.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EntryTargets {
    pub entry: LibraryEntry,
    /// The year targets without one get: `--period-end`, else the latest year in the
    /// title ("Integrationsstrategi 2020"), else the entry's year.
    pub period_end: Option<i32>,
    pub targets: Vec<(Option<i32>, WithKpis)>,
}

/// The targets of every document of a municipality in the library, each with its page and
/// the Kolada KPIs that may measure it. Nothing is stored: they are drafts.
pub fn targets_of_municipality(
    conn: &mut Conn,
    actor: &Actor,
    municipality: &str,
    period_end: Option<i32>,
) -> Result<Vec<EntryTargets>> {
    let unit = crate::operator::municipality(conn, municipality)?;
    let mut out = Vec::new();
    for entry in entries(conn, actor)? {
        if entry.meta.unit_code != unit.as_str() || entry.paragraphs == 0 {
            continue;
        }
        let (end, targets) = entry_drafts(conn, &entry, period_end)?;
        out.push(EntryTargets {
            entry,
            period_end: end,
            targets,
        });
    }
    Ok(out)
}

/// The drafts read out of a library entry's text, each with its page and the KPIs that may
/// measure it; and the period end given to targets that name no year (`period_end`, else
/// the last year in the entry's title, else its year).
pub(crate) fn entry_drafts(
    conn: &mut Conn,
    entry: &LibraryEntry,
    period_end: Option<i32>,
) -> Result<(Option<i32>, Vec<(Option<i32>, WithKpis)>)> {
    let paragraphs = conn.store().library_paragraphs(Some(entry.id))?;
    // The text as one, and where each paragraph starts in it.
    let mut text = String::new();
    let mut starts = Vec::new();
    for p in &paragraphs {
        starts.push((text.len(), p.page));
        text.push_str(&p.body);
        text.push_str("\n\n");
    }
    let end = period_end.or_else(|| {
        entry
            .meta
            .title
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|w| w.parse::<i32>().ok())
            .filter(|y| (1990..=2100).contains(y))
            .max()
            .or(entry.meta.year)
    });
    let drafts = with_kpis(targets::read(&text, end))?;
    let targets = drafts
        .into_iter()
        .map(|d| {
            let page = starts
                .iter()
                .take_while(|(at, _)| *at <= d.draft.start)
                .last()
                .and_then(|(_, page)| *page);
            (page, d)
        })
        .collect();
    Ok((end, targets))
}

/// An entry's drafts as [`entry_drafts`] reads them with no period end given.
pub(crate) type EntryDrafts = (Option<i32>, Vec<(Option<i32>, WithKpis)>);

/// The process's drafts of each entry, by database address and library version, as the
/// search index is kept: derived data, read again when the library changes.
type DraftCache = HashMap<(String, (i64, i64), i64), Arc<EntryDrafts>>;

fn draft_cache() -> &'static Mutex<DraftCache> {
    static C: OnceLock<Mutex<DraftCache>> = OnceLock::new();
    C.get_or_init(|| Mutex::new(HashMap::new()))
}

/// [`entry_drafts`] of an entry, with no period end given, kept while the library is
/// unchanged (the filters and the comparison read every entry's drafts).
pub(crate) fn cached_drafts(conn: &mut Conn, entry: &LibraryEntry) -> Result<Arc<EntryDrafts>> {
    let version = conn.store().library_version()?;
    let key = conn.address().map(|a| (a.to_string(), version, entry.id));
    if let Some(k) = &key {
        let map = draft_cache()
            .lock()
            .map_err(|_| Error::internal("the drafts lock"))?;
        if let Some(d) = map.get(k) {
            return Ok(d.clone());
        }
    }
    let drafts = Arc::new(entry_drafts(conn, entry, None)?);
    if let Some(k) = key {
        let mut map = draft_cache()
            .lock()
            .map_err(|_| Error::internal("the drafts lock"))?;
        // Only the current version's drafts are kept.
        map.retain(|(a, v, _), _| !(a == &k.0 && *v != version));
        map.insert(k, drafts.clone());
    }
    Ok(drafts)
}

/// A draft with the Kolada KPIs that may measure it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WithKpis {
    #[serde(flatten)]
    pub draft: Draft,
    /// The three KPIs of Kolada's catalogue whose titles best match the sentence.
    pub kpis: Vec<Suggestion>,
}

/// Kolada's KPI catalogue as shipped, ready to suggest from.
fn catalogue() -> Result<&'static Catalogue> {
    static C: OnceLock<Catalogue> = OnceLock::new();
    if let Some(c) = C.get() {
        return Ok(c);
    }
    let parsed =
        etablera_ingest::kolada::parse_kpis("data/kolada/kpi.json", crate::KOLADA_KPI_JSON)
            .map_err(|e| Error::internal(format!("the shipped KPI catalogue: {e}")))?;
    // KPIs kept only for regions ("municipality_type": "L") do not measure a
    // municipality's target.
    let regional: std::collections::HashSet<String> =
        serde_json::from_slice::<serde_json::Value>(crate::KOLADA_KPI_JSON)
            .ok()
            .and_then(|v| {
                v["values"].as_array().map(|a| {
                    a.iter()
                        .filter(|k| k["municipality_type"] == "L")
                        .filter_map(|k| k["id"].as_str().map(str::to_string))
                        .collect()
                })
            })
            .unwrap_or_default();
    let c = Catalogue::new(
        parsed
            .indicators
            .into_iter()
            .filter(|i| !regional.contains(i.id.as_str()))
            .map(|i| (i.id.as_str().to_string(), i.title)),
    );
    Ok(C.get_or_init(|| c))
}

/// Each draft with the three Kolada KPIs that best match its sentence.
pub fn with_kpis(drafts: Vec<Draft>) -> Result<Vec<WithKpis>> {
    let c = catalogue()?;
    Ok(drafts
        .into_iter()
        .map(|d| {
            let kpis = c.suggest(&d.sentence, d.unit, 3);
            WithKpis { draft: d, kpis }
        })
        .collect())
}

/// A draft in words, in the language: "minst 10 % år 2020", "öka (år 2020, periodens slut
/// – kontrollera)".
pub fn describe(d: &Draft, lang: Lang) -> String {
    let value = d.value.map(|v| {
        let n = format::number(v, if v.fract() == 0.0 { 0 } else { 1 }, lang);
        match d.unit {
            Some(Unit::Percent) => format!("{n}\u{a0}%"),
            Some(Unit::PercentagePoints) => {
                format!("{n} {}", lang.pick("procentenheter", "percentage points"))
            }
            Some(Unit::Kronor) => format!("{n} {}", lang.pick("kronor", "kronor")),
            Some(Unit::Count) | None => n,
        }
    });
    let how = match (d.comparator, d.bound) {
        (Comparator::AtLeast, _) => lang.pick("minst", "at least"),
        (Comparator::AtMost, _) => lang.pick("högst", "at most"),
        (Comparator::Increase, _) => lang.pick("öka", "increase"),
        (Comparator::Decrease, _) => lang.pick("minska", "decrease"),
        (Comparator::Halve, _) => lang.pick("halveras", "be halved"),
        (Comparator::Double, _) => lang.pick("fördubblas", "be doubled"),
        (Comparator::SameLevelAs, Some(Comparator::AtMost)) => lang.pick(
            "högst på samma nivå som jämförelsen",
            "at most the reference's level",
        ),
        (Comparator::SameLevelAs, Some(_)) => lang.pick(
            "minst på samma nivå som jämförelsen",
            "at least the reference's level",
        ),
        (Comparator::SameLevelAs, None) => {
            lang.pick("på samma nivå som jämförelsen", "the reference's level")
        }
        (Comparator::NationalAverage, Some(Comparator::AtMost)) => {
            lang.pick("högst riksgenomsnittet", "at most the national average")
        }
        (Comparator::NationalAverage, Some(_)) => {
            lang.pick("minst riksgenomsnittet", "at least the national average")
        }
        (Comparator::NationalAverage, None) => lang.pick(
            "motsvara riksgenomsnittet (inom ±1, ändra vid granskning)",
            "equal to the national average (within ±1; change on review)",
        ),
        (Comparator::All, _) => lang.pick("alla", "all"),
        (Comparator::None, _) => lang.pick("ingen", "none"),
    };
    let mut out = match (&value, d.comparator) {
        (Some(v), Comparator::Increase | Comparator::Decrease) => {
            format!("{how} {} {v}", lang.pick("med", "by"))
        }
        (Some(v), Comparator::AtLeast | Comparator::AtMost) => format!("{how} {v}"),
        _ => how.to_string(),
    };
    if d.per_year {
        out.push_str(lang.pick(" per år", " per year"));
    }
    match d.sex {
        Some(Sex::Women) => out.push_str(lang.pick(", kvinnor", ", women")),
        Some(Sex::Men) => out.push_str(lang.pick(", män", ", men")),
        _ => {}
    }
    // A yearly flow holds each year up to its year; a level is reached in its year.
    let by = if d.per_year {
        lang.pick(", till", ", until")
    } else {
        lang.pick(" år", " by")
    };
    match (d.year, d.year_in_text) {
        (Some(y), true) => out.push_str(&format!("{by} {y}")),
        (Some(y), false) => out.push_str(&format!(
            "{by} {y} ({})",
            lang.pick(
                "periodens slut – inget år i texten, kontrollera",
                "the period's end – no year in the text, check"
            )
        )),
        (None, _) => out.push_str(lang.pick(" (inget år)", " (no year)")),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_texts_are_refused_with_their_place() {
        let e = targets_of_text("s.txt", &[0xff, 0xfe, b'a'], None).unwrap_err();
        assert!(
            e.to_string().starts_with("s.txt: not UTF-8 text (byte 0)"),
            "{e}"
        );
        let big = vec![b'a'; MAX_TEXT_BYTES + 1];
        let e = targets_of_text("big.txt", &big, None).unwrap_err();
        assert!(
            e.to_string().contains("at most 20\u{a0}971\u{a0}520"),
            "{e}"
        );
        let e = targets_of_text("s.txt", b"Text.", Some(20)).unwrap_err();
        assert!(e.to_string().contains("--period-end"), "{e}");
    }

    #[test]
    fn drafts_read_in_swedish() {
        let d = targets_of_text(
            "s.txt",
            "Minst 47,5 % av kvinnorna ska arbeta år 2020. Andelen ska öka.".as_bytes(),
            Some(2022),
        )
        .unwrap();
        assert_eq!(
            describe(&d[0], Lang::Sv),
            "minst 47,5\u{a0}%, kvinnor år 2020"
        );
        assert_eq!(
            describe(&d[1], Lang::Sv),
            "öka år 2022 (periodens slut – inget år i texten, kontrollera)"
        );
    }
}
