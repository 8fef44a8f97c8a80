# The newcomer's own plan ("min plan"): دری (Dari).
# Etablera's own texts. The Arabic, Dari, Somali and Tigrinya versions should be checked by
# an authorised translator before a municipality relies on them. Every file has the same
# message ids; a test fails when one is missing or empty.

plan-title = پلان من
plan-intro = اینجا می‌بینید که شما و مسئول پرونده‌تان در دوران استقرار چه برنامه‌ای برای شما ریخته‌اید.
plan-activities = فعالیت‌های شما
plan-activity = فعالیت
plan-from = از
plan-to = تا
plan-status = وضعیت
plan-contact = تماس
plan-no-activities = هنوز هیچ فعالیتی برنامه‌ریزی نشده است.
plan-period-ends = دوران استقرار شما به پایان می‌رسد در
plan-days-left = روز باقی مانده
plan-next-meeting = پیگیری بعدی با مسئول پرونده‌تان
plan-case-worker = مسئول پرونده شما
plan-questions = سوالی دارید؟ با مسئول پرونده‌تان تماس بگیرید. می‌توانید ترجمان درخواست کنید.
plan-print = چاپ
plan-language = زبان
plan-link-valid = این لینک معتبر است تا
plan-planned = برنامه‌ریزی شده
plan-referred = ارجاع شده
plan-started = در جریان
plan-completed = تمام شده
plan-interrupted = متوقف شده
plan-expired = این لینک دیگر معتبر نیست
plan-expired-help = از مسئول پرونده‌تان یک لینک یا کد جدید بخواهید.
