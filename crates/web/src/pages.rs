//! Server-rendered pages. They work without JavaScript, use semantic HTML with labelled
//! forms, carry status as text and icon as well as colour, and come in Swedish (default)
//! and English.

use crate::auth::{
    self, Ctx, Password, PasswordLogin, LANG_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE,
};
use crate::error::AppError;
use crate::i18n::tr;
use crate::ui::{Checked, Notice};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use etablera_app::catalogue;
use etablera_app::strategies;
use etablera_app::FollowUpRun;
use etablera_domain::access::{allowed, Action};
use etablera_domain::format::value as fmt_value;
use etablera_domain::{Lang, MeasureUnit, Sex, Target};
use etablera_followup::{Status, TargetResult};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;
use std::sync::Arc;

const CSS: &str = include_str!("../static/app.css");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/lang/{lang}", get(set_lang))
        .route("/s/{id}", get(overview))
        .route("/s/{id}/t/{target}", get(target_page))
        .route("/tillganglighet", get(accessibility).post(report_problem))
        .route("/admin/tillganglighet", get(accessibility_reports))
        .route("/indikatorer", get(catalogue))
        .route("/indikatorer/{id}", get(indicator_page))
        .route("/static/app.css", get(css))
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

pub(crate) use crate::ui::fail;
use crate::ui::layout;
pub use crate::ui::{error_page, error_page_for, safe_next, urlencode, when};

#[derive(Debug, Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn set_lang(
    State(state): State<AppState>,
    Path(lang): Path<String>,
    Query(q): Query<NextQuery>,
) -> Response {
    let lang: Lang = lang.parse().unwrap_or_default();
    let mut resp = Redirect::to(&safe_next(q.next.as_deref())).into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(
            LANG_COOKIE,
            lang.code(),
            Some(365 * 86_400),
            state.config.secure_cookies,
            false,
        ),
    );
    resp
}

/// Strategies the visitor may see: published ones, and those of their municipalities.
async fn home(State(state): State<AppState>, Extension(ctx): Extension<Ctx>) -> Response {
    let a = ctx.actor();
    let list = state
        .db
        .app(move |c| Ok(catalogue::strategies_with_owner(c, &a)?))
        .await;
    let list = match list {
        Ok(l) => l,
        Err(e) => return fail(&ctx, e),
    };
    let lang = ctx.lang;
    let body = html! {
        h1 { (tr(lang, "integration-strategies")) }
        @if list.is_empty() {
            p { (tr(lang, "there-no-strategies-show"))
                @if ctx.user.is_none() { " " a href="/login" { (tr(lang, "log")) } (tr(lang, "see-your-municipality-s")) } }
        } @else {
            ul.cards {
                @for (s, name) in &list {
                    li {
                        a href={ "/s/" (s.id) } { (s.title) }
                        " – " (name)
                        @if s.published { " " span.badge { (tr(lang, "published")) } }
                    }
                }
            }
        }
    };
    Html(layout(&ctx, tr(lang, "home"), "/", body).into_string()).into_response()
}

async fn login_form(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<NextQuery>,
) -> Response {
    login_page(&state, &ctx, q.next.as_deref(), None, StatusCode::OK)
}

