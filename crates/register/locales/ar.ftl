# The newcomer's own plan ("min plan"): العربية (Arabic).
# Etablera's own texts. The Arabic, Dari, Somali and Tigrinya versions should be checked by
# an authorised translator before a municipality relies on them. Every file has the same
# message ids; a test fails when one is missing or empty.

plan-title = خطتي
plan-intro = هنا ترى ما خططته أنت ومسؤول ملفك لك خلال فترة التأسيس.
plan-activities = أنشطتك
plan-activity = النشاط
plan-from = من
plan-to = إلى
plan-status = الحالة
plan-contact = جهة الاتصال
plan-no-activities = لا توجد أنشطة مخططة بعد.
plan-period-ends = تنتهي فترة التأسيس الخاصة بك في
plan-days-left = يومًا متبقيًا
plan-next-meeting = المتابعة القادمة مع مسؤول ملفك
plan-case-worker = مسؤول ملفك
plan-questions = هل لديك أسئلة؟ اتصل بمسؤول ملفك. يمكنك طلب مترجم.
plan-print = طباعة
plan-language = اللغة
plan-link-valid = هذا الرابط صالح حتى
plan-planned = مخطط
plan-referred = تمت الإحالة
plan-started = جارٍ
plan-completed = مكتمل
plan-interrupted = متوقف
plan-expired = هذا الرابط لم يعد صالحًا
plan-expired-help = اطلب من مسؤول ملفك رابطًا أو رمزًا جديدًا.
