# The newcomer's own plan ("min plan"): English.
# Etablera's own texts. The Arabic, Dari, Somali and Tigrinya versions should be checked by
# an authorised translator before a municipality relies on them. Every file has the same
# message ids; a test fails when one is missing or empty.

plan-title = My plan
plan-intro = Here you can see what you and your case worker have planned for you during the establishment period.
plan-activities = Your activities
plan-activity = Activity
plan-from = From
plan-to = To
plan-status = Status
plan-contact = Contact
plan-no-activities = No activities are planned yet.
plan-period-ends = Your establishment period ends
plan-days-left = days left
plan-next-meeting = Next follow-up with your case worker
plan-case-worker = Your case worker
plan-questions = Do you have questions? Contact your case worker. You can ask for an interpreter.
plan-print = Print
plan-language = Language
plan-link-valid = This link is valid until
plan-planned = planned
plan-referred = referred
plan-started = ongoing
plan-completed = done
plan-interrupted = stopped
plan-expired = This link is no longer valid
plan-expired-help = Ask your case worker for a new link or code.
