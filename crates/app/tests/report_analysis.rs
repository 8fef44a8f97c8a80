//! Finding 14 of the hardening issue: the yearly analysis a strategist writes on the web
//! (per target and year) is part of the annual report, in HTML and Markdown.

use etablera_app::{load_strategy_str, render_report, run_followup, Format};
use etablera_domain::Lang;
use etablera_store::{testing, AuditEntry, TargetComment};

#[test]
fn the_yearly_analysis_is_in_the_report() {
    for mut t in testing::all() {
        let b = t.backend;
        let s = t.store.as_mut();
        etablera_app::init(s).unwrap();
        let (name, src) = etablera_app::demo::STRATEGIES[0];
        let strategy = load_strategy_str(s, name, src).unwrap();
        let target = &strategy.targets[0];
        let body = "Andelen steg efter att två nya boenden öppnade.\nUppföljningen fortsätter.";
        s.save_target_comment(
            &TargetComment {
                strategy_id: strategy.id.clone(),
                target_id: target.id.clone(),
                year: 2018,
                body: body.into(),
                author_id: None,
                updated_at: "2026-11-30T10:00:00Z".into(),
            },
            &AuditEntry::new("2026-11-30T10:00:00Z", None, "target.comment", "t", None),
        )
        .unwrap();
        let run = run_followup(s, &strategy.id, 2018, None, None).unwrap();
        let html = render_report(&run, Format::Html, Lang::Sv, None);
        assert!(html.contains("Årets analys"), "{b}");
        assert!(
            html.contains("Andelen steg efter att två nya boenden öppnade."),
            "{b}"
        );
        let md = render_report(&run, Format::Markdown, Lang::Sv, None);
        assert!(md.contains("Uppföljningen fortsätter."), "{b}");
        // Another year's report does not show it.
        let other = run_followup(s, &strategy.id, 2019, None, None).unwrap();
        assert!(
            !render_report(&other, Format::Html, Lang::Sv, None).contains("två nya boenden"),
            "{b}"
        );
    }
}
