# The newcomer's own plan ("min plan"): ትግርኛ (Tigrinya).
# Etablera's own texts. The Arabic, Dari, Somali and Tigrinya versions should be checked by
# an authorised translator before a municipality relies on them. Every file has the same
# message ids; a test fails when one is missing or empty.

plan-title = ናተይ መደብ
plan-intro = ኣብዚ ንስኻን ሰራሕተኛ ጉዳይካን ኣብ ግዜ ምጥጣሕ ንዓኻ ዝመደብኩምዎ ትርኢ።
plan-activities = ንጥፈታትካ
plan-activity = ንጥፈት
plan-from = ካብ
plan-to = ክሳብ
plan-status = ኩነታት
plan-contact = ርክብ
plan-no-activities = ክሳብ ሕጂ ዝተመደበ ንጥፈት የለን።
plan-period-ends = ግዜ ምጥጣሕካ ዝውድኣሉ
plan-days-left = መዓልታት ተሪፉ
plan-next-meeting = ዝቕጽል ክትትል ምስ ሰራሕተኛ ጉዳይካ
plan-case-worker = ሰራሕተኛ ጉዳይካ
plan-questions = ሕቶታት ኣለዉኻ ድዩ? ንሰራሕተኛ ጉዳይካ ተወከስ። ተርጓሚ ክትሓትት ትኽእል ኢኻ።
plan-print = ሕተም
plan-language = ቋንቋ
plan-link-valid = እዚ መላግቦ ክሳብ እዚ ዕለት የገልግል
plan-planned = ዝተመደበ
plan-referred = ዝተሰደደ
plan-started = ይቕጽል ኣሎ
plan-completed = ተወዲኡ
plan-interrupted = ተቋሪጹ
plan-expired = እዚ መላግቦ ድሕሪ ሕጂ ኣየገልግልን
plan-expired-help = ካብ ሰራሕተኛ ጉዳይካ ሓድሽ መላግቦ ወይ ኮድ ሕተት።