fn login_page(
    state: &AppState,
    ctx: &Ctx,
    next: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let lang = ctx.lang;
    let token = state.forms.issue(etablera_app::now_secs());
    let next = safe_next(next);
    let body = html! {
        h1 { (tr(lang, "log")) }
        @if let Some(e) = &error {
            div.error role="alert" id="login-error" { (e) }
        }
        (crate::eid::buttons(state, ctx, &next))
        form method="post" action="/login" {
            input type="hidden" name="csrf" value=(token);
            input type="hidden" name="next" value=(next);
            p {
                label for="username" { (tr(lang, "username")) }
                input id="username" name="username" type="text" autocomplete="username" required
                    aria-describedby=[error.as_ref().map(|_| "login-error")];
            }
            p {
                label for="password" { (tr(lang, "password")) }
                input id="password" name="password" type="password" autocomplete="current-password" required;
            }
            p { button type="submit" { (tr(lang, "log")) } }
        }
    };
    let resp = (
        status,
        Html(layout(ctx, tr(lang, "log"), "/login", body).into_string()),
    )
        .into_response();
    auth::with_form_token(state, resp, &token)
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    peer: Option<Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let lang = ctx.lang;
    if !auth::anonymous_form_is_fresh(&state, &headers, &f.csrf) {
        let msg = tr(lang, "form-has-expired-please-try").to_string();
        return login_page(
            &state,
            &ctx,
            f.next.as_deref(),
            Some(msg),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let attempt = PasswordLogin {
        username: f.username.clone(),
        password: Password::new(f.password),
        lang,
        address: auth::client_address(&state.config, peer.map(|c| c.0 .0.ip()), &headers),
        failures_per_address: state.config.login_failures_per_address,
    };
    let old_session = auth::cookie(&headers, SESSION_COOKIE);
    // At most a few password checks at once: a flood waits briefly, then gets 503, instead
    // of taking 19 MiB per request.
    let permit = match tokio::time::timeout(
        std::time::Duration::from_secs(3),
        state.hashing.clone().acquire_owned(),
    )
    .await
    {
        Ok(Ok(p)) => p,
        _ => {
            let mut resp = login_page(
                &state,
                &ctx,
                f.next.as_deref(),
                Some(tr(lang, "service-very-busy-just-now").into()),
                StatusCode::SERVICE_UNAVAILABLE,
            );
            resp.headers_mut().insert(
                header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("5"),
            );
            return resp;
        }
    };
    let result = state
        .db
        .app(move |conn| {
            let r = etablera_app::sessions::login(conn, &attempt, old_session.as_deref());
            drop(permit);
            Ok(r?.1)
        })
        .await;
    match result {
        Ok(sid) => {
            let mut resp = Redirect::to(&safe_next(f.next.as_deref())).into_response();
            let secure = state.config.secure_cookies;
            resp.headers_mut().append(
                header::SET_COOKIE,
                auth::set_cookie(SESSION_COOKIE, &sid, None, secure, true),
            );
            resp.headers_mut().append(
                header::SET_COOKIE,
                auth::set_cookie(LOGIN_CSRF_COOKIE, "", Some(0), secure, true),
            );
            resp
        }
        Err(e @ (AppError::BadRequest(_) | AppError::TooManyRequests(..))) => {
            let status = e.status();
            let mut resp = login_page(
                &state,
                &ctx,
                f.next.as_deref(),
                Some(e.message(lang)),
                status,
            );
            if let Some(secs) = e.retry_after() {
                resp.headers_mut().insert(header::RETRY_AFTER, secs.into());
            }
            resp
        }
        Err(e) => fail(&ctx, e),
    }
}

async fn logout(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Checked(_): Checked<crate::ui::CsrfOnly>,
) -> Response {
    if let (Some(s), Some(u)) = (ctx.session.clone(), ctx.user.clone()) {
        let r = state
            .db
            .app(move |conn| Ok(etablera_app::sessions::logout(conn, &s, &u)?))
            .await;
        if let Err(e) = r {
            return fail(&ctx, e);
        }
    }
    let mut resp = Redirect::to("/").into_response();
    auth::clear_session_cookie(&mut resp, state.config.secure_cookies);
    resp
}

#[derive(Debug, Deserialize, Default)]
pub struct OverviewQuery {
    year: Option<i32>,
    area: Option<String>,
    status: Option<String>,
    sex: Option<String>,
}

/// Loads a strategy's follow-up for a year after checking that the visitor may see it.
/// Without a year, the latest year with data. Also returns the previous year's run.
pub(crate) async fn load_run(
    state: &AppState,
    ctx: &Ctx,
    id: String,
    year: Option<i32>,
    sex: Option<Sex>,
    action: Action,
    group: Option<String>,
) -> Result<(Arc<FollowUpRun>, Option<Arc<FollowUpRun>>, bool), AppError> {
    if let Some(y) = year.filter(|y| !(1990..=2100).contains(y)) {
        return Err(AppError::BadRequest(format!(
            "the year {y} is out of range"
        )));
    }
    let actor = ctx.actor();
    let cache = state.runs.clone();
    state
        .db
        .app(move |conn| {
            // Unpublished strategies of other municipalities do not exist for the visitor,
            // logged in or not: an anonymous 401 would tell them apart from missing ones.
            let allowed = match strategies::check(conn, &actor, &id, action) {
                Err(etablera_app::Error::Unauthorized) => return Err(AppError::NotFound),
                other => other?,
            };
            // Follow-ups are computed once per version of the data and the strategy.
            let version = strategies::data_version(conn, &allowed)?;
            let key = format!("{id}|{}", group.as_deref().unwrap_or(""));
            let mut compute = |y: i32| -> Result<Arc<FollowUpRun>, AppError> {
                // A run of another version (an import or an edit, through this process or
                // another on the same database) is never answered: it is computed anew.
                if let Some((run, true)) = cache.get(&key, y, sex, &version) {
                    return Ok(run);
                }
                // One computation of this run at a time; requests for it that arrive
                // together wait for the first and take its result.
                let one = cache.key_lock(&key, y, sex);
                // A computation that panicked leaves no state to distrust: the lock guards
                // nothing but the turn.
                let _one = one.lock().unwrap_or_else(|e| e.into_inner());
                if let Some((run, true)) = cache.get(&key, y, sex, &version) {
                    return Ok(run);
                }
                let mut run =
                    strategies::follow_up(conn, &allowed, y, group.as_deref(), None, sex)?;
                run.followup.year = y;
                let run = Arc::new(run);
                cache.put(&key, y, sex, &version, run.clone());
                Ok(run)
            };
            let y = match year {
                Some(y) => y,
                None => strategies::latest_year(&*compute(2100)?),
            };
            let run = compute(y)?;
            let prev = compute(y - 1).ok();
            Ok((run, prev, allowed.summary.published))
        })
        .await
}

/// Follow-up runs by strategy, year and sex, valid for one version of the data.
#[derive(Debug, Default)]
pub struct RunCache {
    runs: std::sync::Mutex<
        std::collections::HashMap<(String, i32, Option<Sex>), (String, Arc<FollowUpRun>)>,
    >,
    /// One computation at a time per run (strategy, year, sex): readers of other
    /// strategies do not wait for it.
    computing: std::sync::Mutex<KeyLocks>,
    /// Public pages as rendered for visitors who are not logged in, kept for a second
    /// (a micro-cache: a published follow-up may be read by many at once).
    public_pages: std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, String)>>,
}

type KeyLocks = std::collections::HashMap<(String, i32, Option<Sex>), Arc<std::sync::Mutex<()>>>;

impl RunCache {
    const MAX: usize = 500;

    /// The lock of one run's computation.
    fn key_lock(&self, id: &str, year: i32, sex: Option<Sex>) -> Arc<std::sync::Mutex<()>> {
        let Ok(mut m) = self.computing.lock() else {
            return Arc::default();
        };
        if m.len() >= Self::MAX {
            // Locks nobody holds or waits for.
            m.retain(|_, l| Arc::strong_count(l) > 1);
        }
        m.entry((id.to_string(), year, sex)).or_default().clone()
    }

    /// Forgets every run; called after each change to a strategy made here, since two
    /// changes within a second share an `updated_at`.
    pub fn clear(&self) {
        if let Ok(mut m) = self.runs.lock() {
            m.clear();
        }
        if let Ok(mut m) = self.public_pages.lock() {
            m.clear();
        }
    }

    const PUBLIC_TTL: std::time::Duration = std::time::Duration::from_secs(1);

    pub(crate) fn public_page(&self, key: &str) -> Option<String> {
        let m = self.public_pages.lock().ok()?;
        m.get(key)
            .filter(|(at, _)| at.elapsed() < Self::PUBLIC_TTL)
            .map(|(_, html)| html.clone())
    }

    pub(crate) fn keep_public_page(&self, key: String, html: &str) {
        if let Ok(mut m) = self.public_pages.lock() {
            if m.len() >= Self::MAX {
                m.retain(|_, (at, _)| at.elapsed() < Self::PUBLIC_TTL);
            }
            if m.len() < Self::MAX {
                m.insert(key, (std::time::Instant::now(), html.to_string()));
            }
        }
    }

    /// Computes every cached run anew for the data as it is now. Called by the web's imports
    /// after storing, so the one who imported sees the new figures at once and readers
    /// after them find fresh runs (the cost falls on the write, not on the reads).
    ///
    /// The server recomputes as itself (the system actor): a cached run is only ever
    /// answered to a reader after [`load_run`] has checked them.
    pub(crate) fn refresh_all(&self, conn: &mut etablera_app::Conn) -> Result<(), AppError> {
        let keys: Vec<(String, i32, Option<Sex>)> = match self.runs.lock() {
            Ok(m) => m.keys().cloned().collect(),
            Err(_) => return Ok(()),
        };
        let system = etablera_app::Actor::system();
        for (key, y, sex) in keys {
            let (id, group) = key.split_once('|').unwrap_or((key.as_str(), ""));
            let Ok(allowed) = strategies::check(conn, &system, id, Action::Read) else {
                continue;
            };
            let version = strategies::data_version(conn, &allowed)?;
            let group = (!group.is_empty()).then_some(group);
            if let Ok(mut run) = strategies::follow_up(conn, &allowed, y, group, None, sex) {
                run.followup.year = y;
                self.put(&key, y, sex, &version, Arc::new(run));
            }
        }
        if let Ok(mut m) = self.public_pages.lock() {
            m.clear();
        }
        Ok(())
    }

    /// The cached run and whether it is of `version` (fresh) or an earlier one.
    fn get(
        &self,
        id: &str,
        year: i32,
        sex: Option<Sex>,
        version: &str,
    ) -> Option<(Arc<FollowUpRun>, bool)> {
        let m = self.runs.lock().ok()?;
        m.get(&(id.to_string(), year, sex))
            .map(|(v, r)| (r.clone(), v == version))
    }

    fn put(&self, id: &str, year: i32, sex: Option<Sex>, version: &str, run: Arc<FollowUpRun>) {
        if let Ok(mut m) = self.runs.lock() {
            if m.len() >= Self::MAX {
                m.clear();
            }
            m.insert((id.to_string(), year, sex), (version.to_string(), run));
        }
    }
}

fn parse_sex(s: Option<&str>) -> Option<Sex> {
    match s {
        Some("K") => Some(Sex::Women),
        Some("M") => Some(Sex::Men),
        _ => None,
    }
}

fn status_badge(s: Status, lang: Lang) -> Markup {
    html! { span class={ "status " (s.code()) } { span aria-hidden="true" { (s.icon()) } " " (s.label(lang)) } }
}

fn sparkline(r: &TargetResult) -> Markup {
    let pts: Vec<(f64, f64)> = r
        .chart
        .first()
        .map(|c| {
            c.points
                .iter()
                .map(|p| (p.period.midpoint(), p.value))
                .collect()
        })
        .unwrap_or_default();
    if pts.len() < 2 {
        return html! {};
    }
    let (x0, x1) = (pts[0].0, pts[pts.len() - 1].0);
    let (y0, y1) = pts
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let dy = if (y1 - y0).abs() < 1e-9 { 1.0 } else { y1 - y0 };
    let dx = if (x1 - x0).abs() < 1e-9 { 1.0 } else { x1 - x0 };
    let line: Vec<String> = pts
        .iter()
        .map(|(x, y)| {
            format!(
                "{:.1},{:.1}",
                2.0 + (x - x0) / dx * 76.0,
                18.0 - (y - y0) / dy * 16.0
            )
        })
        .collect();
    html! {
        svg.spark width="80" height="20" viewBox="0 0 80 20" aria-hidden="true" focusable="false" {
            polyline points=(line.join(" ")) fill="none" stroke="currentColor" stroke-width="1.5" {}
        }
    }
}

fn trend_text(r: &TargetResult, lang: Lang) -> Markup {
    // For relative and gap targets the trend is that of the distance, not of the series.
    let of_gap = r.judged.is_some();
    let prefix = if of_gap { tr(lang, "gap") } else { "" };
    html! { (prefix) (trend_words(r, lang)) }
}

fn trend_words(r: &TargetResult, lang: Lang) -> Markup {
    match r.trend {
        Some(trend) if trend.slope > 1e-9 => {
            html! { span aria-hidden="true" { "↑" } " " (tr(lang, "rising")) }
        }
        Some(trend) if trend.slope < -1e-9 => {
            html! { span aria-hidden="true" { "↓" } " " (tr(lang, "falling")) }
        }
        Some(_) => html! { span aria-hidden="true" { "→" } " " (tr(lang, "flat")) },
        None => html! { "–" },
    }
}

fn unit_of(run: &FollowUpRun, t: &Target) -> MeasureUnit {
    run.indicators
        .get(&t.series.indicator)
        .map(|i| i.unit.clone())
        .unwrap_or(MeasureUnit::Index)
}

async fn overview(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Query(q): Query<OverviewQuery>,
    uri: axum::http::Uri,
) -> Response {
    let lang = ctx.lang;
    let public_key = ctx.user.is_none().then(|| format!("{}|{uri}", lang.code()));
    if let Some(html) = public_key
        .as_deref()
        .and_then(|k| state.runs.public_page(k))
    {
        return Html(html).into_response();
    }
    let sex = parse_sex(q.sex.as_deref());
    let (run, prev, published) = match load_run(
        &state,
        &ctx,
        id.clone(),
        q.year,
        sex,
        Action::ReadPublic,
        None,
    )
    .await
    {
        Ok(x) => x,
        Err(e) => return fail(&ctx, e),
    };
    let s = &run.strategy;
    let f = &run.followup;
    let area_of = |t: &Target| s.goal(s.root_of(&t.goal)).and_then(|g| g.area.clone());
    let prev_status = |tid: &str| {
        prev.as_ref()
            .and_then(|p| p.followup.results.iter().find(|r| r.target_id == tid))
            .map(|r| r.status)
    };
    let visible = |t: &&Target| {
        q.area
            .as_deref()
            .filter(|a| !a.is_empty())
            .is_none_or(|a| area_of(t).as_deref() == Some(a))
            && q.status
                .as_deref()
                .filter(|x| !x.is_empty())
                .is_none_or(|x| {
                    f.results
                        .iter()
                        .any(|r| r.target_id == t.id && r.status.code() == x)
                })
    };
    let changed: Vec<(&Target, Status, Status)> = s
        .targets
        .iter()
        .filter(visible)
        .filter_map(|t| {
            let now = f.results.iter().find(|r| r.target_id == t.id)?.status;
            let before = prev_status(&t.id)?;
            (now != before).then_some((t, before, now))
        })
        .collect();
    let path = format!("/s/{id}");
    let body = html! {
        p.lead { (run.owner_name) }
        h1 { (s.title) " – " (tr(lang, "follow-up")) " " (f.year) }
        nav.sub aria-label=(tr(lang, "strategy-s-pages")) { ul {
            @if allowed(ctx.principal.as_ref(), Action::Read, &s.owner, false) {
                li { a href={ "/s/" (s.id) "/strategy" } { (tr(lang, "strategy-file")) } }
                li { a href={ "/s/" (s.id) "/compare" } { (tr(lang, "comparison")) } }
                li { a href={ "/s/" (s.id) "/plan" } { (tr(lang, "action-plan")) } }
                li { a href={ "/s/" (s.id) "/omgangar" } { (tr(lang, "rounds")) } }
            }
            @if allowed(ctx.principal.as_ref(), Action::Write, &s.owner, false) {
                li { a href={ "/s/" (s.id) "/data" } { (tr(lang, "data-upload-enter")) } }
            }
            li { a href={ "/s/" (s.id) "/reports" } { (tr(lang, "annual-report")) } }
        } }
        @if !published { p.note { (tr(lang, "strategy-not-published-only-municipality")) } }
        @if !run.fictitious.is_empty() {
            p.notice role="note" { (tr(lang, "note-page-partly-shows-fictitious")) }
        }
        @if let Some(v) = &s.vision {
            p.vision { strong { (tr(lang, "vision")) ": " } (v) }
        }
        @if s.goals.len() > 1 {
            details.goals {
                summary { (tr(lang, "goals-and-sub-goals")) }
                ul { @for g in s.root_goals() { li {
                    (g.title)
                    @let subs: Vec<_> = s.children(&g.id).collect();
                    @if !subs.is_empty() { ul { @for c in subs { li { (c.title) } } } }
                } } }
            }
        }
        form.filters method="get" action=(path) aria-label=(tr(lang, "filter-targets")) {
            p {
                label for="f-year" { (tr(lang, "year")) }
                input id="f-year" name="year" type="number" min="1990" max="2100" value=(f.year);
            }
            p {
                label for="f-area" { (tr(lang, "area")) }
                select id="f-area" name="area" {
                    option value="" { (tr(lang, "all")) }
                    @for a in &s.areas { option value=(a.id) selected[q.area.as_deref() == Some(a.id.as_str())] { (a.name) } }
                }
            }
            p {
                label for="f-status" { (tr(lang, "status")) }
                select id="f-status" name="status" {
                    option value="" { (tr(lang, "all")) }
                    @for st in Status::ALL { option value=(st.code()) selected[q.status.as_deref() == Some(st.code())] { (st.label(lang)) } }
                }
            }
            p {
                label for="f-sex" { (tr(lang, "sex")) }
                select id="f-sex" name="sex" {
                    option value="" { (tr(lang, "total")) }
                    option value="K" selected[sex == Some(Sex::Women)] { (tr(lang, "women")) }
                    option value="M" selected[sex == Some(Sex::Men)] { (tr(lang, "men")) }
                }
            }
            p { button type="submit" { (tr(lang, "show")) } }
        }
        section aria-labelledby="sum" {
            h2 id="sum" { (tr(lang, "summary")) }
            ul.summary {
                @for st in Status::ALL { li { (status_badge(st, lang)) ": " (f.count(st)) } }
            }
        }
        @for g in s.root_goals() {
            @let targets: Vec<&Target> = s.targets.iter().filter(|t| s.root_of(&t.goal) == g.id).filter(visible).collect();
            @if !targets.is_empty() {
                section aria-labelledby={ "g-" (g.id) } {
                    h2 id={ "g-" (g.id) } { (g.title) }
                    @if let Some(a) = g.area.as_deref().and_then(|a| s.areas.iter().find(|x| x.id == a)) { p.area { (tr(lang, "area-omrade")) (a.name) } }
                    table.targets {
                        caption.sr-only { (tr(lang, "targets-under")) (g.title) }
                        thead { tr {
                            th scope="col" { (tr(lang, "target")) }
                            th scope="col" { (tr(lang, "status")) }
                            th scope="col" class="num" { (tr(lang, "latest-value")) }
                            th scope="col" class="num" { (tr(lang, "target-value")) }
                            th scope="col" { (tr(lang, "trend")) }
                        } }
                        tbody {
                            @for tg in &targets {
                                @if let Some(r) = f.results.iter().find(|r| r.target_id == tg.id) {
                                    @let unit = unit_of(&run, tg);
                                    tr {
                                        th scope="row" { a href={ "/s/" (s.id) "/t/" (tg.id) "?year=" (f.year) } { (tg.text) } }
                                        td { (status_badge(r.status, lang)) }
                                        td.num { @match r.observed { Some(o) => { (fmt_value(o.value, &unit, lang)) " (" (o.period.label(lang)) ")" }, None => "–" } }
                                        td.num { @match r.target_value { Some(v) => (fmt_value(v, &unit, lang)), None => (tr(lang, "see-target")) } }
                                        td { (trend_text(r, lang)) " " (sparkline(r)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="changed" {
            h2 id="changed" { (tr(lang, "changes-since-last-year")) }
            @if changed.is_empty() {
                p { (tr(lang, "no-target-has-changed-status")) (f.year - 1) "." }
            } @else {
                ul { @for (tg, before, now) in &changed { li { (tg.text) ": " (before.label(lang)) " → " (now.label(lang)) } } }
            }
        }
    };
    let html = layout(&ctx, &s.title, &path, body).into_string();
    if let Some(k) = public_key {
        state.runs.keep_public_page(k, &html);
    }
    Html(html).into_response()
}

#[derive(Debug, Deserialize, Default)]
pub struct TargetQuery {
    year: Option<i32>,
    group: Option<String>,
}

async fn target_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, tid)): Path<(String, String)>,
    Query(q): Query<TargetQuery>,
) -> Response {
    let lang = ctx.lang;
    let (run, _, _) = match load_run(
        &state,
        &ctx,
        id.clone(),
        q.year,
        None,
        Action::ReadPublic,
        q.group.clone().filter(|g| !g.is_empty()),
    )
    .await
    {
        Ok(x) => x,
        Err(e) => return fail(&ctx, e),
    };
    let s = &run.strategy;
    let (Some(tg), Some(r)) = (
        s.targets.iter().find(|t| t.id == tid),
        run.followup.results.iter().find(|r| r.target_id == tid),
    ) else {
        return fail(&ctx, AppError::NotFound);
    };
    let unit = unit_of(&run, tg);
    let year = run.followup.year;
    let can_write = allowed(ctx.principal.as_ref(), Action::Write, &s.owner, false);
    let is_member = allowed(ctx.principal.as_ref(), Action::Read, &s.owner, false);
    let (sid, tid2) = (s.id.clone(), tg.id.clone());
    let a = ctx.actor();
    let extra = state
        .db
        .app(move |c| {
            let x = catalogue::target_extras(c, &a, &sid, &tid2, year)?;
            Ok((x.comment, x.revisions, x.names, x.groups))
        })
        .await;
    let (comment, revisions, names, groups) = match extra {
        Ok(x) => x,
        Err(e) => return fail(&ctx, e),
    };
    let projection = etablera_report::chart::projection_text(r, &unit, lang);
    let desc = etablera_report::chart::full_description(r, &unit, lang);
    let chart = etablera_report::chart::target_chart(
        r,
        &unit,
        tg.target_year,
        &tg.text,
        &desc,
        lang,
        "chart",
    );
    let series: Vec<_> = r.chart.iter().filter(|c| !c.points.is_empty()).collect();
    let mut periods: Vec<etablera_domain::Period> = series
        .iter()
        .flat_map(|c| c.points.iter().map(|p| p.period))
        .collect();
    periods.sort();
    periods.dedup();
    let ind = run.indicators.get(&tg.series.indicator);
    let path = format!("/s/{id}/t/{tid}");
    let body = html! {
        nav aria-label=(tr(lang, "breadcrumbs")) { a href={ "/s/" (s.id) "?year=" (run.followup.year) } { (s.title) } }
        h1 { (tg.text) }
        p { (status_badge(r.status, lang)) " " (tr(lang, "reporting-year")) (run.followup.year) }
        @if can_write { p { a href={ "/s/" (s.id) "/t/" (tg.id) "/edit" } { (tr(lang, "edit-target-andra-malet")) } } }
        p { (tr(lang, "indicator-indikator")) (ind.map(|i| i.title.as_str()).unwrap_or(tg.series.indicator.as_str())) " (" (tg.series.indicator) ")" }
        @if ctx.principal.is_some() {
            p { a href=(format!("/bibliotek/jamforelse?indikator={}", tg.series.indicator)) { (tr(lang, "other-municipalities-targets")) } }
        }
        h2 { (tr(lang, "assessment")) }
        p.explanation { (r.explanation.get(lang)) }
        @if let Some(p) = &projection { p.projection { (p) "." } }
        h2 { (tr(lang, "chart")) }
        form.filters method="get" action=(path) {
            input type="hidden" name="year" value=(run.followup.year);
            p {
                label for="t-group" { (tr(lang, "comparison-group")) }
                select id="t-group" name="group" {
                    option value="" { (tr(lang, "municipalities-same-county")) }
                    @for (code, name) in &groups { option value=(code) selected[q.group.as_deref() == Some(code.as_str())] { (name) } }
                }
            }
            p { button type="submit" { (tr(lang, "show")) } }
        }
        figure {
            (PreEscaped(chart))
            figcaption {
                (ind.map(|i| i.source.citation(lang)).unwrap_or(""))
                @if run.fictitious.contains(&tg.series.indicator) { ". " strong { (tr(lang, "fictitious-demo-data")) } }
            }
        }
        table {
            caption { (tr(lang, "values-chart")) }
            thead { tr { th scope="col" { (tr(lang, "period")) } @for c in &series { th scope="col" class="num" { (c.label.get(lang)) } } } }
            tbody {
                @for p in &periods {
                    tr {
                        th scope="row" { (p.label(lang)) }
                        @for c in &series {
                            td.num { @match c.points.iter().find(|x| x.period == *p) { Some(x) => (fmt_value(x.value, &unit, lang)), None => "–" } }
                        }
                    }
                }
            }
        }
        h2 id="analys" { (tr(lang, "analysis")) (year) }
        @match &comment {
            Some(c) => { @for para in c.body.split("\n\n") { p { (para) } } p.note { (tr(lang, "last-changed")) (when(&c.updated_at)) } },
            None => { p { (tr(lang, "no-analysis-has-been-written")) } },
        }
        @if can_write {
            form method="post" action={ "/s/" (s.id) "/t/" (tg.id) "/comment" } {
                input type="hidden" name="csrf" value=(ctx.csrf());
                input type="hidden" name="year" value=(year);
                p {
                    label for="comment-body" { (tr(lang, "write-change-analysis")) (year) }
                    textarea id="comment-body" name="body" rows="6" cols="70" { (comment.as_ref().map(|c| c.body.as_str()).unwrap_or("")) }
                }
                p { button type="submit" { (tr(lang, "save-analysis")) } }
            }
        }
        @if is_member {
            h2 { (tr(lang, "revision-history")) }
            @if revisions.is_empty() {
                p { (tr(lang, "target-has-not-been-changed")) }
            } @else {
                table {
                    caption { (tr(lang, "changes-target")) }
                    thead { tr {
                        th scope="col" { (tr(lang, "when")) }
                        th scope="col" { (tr(lang, "who")) }
                        th scope="col" { (tr(lang, "field")) }
                        th scope="col" { (tr(lang, "before")) }
                        th scope="col" { (tr(lang, "after")) }
                    } }
                    tbody { @for rv in &revisions { tr {
                        td { (when(&rv.changed_at)) }
                        td { (rv.user_id.and_then(|u| names.get(&u).cloned()).unwrap_or_else(|| "–".into())) }
                        td { (rv.field) }
                        td { (rv.old_value.as_deref().unwrap_or("–")) }
                        td { (rv.new_value.as_deref().unwrap_or("–")) }
                    } } }
                }
            }
        }
        h2 { (tr(lang, "data-batches")) }
        ul { @for b in &run.batches { li { "#" (b.id) " " (b.file_name.as_deref().unwrap_or(&b.source)) " (" (b.source) "), " (tr(lang, "imported-inlast")) (when(&b.imported_at)) } } }
    };
    Html(layout(&ctx, &tg.text, &path, body).into_string()).into_response()
}

async fn accessibility(State(state): State<AppState>, Extension(ctx): Extension<Ctx>) -> Response {
    accessibility_page(&state, &ctx, Notice::None)
}

fn accessibility_page(state: &AppState, ctx: &Ctx, notice: Notice) -> Response {
    let lang = ctx.lang;
    let token = state.forms.issue(etablera_app::now_secs());
    let body = html! {
        h1 { (tr(lang, "accessibility-statement")) }
        p { (tr(lang, "etablera-meant-usable-everyone-service")) }
        h2 { (tr(lang, "how-accessible-service")) }
        p { (tr(lang, "pages-work-without-javascript-keyboard")) }
        p { (tr(lang, "known-gaps-strategy-editing-data")) }
        h2 id="rapportera" { (tr(lang, "report-problem")) }
        (notice.show(Some("report-error")))
        p { (tr(lang, "if-you-find-problems-not")) }
        form method="post" action="/tillganglighet" {
            input type="hidden" name="csrf" value=(token);
            p {
                label for="a11y-page" { (tr(lang, "which-page-about-optional")) }
                input id="a11y-page" name="page" type="text" maxlength="300";
            }
            p {
                label for="a11y-message" { (tr(lang, "describe-problem")) }
                textarea id="a11y-message" name="message" rows="5" cols="60" required maxlength="5000" aria-describedby=[notice.refused().then_some("report-error")] {}
            }
            p {
                label for="a11y-contact" { (tr(lang, "e-mail-phone-if-you")) }
                input id="a11y-contact" name="contact" type="text" maxlength="200" autocomplete="email";
            }
            p { button type="submit" { (tr(lang, "send")) } }
        }
        p { (tr(lang, "statement-was-updated-2026-11")) }
    };
    let title = tr(lang, "accessibility-statement");
    let resp = (
        notice.status(),
        Html(layout(ctx, title, "/tillganglighet", body).into_string()),
    )
        .into_response();
    auth::with_form_token(state, resp, &token)
}

#[derive(Debug, Deserialize)]
struct ReportForm {
    csrf: String,
    page: Option<String>,
    message: String,
    contact: Option<String>,
}

/// A visitor's report of an accessibility problem; no login needed.
async fn report_problem(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    headers: HeaderMap,
    Form(f): Form<ReportForm>,
) -> Response {
    let lang = ctx.lang;
    if !auth::anonymous_form_is_fresh(&state, &headers, &f.csrf) {
        let m = tr(lang, "form-has-expired-please-write").to_string();
        return accessibility_page(
            &state,
            &ctx,
            Notice::Refused(m, StatusCode::UNPROCESSABLE_ENTITY),
        );
    }
    let message = f.message.trim().to_string();
    if message.is_empty() || message.chars().count() > 5000 {
        let m = tr(lang, "describe-problem-most-5-000").to_string();
        return accessibility_page(
            &state,
            &ctx,
            Notice::Refused(m, StatusCode::UNPROCESSABLE_ENTITY),
        );
    }
    let a = ctx.actor();
    match state
        .db
        .app(move |c| {
            Ok(catalogue::report_accessibility(
                c, &a, f.page, message, f.contact,
            )?)
        })
        .await
    {
        Ok(_) => accessibility_page(
            &state,
            &ctx,
            Notice::Done(tr(lang, "thank-you-your-report-has").into()),
        ),
        Err(e) => fail(&ctx, e),
    }
}

/// Reports of accessibility problems, for system administrators.
async fn accessibility_reports(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Response {
    let lang = ctx.lang;
    let a = ctx.actor();
    let reports = match state
        .db
        .app(move |c| Ok(catalogue::accessibility_reports(c, &a)?))
        .await
    {
        Ok(r) => r,
        Err(e) => return fail(&ctx, e),
    };
    let body = html! {
        h1 { (tr(lang, "reported-accessibility-problems")) }
        @if reports.is_empty() { p { (tr(lang, "no-reports")) } } @else {
            table {
                caption.sr-only { (tr(lang, "reports-newest-first")) }
                thead { tr { th scope="col" { (tr(lang, "when")) } th scope="col" { (tr(lang, "page")) } th scope="col" { (tr(lang, "problem")) } th scope="col" { (tr(lang, "contact")) } } }
                tbody { @for r in &reports { tr { td { (when(&r.at)) } td { (r.page.as_deref().unwrap_or("–")) } td { (r.message) } td { (r.contact.as_deref().unwrap_or("–")) } } } }
            }
        }
    };
    Html(
        layout(
            &ctx,
            tr(lang, "accessibility-reports"),
            "/admin/tillganglighet",
            body,
        )
        .into_string(),
    )
    .into_response()
}

#[derive(Debug, Deserialize, Default)]
struct CatalogueQuery {
    q: Option<String>,
    page: Option<String>,
}

/// One indicator: its definition and source, the targets on it in the strategies the user
/// may read (with links), and its figures for the nation, the user's municipalities and
/// those strategies' municipalities, newest year first.
async fn indicator_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> Response {
    let lang = ctx.lang;
    let a = ctx.actor();
    let page = match state
        .db
        .app(move |c| Ok(catalogue::indicator_page(c, &a, &id)?))
        .await
    {
        Ok(p) => p,
        Err(e) => return fail(&ctx, e),
    };
    let ind = &page.indicator;
    let mut periods: Vec<etablera_domain::Period> = page
        .series
        .iter()
        .flat_map(|(_, _, obs)| obs.iter().map(|o| o.period))
        .collect();
    periods.sort();
    periods.dedup();
    periods.reverse();
    periods.truncate(15);
    let cell = |obs: &[etablera_domain::Observation], p: etablera_domain::Period| -> String {
        match obs.iter().find(|o| o.period == p).and_then(|o| o.value()) {
            Some(v) => fmt_value(v, &ind.unit, lang),
            None => "–".into(),
        }
    };
    let title = format!("{} ({})", ind.title, ind.id);
    let path = format!("/indikatorer/{}", ind.id);
    let body = html! {
        nav aria-label=(tr(lang, "breadcrumbs")) { a href="/indikatorer" { (tr(lang, "indicators-indikatorer")) } }
        h1 { (title) }
        dl {
            dt { (tr(lang, "indicator-definition")) }
            dd { @if ind.description.trim().is_empty() { "–" } @else { (ind.description) } }
            dt { (tr(lang, "source")) } dd { (ind.source.citation(lang)) }
            dt { (tr(lang, "area")) } dd { (ind.area.as_deref().unwrap_or("–")) }
            dt { (tr(lang, "sex")) } dd { @if ind.divided_by_sex { (tr(lang, "split")) } @else { "–" } }
        }
        h2 { (tr(lang, "indicator-targets")) }
        @if page.targets.is_empty() {
            p { (tr(lang, "indicator-no-targets")) }
        } @else {
            ul { @for (sid, stitle, owner, tid, text) in &page.targets {
                li { a href={ "/s/" (sid) "/t/" (tid) } { (text) } " – " (owner) ", " (stitle) }
            } }
        }
        p { a href={ "/bibliotek/jamforelse?indikator=" (ind.id) } { (tr(lang, "indicator-other-municipalities")) } }
        h2 { (tr(lang, "indicator-figures")) }
        @if page.series.is_empty() {
            p { (tr(lang, "indicator-no-figures")) }
        } @else {
            table {
                caption { (tr(lang, "indicator-figures")) ", " (tr(lang, "indicator-both-sexes")) }
                thead { tr {
                    th scope="col" { (tr(lang, "year")) }
                    @for (_, name, _) in &page.series { th scope="col" class="num" { (name) } }
                } }
                tbody { @for p in &periods { tr {
                    th scope="row" { (p.label(lang)) }
                    @for (_, _, obs) in &page.series { td class="num" { (cell(obs, *p)) } }
                } } }
            }
            p { (ind.source.citation(lang)) }
        }
    };
    Html(layout(&ctx, &title, &path, body).into_string()).into_response()
}

/// The indicator catalogue (Kolada's KPIs, the curated integration set and local
/// indicators), searchable by id or words in the title.
async fn catalogue(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<CatalogueQuery>,
) -> Response {
    let lang = ctx.lang;
    let text: String = q.q.clone().unwrap_or_default().chars().take(200).collect();
    let page: usize = q
        .page
        .as_deref()
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1 && *p <= 10_000)
        .unwrap_or(1);
    let needle = text.clone();
    let found = match state
        .db
        .app(move |c| Ok(catalogue::search_indicators(c, &needle)?))
        .await
    {
        Ok(a) => a,
        Err(e) => return fail(&ctx, e),
    };
    let total = found.len();
    let shown: Vec<_> = found.into_iter().skip((page - 1) * 50).take(50).collect();
    let body = html! {
        h1 { (tr(lang, "indicators-indikatorer")) }
        form method="get" action="/indikatorer" role="search" {
            p {
                label for="cat-q" { (tr(lang, "search-id-words-title")) }
                input id="cat-q" name="q" type="search" value=(text);
                " " button type="submit" { (tr(lang, "search")) }
            }
        }
        p role="status" { (total) " " (tr(lang, "matches")) }
        table {
            caption.sr-only { (tr(lang, "indicators-indikatorer")) }
            thead { tr { th scope="col" { "Id" } th scope="col" { (tr(lang, "title-namn")) } th scope="col" { (tr(lang, "area")) } th scope="col" { (tr(lang, "source")) } th scope="col" { (tr(lang, "sex")) } } }
            tbody { @for i in &shown { tr {
                td { a href={ "/indikatorer/" (i.id) } { (i.id) } } td { (i.title) } td { (i.area.as_deref().unwrap_or("–")) } td { (i.source.citation(lang)) }
                td { @if i.divided_by_sex { (tr(lang, "split")) } @else { "–" } }
            } } }
        }
        @if total > page * 50 { p { a href={ "/indikatorer?q=" (urlencode(&text)) "&page=" (page + 1) } { (tr(lang, "more-matches")) } } }
    };
    Html(
        layout(
            &ctx,
            tr(lang, "indicators-indikatorer"),
            "/indikatorer",
            body,
        )
        .into_string(),
    )
    .into_response()
}
