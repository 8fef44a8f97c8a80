//! The catalogue of interventions a municipality offers. Etablera ships a default with names
//! in the plan's six languages; a municipality adds its own entries (Swedish name at least).

use crate::PlanLang;
use serde::{Deserialize, Serialize};

/// One kind of intervention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueEntry {
    /// A short code (`sfi`, `praktik`, …): letters, digits and `_`.
    pub code: String,
    /// Names by language tag; `sv` is required, others fall back to Swedish.
    pub names: Vec<(String, String)>,
    /// The usual provider, suggested in forms.
    #[serde(default)]
    pub provider: String,
}

impl CatalogueEntry {
    pub fn name(&self, lang: PlanLang) -> &str {
        let find = |tag: &str| {
            self.names
                .iter()
                .find(|(t, _)| t == tag)
                .map(|(_, n)| n.as_str())
        };
        find(lang.tag())
            .or_else(|| find("sv"))
            .unwrap_or(&self.code)
    }
    pub fn valid_code(code: &str) -> bool {
        !code.is_empty()
            && code.len() <= 40
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    }
}

fn entry(code: &str, provider: &str, names: [&str; 6]) -> CatalogueEntry {
    CatalogueEntry {
        code: code.into(),
        names: PlanLang::ALL
            .iter()
            .zip(names)
            .map(|(l, n)| (l.tag().to_string(), n.to_string()))
            .collect(),
        provider: provider.into(),
    }
}

/// The catalogue every municipality starts with.
pub fn default_catalogue() -> Vec<CatalogueEntry> {
    vec![
        entry(
            "sfi",
            "Vuxenutbildningen",
            [
                "Svenska för invandrare (sfi)",
                "Swedish for immigrants (SFI)",
                "اللغة السويدية للمهاجرين (SFI)",
                "زبان سویدنی برای مهاجران (SFI)",
                "Iswiidhishka loogu talagalay muhaajiriinta (SFI)",
                "ሽወደንኛ ንስደተኛታት (SFI)",
            ],
        ),
        entry(
            "samhallsorientering",
            "Kommunens samhällsorientering",
            [
                "Samhällsorientering",
                "Civic orientation",
                "التوجيه المجتمعي",
                "آشنایی با جامعه",
                "Barashada bulshada",
                "ምልላይ ሕብረተሰብ",
            ],
        ),
        entry(
            "validering",
            "Vuxenutbildningen",
            [
                "Validering av utbildning och yrke",
                "Validation of education and profession",
                "التحقق من التعليم والمهنة",
                "ارزیابی تحصیلات و حرفه",
                "Ansixinta waxbarashada iyo xirfadda",
                "ምርግጋጽ ትምህርትን ሞያን",
            ],
        ),
        entry(
            "praktik",
            "",
            [
                "Praktik",
                "Work placement",
                "تدريب عملي",
                "کارآموزی",
                "Tababar shaqo",
                "ልምምድ ስራሕ",
            ],
        ),
        entry(
            "subventionerad",
            "Arbetsförmedlingen",
            [
                "Anställning med stöd",
                "Subsidised job",
                "وظيفة مدعومة",
                "کار با حمایت مالی",
                "Shaqo la kaalmeeyo",
                "ብደገፍ ዝወሃብ ስራሕ",
            ],
        ),
        entry(
            "mentor",
            "",
            [
                "Mentor",
                "Mentor",
                "مرشد",
                "رهنما (منتور)",
                "La-taliye",
                "መራሒ (መንቶር)",
            ],
        ),
        entry(
            "komvux",
            "Vuxenutbildningen",
            [
                "Komvux",
                "Adult education (Komvux)",
                "تعليم الكبار (Komvux)",
                "آموزش بزرگسالان (Komvux)",
                "Waxbarashada dadka waaweyn (Komvux)",
                "ትምህርቲ ዓበይቲ (Komvux)",
            ],
        ),
        entry(
            "folkhogskola",
            "",
            [
                "Folkhögskola",
                "Folk high school",
                "مدرسة شعبية عليا",
                "مدرسه عالی مردمی",
                "Dugsiga sare ee dadweynaha",
                "ህዝባዊ ላዕለዋይ ቤት ትምህርቲ",
            ],
        ),
        entry(
            "halsoundersokning",
            "Region",
            [
                "Hälsoundersökning",
                "Health examination",
                "فحص صحي",
                "معاینه صحی",
                "Baaritaan caafimaad",
                "መርመራ ጥዕና",
            ],
        ),
        entry(
            "bostad",
            "Bostadsbolaget",
            ["Bostad", "Housing", "السكن", "مسکن", "Guri", "መንበሪ ገዛ"],
        ),
        entry(
            "vagledning",
            "Vuxenutbildningen",
            [
                "Studie- och yrkesvägledning",
                "Study and career guidance",
                "إرشاد دراسي ومهني",
                "مشاوره تحصیلی و شغلی",
                "Hagitaan waxbarasho iyo shaqo",
                "ምኽሪ ትምህርትን ሞያን",
            ],
        ),
        entry(
            "forskola",
            "Förskolan",
            [
                "Förskola för barnen",
                "Preschool for the children",
                "روضة الأطفال",
                "کودکستان برای فرزندان",
                "Xannaanada carruurta",
                "መዋእለ ህጻናት ንቆልዑ",
            ],
        ),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn default_catalogue_has_every_language() {
        for e in super::default_catalogue() {
            assert!(super::CatalogueEntry::valid_code(&e.code));
            assert_eq!(e.names.len(), 6, "{}", e.code);
        }
    }
}
