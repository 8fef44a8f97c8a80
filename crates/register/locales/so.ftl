# The newcomer's own plan ("min plan"): Soomaali (Somali).
# Etablera's own texts. The Arabic, Dari, Somali and Tigrinya versions should be checked by
# an authorised translator before a municipality relies on them. Every file has the same
# message ids; a test fails when one is missing or empty.

plan-title = Qorshahayga
plan-intro = Halkan waxaad ku aragtaa waxa adiga iyo shaqaalahaaga kiiskaagu aad u qorsheyseen muddada dejinta.
plan-activities = Hawlahaaga
plan-activity = Hawl
plan-from = Laga bilaabo
plan-to = Ilaa
plan-status = Xaalad
plan-contact = La xiriir
plan-no-activities = Weli hawlo lama qorsheyn.
plan-period-ends = Muddada dejintaadu waxay dhammaanaysaa
plan-days-left = maalmood ayaa haray
plan-next-meeting = Dabagalka xiga ee shaqaalahaaga kiiska
plan-case-worker = Shaqaalahaaga kiiska
plan-questions = Su'aalo ma qabtaa? La xiriir shaqaalahaaga kiiska. Waxaad codsan kartaa turjubaan.
plan-print = Daabac
plan-language = Luqadda
plan-link-valid = Xiriirkani wuxuu shaqaynayaa ilaa
plan-planned = la qorsheeyay
plan-referred = la gudbiyay
plan-started = socda
plan-completed = la dhammeeyay
plan-interrupted = la joojiyay
plan-expired = Xiriirkani mar dambe ma shaqaynayo
plan-expired-help = Ka codso shaqaalahaaga kiiska xiriir ama kood cusub.
