//! The newcomer's own plan ("min plan") in six languages, in plain words.
//!
//! The texts are Etablera's own. The Arabic, Dari, Somali and Tigrinya versions should be
//! checked by an authorised translator before a municipality relies on them; a municipality
//! can override the activity names in its catalogue.

use serde::{Deserialize, Serialize};

/// A language the plan is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanLang {
    #[default]
    Sv,
    En,
    Ar,
    /// Dari (Afghan Persian), written in the Persian alphabet.
    Prs,
    So,
    Ti,
}

impl PlanLang {
    pub const ALL: [PlanLang; 6] = [
        PlanLang::Sv,
        PlanLang::En,
        PlanLang::Ar,
        PlanLang::Prs,
        PlanLang::So,
        PlanLang::Ti,
    ];
    /// The BCP 47 tag for `lang=`.
    pub fn tag(self) -> &'static str {
        match self {
            PlanLang::Sv => "sv",
            PlanLang::En => "en",
            PlanLang::Ar => "ar",
            PlanLang::Prs => "prs",
            PlanLang::So => "so",
            PlanLang::Ti => "ti",
        }
    }
    pub fn parse(s: &str) -> Option<PlanLang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fa" | "fa-af" => Some(PlanLang::Prs),
            t => PlanLang::ALL.into_iter().find(|l| l.tag() == t),
        }
    }
    /// Right-to-left scripts.
    pub fn rtl(self) -> bool {
        matches!(self, PlanLang::Ar | PlanLang::Prs)
    }
    /// The language's name in itself, for the language menu.
    pub fn own_name(self) -> &'static str {
        match self {
            PlanLang::Sv => "Svenska",
            PlanLang::En => "English",
            PlanLang::Ar => "العربية",
            PlanLang::Prs => "دری",
            PlanLang::So => "Soomaali",
            PlanLang::Ti => "ትግርኛ",
        }
    }
    fn i(self) -> usize {
        self as usize
    }
    /// A text of the plan page.
    pub fn t(self, key: Text) -> &'static str {
        TEXTS[key as usize][self.i()]
    }
}

/// The texts of the plan page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    Title,
    Intro,
    Activities,
    Activity,
    From,
    To,
    Status,
    Contact,
    NoActivities,
    PeriodEnds,
    DaysLeft,
    NextMeeting,
    CaseWorker,
    Questions,
    Print,
    Language,
    LinkValid,
    Planned,
    Referred,
    Started,
    Completed,
    Interrupted,
    Expired,
    ExpiredHelp,
}

