//! Swedish writes a thing as one compound or as a phrase; a search for either finds the
//! other (the strategy library issue: 30 compound ↔ phrase pairs, each found). Each pair's
//! phrase and compound stand in paragraphs of their own among paragraphs on other topics.

use etablera_library::index::Index;

const PAIRS: &[(&str, &str)] = &[
    ("integrationsstrategi", "strategi för integration"),
    ("arbetsmarknadsinsatser", "insatser på arbetsmarknaden"),
    ("bostadsbrist", "brist på bostäder"),
    ("språkutveckling", "utveckling av språket"),
    ("mottagningsenhet", "enhet för mottagning"),
    ("flyktingmottagande", "mottagande av flyktingar"),
    ("föräldrastöd", "stöd till föräldrar"),
    ("hälsoundersökning", "undersökning av hälsan"),
    ("samhällsorientering", "orientering om samhället"),
    ("utbildningsplatser", "platser för utbildning"),
    ("praktikplatser", "platser för praktik"),
    ("arbetsgivarroll", "roll som arbetsgivare"),
    ("kompetensförsörjning", "försörjning av kompetens"),
    ("ungdomsarbetslöshet", "arbetslöshet bland ungdomar"),
    ("bostadsförsörjning", "försörjning av bostäder"),
    ("fritidsaktiviteter", "aktiviteter på fritiden"),
    ("mötesplatser", "platser för möten"),
    ("handlingsplan", "plan för handling"),
    ("skolresultat", "resultat i skolan"),
    ("jämställdhetsarbete", "arbete för jämställdhet"),
    ("språkkunskaper", "kunskaper i språket"),
    ("studievägledning", "vägledning om studier"),
    ("yrkesutbildning", "utbildning för ett yrke"),
    ("samverkansavtal", "avtal om samverkan"),
    ("integrationsarbete", "arbete med integration"),
    ("mångfaldsarbete", "arbete med mångfald"),
    ("uppföljningsrapport", "rapport om uppföljningen"),
    ("etableringsinsatser", "insatser för etablering"),
    ("diskrimineringsfrågor", "frågor om diskriminering"),
    ("näringslivsprogram", "program för näringslivet"),
];

/// Paragraphs on other topics, so that a query has something to tell apart.
const OTHER: &[&str] = &[
    "Kommunfullmäktige sammanträder fyra gånger per termin i stadshuset.",
    "Snöröjningen av gator och cykelvägar börjar när det fallit fem centimeter.",
    "Biblioteket har öppet på lördagar under vinterhalvåret.",
    "Vatten och avlopp byggs ut i de norra delarna av kommunen.",
];

#[test]
fn each_compound_finds_its_phrase_and_each_phrase_its_compound() {
    let mut paragraphs = Vec::new();
    for (i, (compound, phrase)) in PAIRS.iter().enumerate() {
        let i = i as i64;
        paragraphs.push((
            2 * i,
            0,
            Some(1),
            format!("Kommunen beskriver {phrase} i dokumentet."),
        ));
        paragraphs.push((
            2 * i + 1,
            0,
            Some(1),
            format!("Här står {compound} i texten."),
        ));
    }
    for (j, t) in OTHER.iter().enumerate() {
        paragraphs.push((1000 + j as i64, 0, Some(1), t.to_string()));
    }
    let idx = Index::build(paragraphs);
    assert_eq!(PAIRS.len(), 30);
    let mut missed = Vec::new();
    for (i, (compound, phrase)) in PAIRS.iter().enumerate() {
        let i = i as i64;
        let by_compound: Vec<i64> = idx
            .search(compound, 10)
            .iter()
            .map(|h| h.entry_id)
            .collect();
        if !by_compound.contains(&(2 * i)) {
            missed.push(format!(
                "«{compound}» did not find «{phrase}»: {by_compound:?}"
            ));
        }
        let by_phrase: Vec<i64> = idx.search(phrase, 10).iter().map(|h| h.entry_id).collect();
        if !by_phrase.contains(&(2 * i + 1)) {
            missed.push(format!(
                "«{phrase}» did not find «{compound}»: {by_phrase:?}"
            ));
        }
        assert!(
            by_compound.iter().chain(&by_phrase).all(|e| *e < 1000),
            "«{compound}»/«{phrase}» found a paragraph on another topic"
        );
    }
    assert!(missed.is_empty(), "{missed:#?}");
}
