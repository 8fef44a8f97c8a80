//! Finding 1 of the hardening issue: units read from Kolada KPI titles.
//!
//! The catalogue is Kolada's own (`data/kolada/kpi.json`, CC BY 4.0, "Källa: Kolada"); the
//! expected units below were written by hand from the titles, not from Etablera's output.

use etablera_domain::{format, Lang, MeasureUnit};

fn entries() -> Vec<(String, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/kolada/kpi.json");
    let text = std::fs::read_to_string(path).expect("data/kolada/kpi.json");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["title"].as_str().unwrap().to_string(),
                k["description"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn catalogue() -> Vec<String> {
    entries().into_iter().map(|(t, _)| t).collect()
}

const NB: &str = "\u{a0}";

/// (title as in the catalogue, how 469 is shown in Swedish)
fn expected() -> Vec<(&'static str, String)> {
    let s = |x: &str| x.replace('~', NB);
    vec![
        ("Bruttoregionprodukt, kommun (BRP), 1000 kr/invånare", s("469~tkr per invånare")),
        ("Bruttoregionprodukt, region (BRP), 1000 kr/sysselsatt", s("469~tkr per sysselsatt")),
        ("Fastighetspris småhus, tkr", s("469~tkr")),
        ("Nettokostnad, revision, tkr", s("469~tkr")),
        ("Lönesumma, nattbefolkning, mkr", s("469~mnkr")),
        ("Nettokostnadsavvikelse LSS, miljoner kronor", s("469~mnkr")),
        ("Kostnad öppen verksamhet äldreomsorg, kr/inv 65+", s("469~kr per invånare 65+")),
        ("Kostnad äldreomsorg, kr/inv 65+", s("469~kr per invånare 65+")),
        ("Personalkostnader, kr/inv", s("469~kr per invånare")),
        ("Incidens, malignt melanom, antal/100 000 inv", s("469,00~per 100~000~invånare")),
        ("Fotbollsplaner, 11-spelplaner, konstgräs, antal/10 000 inv", s("469,00~per 10~000~invånare")),
        ("Kostnad för undervisning i kommunal grundskola åk 1-9, kr/elev", s("469~kr per elev")),
        ("Kostnad per producerad DRG-poäng, endokrina, metabola och nutritionssjukdomar, länssjukhus, kr/DRG-poäng", s("469~kr per DRG-poäng")),
        ("Utsläpp till luft av ammoniak (NH3), egen uppvärmning, kg/inv", s("469,0~kg per invånare")),
        ("Slutanvändning av energi totalt inom det geografiska området, MWh/inv", s("469,0~MWh per invånare")),
        ("Kostnader för försäkringar och försäkringsskador, kr/kvm BRA", s("469~kr per kvm BRA")),
        ("Summa av totala antalet öppettimmar av alla övriga biblioteksserviceställen, timmar/vecka", s("469,0~timmar per vecka")),
        ("Vattenanvändning totalt, senaste mätning, kbm/inv", s("469,0~kbm per invånare")),
        ("Utsläpp till luft av växthusgaser, egen uppvärmning, ton CO2e/inv", s("469,0~ton CO2e per invånare")),
        ("Responstid (tid från 112-samtal till första resurs är på plats) för ambulans, mediantid i minuter.", s("469,0~minuter")),
        ("Garanterad skattekraft region, uppräknad, kr/inv. 1 nov fg år.", s("469~kr per invånare 1 nov fg år")),
        ("Total betesmark, hektar", s("469,0~hektar")),
        ("Bensinleverans till vägtransporter, liter/inv", s("469,0~liter per invånare")),
        ("Utbudskilometer totalt, km/inv", s("469,0~km per invånare")),
        ("Anställda utrikes födda, region, balanstal", s("469,0")),
        ("Bandyplaner, antal/1000 inv 7-20 år", s("469,00~per 1~000~invånare 7-20 år")),
        ("Tillgänglighet till tjänster - Kommunindex", s("469,0")),
        ("Kostnad kommunalt fritidshem, kr/inskrivet barn", s("469~kr per inskrivet barn")),
        ("Area egna lokaler, kvm BRA/inv", s("469,0~kvm BRA per invånare")),
        ("Ohälsotal, 16-19 år, dagar", s("469~dagar")),
        ("Arbetslöshet 16-64 år, årsmedelvärde, andel (%) av registerbaserad arbetskraft", s("469,0~%")),
        ("Medborgarundersökningen - Trygg utomhus i området där du bor när det är mörkt ute, andel(%)", s("469,0~%")),
        ("Solcellsanläggningar totalt, installerad effekt (MW)", s("469,0~MW")),
        ("Serveringssvinn, grund- och gymnasieskola, gram/ätande", s("469,0~gram per ätande")),
        ("Beläggning kollektivtrafik totalt, person-km/utbuds-km", s("469,0~person-km per utbuds-km")),
        ("Nettokostnad, revision, promille av total verksamhetskostnad", s("469,0~‰")),
        ("Elever i åk 9 som är behöriga till yrkesprogram avvikelse från modellberäknat värde lägeskommun, procentenheter", s("469,0~procentenheter")),
        ("Företagsklimat enl. ÖJ (Insikt) - Livsmedelskontroll - Totalt, NKI", s("469,0")),
        ("Tillgodosedda behov av hjälp och stöd efter stroke, andel (%) - Målnivå: 75", s("469,0~%")),
        ("Hemtjänsttagare 65-79 i ordinärt boende, antal (-2019)", s("469")),
        ("Viktade vårdkontakter för hemsjukvård, antal/inv", s("469,00~per invånare")),
        ("KPB - Kostnad personlig assistans LSS, LSS och SFB kr/brukare", s("469~kr per brukare")),
        ("Medelvårdtid hälso- och sjukvård i åldersgruppen 65-74 år, antal dagar", s("469~dagar")),
        ("KPB - Kostnad korttidsboende ordinärt boende, egen regi, kr/dygn", s("469~kr per dygn")),
        ("Cykelväg i kommunen, kommunal, meter/inv.", s("469,0~meter per invånare")),
        ("Överbeläggningar i psykiatrisk slutenvård, antal/100 disponibla vårdplatser", s("469,00~per 100~disponibla vårdplatser")),
        ("Arbetslöshet 18-64 år, mars månad, andel (%) av bef. (-2020)", s("469,0~%")),
        ("Invånare 55-64 år, antal", s("469")),
        ("Utrikes födda, andel (%)", s("469,0~%")),
        ("Kommunmottagna i flyktingmottagandet med uppehållstillstånd, antal/1000 inv", s("469,00~per 1~000~invånare")),
        ("Företagskonkurser, antal/1000 inv, 16-64 år", s("469,00~per 1~000~invånare")),
        ("Sammanräknad förvärvsinkomst i åldern 20-64 år (median), kr", s("469~kr")),
        ("Ohälsotal, dagar", s("469~dagar")),
        ("Elever i åk 9 genomsnittligt meritvärde, avvikelse från modellberäknat värde lägeskommun, meritvärdespoäng", s("469,0")),
        ("Öppethållande huvudbiblioteket, timmar/vecka", s("469,0~timmar per vecka")),
        ("Utsläpp till luft av kväveoxider (NOx), totalt, kg/inv", s("469,0~kg per invånare")),
        ("Kostnad förskola, fritidshem och pedagogisk omsorg, kr/inskrivet barn", s("469~kr per inskrivet barn")),
        ("Inkomstutjämning, bidrag/avgift, kr/inv. 1 nov fg år", s("469~kr per invånare 1 nov fg år")),
        ("Anställda vid kommunala bibliotek, antal/10 000 inv", s("469,00~per 10~000~invånare")),
        ("Heltidstjänster i förskolan med förskollärarexamen, lägeskommun, andel (%)", s("469,0~%")),
    ]
}

#[test]
fn sixty_titles_read_by_hand() {
    let titles = catalogue();
    let exp = expected();
    assert!(exp.len() >= 60, "{} expected units", exp.len());
    for (title, shown) in &exp {
        assert!(
            titles.iter().any(|t| t == title),
            "not in the catalogue: {title}"
        );
        let u = MeasureUnit::from_kolada_title(title);
        assert_eq!(
            &format::value(469.0, &u, Lang::Sv),
            shown,
            "{title} → {u:?}"
        );
    }
}

#[test]
fn coded_answers_show_their_labels() {
    let titles = catalogue();
    let yes_no: Vec<&String> = titles
        .iter()
        .filter(|t| {
            let c = t.replace(' ', "");
            c.contains("Ja=1") && c.contains("Nej=0") && !c.contains("2018-")
        })
        .collect();
    assert!(
        yes_no.len() >= 361 - 2,
        "{} (Ja=1, Nej=0) titles",
        yes_no.len()
    );
    for t in yes_no {
        let u = MeasureUnit::from_kolada_title(t);
        assert_eq!(format::value(1.0, &u, Lang::Sv), "Ja", "{t}");
        assert_eq!(format::value(0.0, &u, Lang::Sv), "Nej", "{t}");
    }
    // The coding changed in 2018; what is read now is the coding in use now.
    let u = MeasureUnit::from_kolada_title(
        "Systematisk uppföljning av resultat för att utveckla verksamheten inom LSS, (-2017 Ja=1, Nej=0. 2018- Ja=2, Delvis=1, Nej=0)",
    );
    assert_eq!(format::value(2.0, &u, Lang::Sv), "Ja");
    assert_eq!(format::value(1.0, &u, Lang::Sv), "Delvis");
    let u = MeasureUnit::from_kolada_title(
        "Bostadsmarknadsläget i kommunen, självbosatta nyanlända, (Överskott=2, Balans=1, Underskott=0)",
    );
    assert_eq!(format::value(1.0, &u, Lang::Sv), "Balans");
    let u = MeasureUnit::from_kolada_title(
        "Aktuell kontinuitetsplan - Bostad med särskild service för barn med funktionsnedsättning, SoL, (Ja=2, Delvis=1, Nej=0)",
    );
    assert_eq!(format::value(1.0, &u, Lang::Sv), "Delvis");
}

#[test]
fn whole_catalogue_is_read_and_round_trips() {
    let titles = catalogue();
    assert_eq!(titles.len(), 5604);
    let mut unread = Vec::new();
    for t in &titles {
        let u = MeasureUnit::from_kolada_title(t);
        if matches!(u, MeasureUnit::Other(_)) {
            unread.push(t.clone());
            continue;
        }
        // Stored as text, read back as the same unit.
        assert_eq!(MeasureUnit::parse(&u.as_str()), u, "{t}");
    }
    let read = titles.len() - unread.len();
    // From the title alone: 5 545 of 5 604 (98,9 %) before the unit surveys' items were
    // read (see `survey_items_read_from_the_title_agree_with_their_descriptions`); the few
    // left name no unit at all ("Referenskostnadskorrigering grundskola F-9").
    assert!(
        read * 100 >= titles.len() * 99,
        "read {read} titles alone; unread e.g. {:#?}",
        &unread[..unread.len().min(80)]
    );
    eprintln!("units read from {read} of {} titles alone", titles.len());
    let mut unread = Vec::new();
    for (t, d) in entries() {
        let u = MeasureUnit::from_kolada(&t, &d);
        if matches!(u, MeasureUnit::Other(_)) {
            unread.push(t.clone());
        }
        assert_eq!(MeasureUnit::parse(&u.as_str()), u, "{t}");
    }
    let read = titles.len() - unread.len();
    eprintln!(
        "units read from {read} of {} titles with descriptions",
        titles.len()
    );
    assert!(
        read * 100 >= titles.len() * 99,
        "read {read} of {}; unread e.g. {:#?}",
        titles.len(),
        &unread[..unread.len().min(250)]
    );
}

/// Socialstyrelsen's unit surveys ask yes/no questions of each unit ("Aktuell rutin för …?",
/// "Enheten har rutin för …"); Kolada's descriptions say that a unit answers Ja=1/Nej=0 and
/// a municipality's figure is the share (%) of its units that answer yes. The title-only
/// rule that reads such an item as a share must agree with the description of every KPI it
/// reads, and read none that the description gives another unit.
#[test]
fn survey_items_read_from_the_title_agree_with_their_descriptions() {
    let mut items = 0;
    for (t, d) in entries() {
        let Some(u) = etablera_domain::measure::UnitOfMeasure::from_survey_item(&t) else {
            continue;
        };
        items += 1;
        assert_eq!(MeasureUnit::from_unit(u), MeasureUnit::Percent, "{t}");
        let d = d.to_lowercase();
        assert!(
            d.contains("ja=1")
                || d.contains("andel")
                || d.contains("enhetsnivå")
                || d.contains("enhetsundersökning")
                || d.contains("äldreguiden"),
            "{t}: the description does not describe a unit survey item: {d}"
        );
    }
    assert!(items >= 30, "{items} survey items");
}
