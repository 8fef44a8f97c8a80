# The newcomer's own plan ("min plan"): svenska.
# Etablera's own texts. The Arabic, Dari, Somali and Tigrinya versions should be checked by
# an authorised translator before a municipality relies on them. Every file has the same
# message ids; a test fails when one is missing or empty.

plan-title = Min plan
plan-intro = Här ser du vad du och din handläggare har planerat för dig under etableringstiden.
plan-activities = Dina aktiviteter
plan-activity = Aktivitet
plan-from = Från
plan-to = Till
plan-status = Läge
plan-contact = Kontakt
plan-no-activities = Inga aktiviteter är planerade ännu.
plan-period-ends = Din etableringstid slutar
plan-days-left = dagar kvar
plan-next-meeting = Nästa uppföljning med din handläggare
plan-case-worker = Din handläggare
plan-questions = Har du frågor? Kontakta din handläggare. Du kan be om tolk.
plan-print = Skriv ut
plan-language = Språk
plan-link-valid = Länken gäller till och med
plan-planned = planerad
plan-referred = anmäld
plan-started = pågår
plan-completed = klar
plan-interrupted = avbruten
plan-expired = Länken gäller inte längre
plan-expired-help = Be din handläggare om en ny länk eller kod.
