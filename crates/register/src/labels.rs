//! The register's fields as its forms show them. Errors name a field by its form name
//! (`personnummer`, `arrival_date`) so that a page can mark it; readers see these labels.

use etablera_domain::Lang;

/// (form name, Swedish label, English label).
const LABELS: &[(&str, &str, &str)] = &[
    ("namn", "Namn", "Name"),
    ("personnummer", "Personnummer", "Personal identity number"),
    ("fodelsear", "Födelseår", "Year of birth"),
    ("birth_year", "Födelseår", "Year of birth"),
    ("kon", "Kön", "Sex"),
    ("sex", "Kön", "Sex"),
    ("fodelseland", "Födelseland", "Country of birth"),
    ("country_of_birth", "Födelseland", "Country of birth"),
    ("sprak", "Språk", "Languages"),
    ("planens_sprak", "Planens språk", "Language of the plan"),
    ("utbildning", "Utbildning", "Education"),
    ("ssyk", "Yrke (SSYK)", "Occupation (SSYK)"),
    ("svenska", "Svenska", "Swedish"),
    ("kategori", "Kategori", "Category"),
    ("category", "Kategori", "Category"),
    (
        "uppehallstillstand",
        "Uppehållstillstånd",
        "Residence permit",
    ),
    ("permit_date", "Uppehållstillstånd", "Residence permit"),
    ("ankomst", "Ankomst", "Arrival"),
    ("arrival_date", "Ankomst", "Arrival"),
    ("folkbokford", "Folkbokförd", "Registered"),
    (
        "etablering_start",
        "Etableringstidens start",
        "Start of the establishment period",
    ),
    (
        "establishment_start",
        "Etableringstidens start",
        "Start of the establishment period",
    ),
    ("telefon", "Telefon", "Phone"),
    ("epost", "E-post", "E-mail"),
    ("adress", "Adress", "Address"),
    ("hushall", "Hushåll", "Household"),
    ("storlek", "Hushållets storlek", "Household size"),
    ("rum", "Rum", "Rooms"),
    ("bostadsbehov", "Bostadsbehov", "Housing need"),
    ("start", "Start", "Start"),
    ("end", "Slut", "End"),
    ("provider", "Anordnare", "Provider"),
    ("detail", "Beskrivning", "Description"),
    ("contact", "Kontakt", "Contact"),
    ("outcome_date", "Datum för utfall", "Date of the outcome"),
    ("given", "Samtycke givet", "Consent given"),
    ("organisation", "Organisation", "Organisation"),
    ("purpose", "Syfte", "Purpose"),
    ("consent", "Samtycke", "Consent"),
    ("reason", "Skäl", "Reason"),
    ("note", "Anteckning", "Note"),
    ("date", "Datum", "Date"),
    ("closed", "Avslutad", "Closed"),
    ("days_left", "Dagar kvar", "Days left"),
    ("days", "Giltig antal dagar", "Valid for days"),
    ("kind", "Typ", "Kind"),
    ("how", "Beslut", "Decision"),
    (
        "threshold",
        "Gräns för röjandeskydd",
        "Disclosure threshold",
    ),
    ("retention_years", "Gallringstid", "Retention"),
    ("review_months", "Uppföljningsintervall", "Review interval"),
    ("new_code", "Ny kod", "New code"),
    ("new_name", "Nytt namn", "New name"),
    ("case_worker", "Handläggare", "Case worker"),
    ("colleagues", "Kollegor", "Colleagues"),
    ("from", "Från", "From"),
    ("to", "Till", "To"),
];

/// Every register field: (form name, Swedish label, English label).
pub fn all() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    LABELS.iter().copied()
}

/// The label of a register field in `lang`, if it is one of the register's.
pub fn field_label(name: &str, lang: Lang) -> Option<&'static str> {
    LABELS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, sv, en)| lang.pick(sv, en))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Problem, RegisterError};

    #[test]
    fn errors_read_in_each_language_and_name_the_field_by_its_label() {
        let e = RegisterError::new("personnummer", Problem::Pnr(crate::PnrError::CheckDigit));
        assert_eq!(
            e.text(Lang::Sv),
            "Fältet ”Personnummer” har fel kontrollsiffra (den sista siffran)."
        );
        assert_eq!(
            e.text(Lang::En),
            "The field “Personal identity number” has a wrong check digit (the last digit)."
        );
        let e = RegisterError::new("kategori", Problem::NotInList);
        assert_eq!(
            e.text(Lang::Sv),
            "Fältet ”Kategori” måste vara ett av alternativen i listan."
        );
        // Every field a problem can name has a label in both languages.
        for (n, sv, en) in LABELS {
            assert!(!sv.is_empty() && !en.is_empty(), "{n}");
        }
    }
}