const TEXTS: [[&str; 6]; 24] = [
    // Title
    ["Min plan", "My plan", "خطتي", "پلان من", "Qorshahayga", "ናተይ መደብ"],
    // Intro
    [
        "Här ser du vad du och din handläggare har planerat för dig under etableringstiden.",
        "Here you can see what you and your case worker have planned for you during the establishment period.",
        "هنا ترى ما خططته أنت ومسؤول ملفك لك خلال فترة التأسيس.",
        "اینجا می‌بینید که شما و مسئول پرونده‌تان در دوران استقرار چه برنامه‌ای برای شما ریخته‌اید.",
        "Halkan waxaad ku aragtaa waxa adiga iyo shaqaalahaaga kiiskaagu aad u qorsheyseen muddada dejinta.",
        "ኣብዚ ንስኻን ሰራሕተኛ ጉዳይካን ኣብ ግዜ ምጥጣሕ ንዓኻ ዝመደብኩምዎ ትርኢ።",
    ],
    // Activities
    ["Dina aktiviteter", "Your activities", "أنشطتك", "فعالیت‌های شما", "Hawlahaaga", "ንጥፈታትካ"],
    // Activity
    ["Aktivitet", "Activity", "النشاط", "فعالیت", "Hawl", "ንጥፈት"],
    // From
    ["Från", "From", "من", "از", "Laga bilaabo", "ካብ"],
    // To
    ["Till", "To", "إلى", "تا", "Ilaa", "ክሳብ"],
    // Status
    ["Läge", "Status", "الحالة", "وضعیت", "Xaalad", "ኩነታት"],
    // Contact
    ["Kontakt", "Contact", "جهة الاتصال", "تماس", "La xiriir", "ርክብ"],
    // NoActivities
    [
        "Inga aktiviteter är planerade ännu.",
        "No activities are planned yet.",
        "لا توجد أنشطة مخططة بعد.",
        "هنوز هیچ فعالیتی برنامه‌ریزی نشده است.",
        "Weli hawlo lama qorsheyn.",
        "ክሳብ ሕጂ ዝተመደበ ንጥፈት የለን።",
    ],
    // PeriodEnds
    [
        "Din etableringstid slutar",
        "Your establishment period ends",
        "تنتهي فترة التأسيس الخاصة بك في",
        "دوران استقرار شما به پایان می‌رسد در",
        "Muddada dejintaadu waxay dhammaanaysaa",
        "ግዜ ምጥጣሕካ ዝውድኣሉ",
    ],
    // DaysLeft
    ["dagar kvar", "days left", "يومًا متبقيًا", "روز باقی مانده", "maalmood ayaa haray", "መዓልታት ተሪፉ"],
    // NextMeeting
    [
        "Nästa uppföljning med din handläggare",
        "Next follow-up with your case worker",
        "المتابعة القادمة مع مسؤول ملفك",
        "پیگیری بعدی با مسئول پرونده‌تان",
        "Dabagalka xiga ee shaqaalahaaga kiiska",
        "ዝቕጽል ክትትል ምስ ሰራሕተኛ ጉዳይካ",
    ],
    // CaseWorker
    ["Din handläggare", "Your case worker", "مسؤول ملفك", "مسئول پرونده شما", "Shaqaalahaaga kiiska", "ሰራሕተኛ ጉዳይካ"],
    // Questions
    [
        "Har du frågor? Kontakta din handläggare. Du kan be om tolk.",
        "Do you have questions? Contact your case worker. You can ask for an interpreter.",
        "هل لديك أسئلة؟ اتصل بمسؤول ملفك. يمكنك طلب مترجم.",
        "سوالی دارید؟ با مسئول پرونده‌تان تماس بگیرید. می‌توانید ترجمان درخواست کنید.",
        "Su'aalo ma qabtaa? La xiriir shaqaalahaaga kiiska. Waxaad codsan kartaa turjubaan.",
        "ሕቶታት ኣለዉኻ ድዩ? ንሰራሕተኛ ጉዳይካ ተወከስ። ተርጓሚ ክትሓትት ትኽእል ኢኻ።",
    ],
    // Print
    ["Skriv ut", "Print", "طباعة", "چاپ", "Daabac", "ሕተም"],
    // Language
    ["Språk", "Language", "اللغة", "زبان", "Luqadda", "ቋንቋ"],
    // LinkValid
    [
        "Länken gäller till och med",
        "This link is valid until",
        "هذا الرابط صالح حتى",
        "این لینک معتبر است تا",
        "Xiriirkani wuxuu shaqaynayaa ilaa",
        "እዚ መላግቦ ክሳብ እዚ ዕለት የገልግል",
    ],
    // Planned
    ["planerad", "planned", "مخطط", "برنامه‌ریزی شده", "la qorsheeyay", "ዝተመደበ"],
    // Referred
    ["anmäld", "referred", "تمت الإحالة", "ارجاع شده", "la gudbiyay", "ዝተሰደደ"],
    // Started
    ["pågår", "ongoing", "جارٍ", "در جریان", "socda", "ይቕጽል ኣሎ"],
    // Completed
    ["klar", "done", "مكتمل", "تمام شده", "la dhammeeyay", "ተወዲኡ"],
    // Interrupted
    ["avbruten", "stopped", "متوقف", "متوقف شده", "la joojiyay", "ተቋሪጹ"],
    // Expired
    [
        "Länken gäller inte längre",
        "This link is no longer valid",
        "هذا الرابط لم يعد صالحًا",
        "این لینک دیگر معتبر نیست",
        "Xiriirkani mar dambe ma shaqaynayo",
        "እዚ መላግቦ ድሕሪ ሕጂ ኣየገልግልን",
    ],
    // ExpiredHelp
    [
        "Be din handläggare om en ny länk eller kod.",
        "Ask your case worker for a new link or code.",
        "اطلب من مسؤول ملفك رابطًا أو رمزًا جديدًا.",
        "از مسئول پرونده‌تان یک لینک یا کد جدید بخواهید.",
        "Ka codso shaqaalahaaga kiiska xiriir ama kood cusub.",
        "ካብ ሰራሕተኛ ጉዳይካ ሓድሽ መላግቦ ወይ ኮድ ሕተት።",
    ],
];

impl crate::InterventionStatus {
    /// The status in plain words in the plan's language.
    pub fn plain(self, lang: PlanLang) -> &'static str {
        lang.t(match self {
            crate::InterventionStatus::Planned => Text::Planned,
            crate::InterventionStatus::Referred => Text::Referred,
            crate::InterventionStatus::Started => Text::Started,
            crate::InterventionStatus::Completed => Text::Completed,
            crate::InterventionStatus::Interrupted => Text::Interrupted,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_exists_in_every_language() {
        for row in TEXTS.iter() {
            for t in row {
                assert!(!t.trim().is_empty());
            }
        }
        for l in PlanLang::ALL {
            assert_eq!(PlanLang::parse(l.tag()), Some(l));
        }
        assert_eq!(PlanLang::parse("fa"), Some(PlanLang::Prs));
        assert!(PlanLang::Ar.rtl() && PlanLang::Prs.rtl() && !PlanLang::Ti.rtl());
    }
}
