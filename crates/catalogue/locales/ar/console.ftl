# لوحة التحكم على الويب، بالعربية. المتغيرات: $count يحدد صيغة الجمع.

## الإطار
nav-inbox = صندوق الوارد
nav-orders = الطلبات
nav-handover = التسليم
nav-reports = التقارير
nav-health = حالة النظام
search-placeholder = #1047، الهاتف، رقم التتبع، الاسم
search-label = البحث عن طلب
search-button = بحث
sign-out = تسجيل الخروج
language-switch = اللغة
language-ar = العربية
language-fr = Français
language-en = English
retry = إعادة المحاولة
from = من
to = إلى

## الأعمدة
col-order = الطلب
col-shop = المتجر
col-customer = الزبون
col-why = سبب التوقف
col-received = وقت الاستلام
col-job = المهمة
col-last-error = آخر خطأ
col-when = الوقت
col-state = الحالة
col-tracking = رقم التتبع
col-collect = مبلغ التحصيل
col-courier-says = حسب شركة الشحن
col-since = منذ

## الوقت
ago-now = الآن
ago-minutes = { $count ->
    [zero] الآن
    [one] منذ دقيقة
    [two] منذ دقيقتين
    [few] منذ { $count } دقائق
    [many] منذ { $count } دقيقة
   *[other] منذ { $count } دقيقة
}
ago-hours = { $count ->
    [zero] منذ أقل من ساعة
    [one] منذ ساعة
    [two] منذ ساعتين
    [few] منذ { $count } ساعات
    [many] منذ { $count } ساعة
   *[other] منذ { $count } ساعة
}
ago-days = { $count ->
    [zero] اليوم
    [one] منذ يوم
    [two] منذ يومين
    [few] منذ { $count } أيام
    [many] منذ { $count } يوما
   *[other] منذ { $count } يوم
}
duration-seconds = { $count ->
    [zero] { $count } ثانية
    [one] ثانية واحدة
    [two] ثانيتان
    [few] { $count } ثوان
    [many] { $count } ثانية
   *[other] { $count } ثانية
}
duration-minutes = { $count ->
    [zero] { $count } دقيقة
    [one] دقيقة واحدة
    [two] دقيقتان
    [few] { $count } دقائق
    [many] { $count } دقيقة
   *[other] { $count } دقيقة
}
duration-hours = { $count ->
    [zero] { $count } ساعة
    [one] ساعة واحدة
    [two] ساعتان
    [few] { $count } ساعات
    [many] { $count } ساعة
   *[other] { $count } ساعة
}
duration-days = { $count ->
    [zero] { $count } يوم
    [one] يوم واحد
    [two] يومان
    [few] { $count } أيام
    [many] { $count } يوما
   *[other] { $count } يوم
}

## صندوق الوارد
inbox-title = بحاجة إلى تدخل
inbox-empty = لا يوجد أي طلب بانتظار تدخل شخص.
inbox-fix = تصحيح
inbox-call-title = الاتصال بالزبون
inbox-call-empty = لا يوجد أي توصيل عالق لدى الزبون.
inbox-call-hint = لم تتمكن شركة الشحن من توصيل هذه الطلبات: اتصل بالزبون، ثم أبلغ ShaQ بما قاله. يخرج الطلب من هذه القائمة عندما تنتقل شركة الشحن إلى المرحلة التالية.
inbox-call = اتصال
inbox-dead-title = المهام المتوقفة
inbox-dead-empty = لا توجد أي مهمة متوقفة.
inbox-dead-hint = المهمة المتوقفة هي مهمة فشلت نهائيا (أو فشلت مرات كثيرة). أصلح السبب (الإعدادات، الطلب)، ثم أعد محاولتها.

## حالات الطلب
state-received = تم الاستلام
state-awaiting_confirmation = في انتظار التأكيد
state-shipping = قيد الشحن
state-in_transit = في الطريق
state-out_for_delivery = خرج للتوصيل
state-delivery_problem = مشكلة في التوصيل
state-delivered = تم التوصيل
state-returning = قيد الإرجاع
state-returned = تم الإرجاع
state-cancelled = ملغى
state-needs_attention = بحاجة إلى تدخل

## سبب توقف الطلب
reason-confirmation-timed-out = لم يؤكد الزبون في الوقت المحدد.
reason-no-phone = لا يوجد رقم هاتف صالح.
reason-unusable-phone = لا يوجد رقم هاتف صالح: { $problem }.
reason-no-address = لا يوجد عنوان توصيل.
reason-outside-service-area = بلد الوجهة { $country } خارج منطقة خدمة ShaQ.
reason-no-region = لم يتم العثور على منطقة لعنوان التوصيل: اختر المنطقة، أو أضف عنوان GhanaPost GPS.
reason-unknown-region = «{ $region }» ليست من مناطق ShaQ.
reason-region-not-served = لا تتضمن قائمة مناطق ShaQ منطقة باسم «{ $region }».
reason-shop-sent-unusable = أرسل المتجر الطلب بحقل { $field } غير صالح ({ $problem }): صحح الطلب في المتجر؛ وسيعيده تحديثه التالي إلى هنا.
reason-read-separator = {"؛ "}
reason-read-split-region = قُسّمت «{ $field }» سنة 2019 إلى { $successors }: اذكر إحداها
reason-read-not-a-region = حقل المنطقة «{ $field }» ليس منطقة من مناطق غانا
reason-read-no-region-field = حقل المنطقة فارغ
reason-read-no-city = المدينة فارغة
reason-read-unknown-city = المدينة «{ $city }» ليست مكانًا تعرفه منصة الربط
reason-read-no-place-in-lines = أسطر العنوان لا تذكر أي مكان معروف ولا عنوان GhanaPost GPS

## المهام
job-apply_inbound_event = تطبيق ويب هوك
job-create_package = إنشاء طرد ShaQ
job-create_ticket = إنشاء تذكرة Digishare
job-move_ticket = نقل التذكرة
job-update_package = تحديث الطرد
job-cancel_package = إلغاء الطرد
job-attach_label = إرفاق الملصق
job-attach_invoice = إرفاق الفاتورة
job-write_back_to_shop = إبلاغ المتجر
job-reconcile = التحقق مع ShaQ
job-read_package = قراءة الطرد
job-expire_confirmation = انتهاء مهلة التأكيد
job-remind_confirmation = تذكير بالتأكيد
job-operator = إجراء يدوي
job-handover = التسليم إلى ShaQ
job-create_replacement = إرجاع أو استبدال
job-forget_customer = حذف بيانات الزبون
job-notify = إشعار الفريق
job-state-queued = في الانتظار
job-state-running = قيد التنفيذ
job-state-done = مكتملة
job-state-dead = متوقفة

## أنواع أحداث المسار
kind-shop = المتجر
kind-state = الحالة
kind-attention = بحاجة إلى تدخل
kind-address = العنوان
kind-ignored = تم تجاهله
kind-courier = شركة الشحن
kind-unmapped = حالة غير معروفة
kind-ticket = التذكرة
kind-call = مكالمة
kind-write_back = تم إبلاغ المتجر
kind-reconcile = تحقق
kind-error = خطأ
kind-operator = مستخدم

## حالات التذكرة (ما أُرسل إلى الزبون)
ticket-status-awaiting_confirmation = تم طلب التأكيد
ticket-status-confirmed = تم التأكيد
ticket-status-cancelled = تم الإلغاء
ticket-status-received = تم استلام الطلب
ticket-status-package_created = الطرد جاهز
ticket-status-picked_up = استلمته شركة الشحن
ticket-status-in_transit = في الطريق
ticket-status-out_for_delivery = خرج للتوصيل
ticket-status-delivery_problem = مشكلة في التوصيل
ticket-status-delivered = تم التوصيل
ticket-status-returned = تم الإرجاع
ticket-status-amount_updated = تغير المبلغ

## حالات شركة الشحن
shaq-status-not_delivered = لم يتم التوصيل
shaq-status-rescheduled = تمت إعادة الجدولة
shaq-status-customer_hold = معلق بطلب من الزبون
shaq-status-customer_unreachable = تعذر الاتصال بالزبون
shaq-status-suspected_scam = اشتباه في احتيال

## صفحة الطلبات
orders-find = بحث
orders-find-hint = #1047، 024 412 3456، SHQ…، Ama
orders-all-shops = الكل
orders-any-state = الكل
orders-csv = تصدير CSV
orders-none = لا يوجد أي طلب مطابق.
orders-summary = { $first }–{ $last } من أصل { $total }، الأحدث أولا.
orders-newer = → الأحدث
orders-older = الأقدم ←

## صفحة الطلب
order-title = الطلب
order-platform-id = معرف المنصة
order-received = تاريخ الاستلام
order-corrected = مصحح في منصة الربط
order-customer-title = الزبون والتوصيل
order-phone = الهاتف
order-address = العنوان
order-region = المنطقة
order-items = المنتجات
order-item = { $count } × { $name } بسعر { $price }
order-note = ملاحظة الزبون
order-no-phone = لا يوجد
order-region-not-found = لم يتم العثور عليها بعد
order-package-title = الطرد والتذكرة
order-package = طرد ShaQ
order-ticket = تذكرة Digishare
order-not-created = لم يتم الإنشاء
order-invoice = الفاتورة
order-invoice-on-ticket = مرفقة بالتذكرة
order-invoice-not-yet = لم تُرفق بالتذكرة بعد
order-resume = استئناف
order-replay = إعادة تشغيل آخر ويب هوك
order-replay-hint = تمرير آخر ويب هوك للطلب عبر مسار المعالجة مرة أخرى
order-return = استرجاع المنتج
order-return-hint = تسترجع ShaQ المنتج من الزبون
order-replace = إرسال منتج بديل
order-replace-hint = توصل ShaQ منتجا بديلا
order-exchange = استبدال
order-exchange-hint = تسترجع ShaQ المنتج وتوصل منتجا جديدا في الزيارة نفسها
order-cancel-confirm = نعم، إلغاء هذا الطلب
order-cancel = إلغاء الطلب
order-cancel-tick = حدد «نعم، إلغاء هذا الطلب» لإلغائه.
order-fix-title = التصحيح والاستئناف
order-correct-title = تصحيح التوصيل
order-fix-hint = ما تغيره هنا يُحتفظ به حتى لو أرسل المتجر الطلب مجددا، ويُسجل في مسار الطلب باسمك.
order-choose = — اختر —
order-line1 = العنوان، السطر 1
order-line2 = العنوان، السطر 2
order-line2-hint = GhanaPost GPS، معلم قريب
order-city = المدينة أو البلدة
order-amount = المبلغ المطلوب تحصيله
order-field = الحقل
order-save-resume = حفظ واستئناف
order-save-only = حفظ فقط
order-save = حفظ
order-nothing-changed = لم يتغير شيء: عدّل حقلا، أو استخدم «استئناف».
order-sent-title = ما أُرسل إلى الزبون
order-journey = مسار الطلب
order-what = الحدث
order-call = المكالمة
order-by = بواسطة { $name }
order-attempt = المحاولة { $count }
order-jobs = المهام
order-attempts = المحاولات
order-webhooks = طلبات الويب هوك المستلمة
order-phones-masked = أرقام الهواتف مخفية
order-body-removed = (حُذف المحتوى وفق إعدادات الاحتفاظ بالبيانات)

## بعد تنفيذ إجراء
done-correct = تم الحفظ. يحتفظ الطلب بهذه البيانات حتى لو أرسله المتجر مجددا.
done-correct-resume = تم الحفظ والاستئناف: الطلب في طريقه من جديد.
done-resume = تم الاستئناف: الطلب في طريقه من جديد.
done-replay = أعيد تمرير الويب هوك عبر مسار المعالجة.
done-cancel = تم الإلغاء: يجري إبلاغ ShaQ و Digishare والمتجر.
done-return = تم طلب الإرجاع: ستسترجع ShaQ المنتج من الزبون؛ وسيظهر طرده في مسار الطلب.
done-replace = تم طلب منتج بديل: ستوصل ShaQ منتجا جديدا؛ وسيظهر طرده في مسار الطلب.
done-exchange = تم طلب الاستبدال: ستسترجع ShaQ المنتج وتوصل منتجا جديدا؛ وستظهر طرودهما في مسار الطلب.
done-retry = أعيدت المهمة إلى قائمة الانتظار.
done-queued = في قائمة الانتظار: المهام السابقة لهذا الطلب لا تزال قيد التنفيذ؛ أعد تحميل الصفحة بعد لحظات.

## التسليم لشركة الشحن
handover-hint = قبل وصول مندوب ShaQ: يضع زر «التسليم الآن» كل طرد جاهز (أُنشئ لدى ShaQ، ولم يُستلم بعد، وطلبه غير ملغى، وغير مدرج في أي شحنة سابقة) في شحنة ShaQ واحدة، ويطبع بيانها — ما يأخذه المندوب والمبلغ المطلوب تحصيله — متبوعا بجميع الملصقات.
handover-ready = جاهز للتسليم
handover-daily = التسليم اليومي
handover-on-demand = عند الطلب
handover-every-day = كل يوم في الساعة { $time }
handover-now = التسليم الآن
handover-shipments = الشحنات
handover-none = لا توجد أي شحنة بعد.
handover-reference = مرجع ShaQ
handover-packages = الطرود
handover-asked-by = بطلب من
handover-print = طباعة (PDF)
handover-gathered = { $count ->
    [zero] لم يتم تجميع أي طرد.
    [one] تم تجميع طرد واحد: يجري إنشاء الشحنة لدى ShaQ؛ وسيظهر ملف PDF الخاص بها أدناه بعد لحظات.
    [two] تم تجميع طردين: يجري إنشاء الشحنة لدى ShaQ؛ وسيظهر ملف PDF الخاص بها أدناه بعد لحظات.
    [few] تم تجميع { $count } طرود: يجري إنشاء الشحنة لدى ShaQ؛ وسيظهر ملف PDF الخاص بها أدناه بعد لحظات.
    [many] تم تجميع { $count } طردا: يجري إنشاء الشحنة لدى ShaQ؛ وسيظهر ملف PDF الخاص بها أدناه بعد لحظات.
   *[other] تم تجميع { $count } طرد: يجري إنشاء الشحنة لدى ShaQ؛ وسيظهر ملف PDF الخاص بها أدناه بعد لحظات.
}
handover-done = { $count ->
    [zero] لم يتم تسليم أي طرد.
    [one] تم تسليم طرد واحد: الشحنة وملف PDF الخاص بها أدناه.
    [two] تم تسليم طردين: الشحنة وملف PDF الخاص بها أدناه.
    [few] تم تسليم { $count } طرود: الشحنة وملف PDF الخاص بها أدناه.
    [many] تم تسليم { $count } طردا: الشحنة وملف PDF الخاص بها أدناه.
   *[other] تم تسليم { $count } طرد: الشحنة وملف PDF الخاص بها أدناه.
}
handover-nothing = لا يوجد لدى { $shop } أي طرد بانتظار التسليم.
shipment-gathered = تم التجميع
shipment-requesting = جار الطلب من ShaQ
shipment-created = أُنشئت لدى ShaQ
shipment-ready = جاهزة
shipment-refused = رفضتها ShaQ

## التقارير
reports-hint = تحسب كل فترة الطلبات المستلمة خلالها (بتوقيت المتجر) وما آلت إليه منذ ذلك الحين، لذا تستقر نسبها تدريجيا مع وصول طرودها.
reports-every-shop = كل المتاجر
reports-by = حسب
granularity-day = اليوم
granularity-week = الأسبوع
granularity-month = الشهر
reports-show = عرض
reports-csv-periods = CSV: الفترات
reports-csv-regions = CSV: المناطق
reports-received = المستلمة
reports-confirmed = المؤكدة
reports-confirmed-detail = { $confirmed } من أصل { $asked } طُلب تأكيدها · الوسيط { $median }
reports-declined-no-answer = المرفوضة · بدون رد
reports-delivered = تم توصيلها
reports-of-shipped = { $count ->
    [zero] لا طرود مشحونة
    [one] من أصل طرد واحد مشحون
    [two] من أصل طردين مشحونين
    [few] من أصل { $count } طرود مشحونة
    [many] من أصل { $count } طردا مشحونا
   *[other] من أصل { $count } طرد مشحون
}
reports-returned = المرتجعة (RTO)
reports-returned-short = المرتجعة
reports-parcels = { $count ->
    [zero] لا طرود
    [one] طرد واحد
    [two] طردان
    [few] { $count } طرود
    [many] { $count } طردا
   *[other] { $count } طرد
}
reports-cash-title = الدفع عند الاستلام ({ $currency })
reports-cash-detail = محصلة من أصل { $expected }؛ و { $outstanding } في الطريق
reports-confirmation-rate = نسبة التأكيد
reports-return-rate = نسبة الإرجاع
reports-right-axis = المحور الأيمن: 0–100 %
reports-period = الفترة
reports-median-confirm = المدة الوسيطة للتأكيد
reports-declined = المرفوضة
reports-no-answer = بدون رد
reports-shipped = المشحونة
reports-rto = RTO
reports-amount-changed = تغير المبلغ
reports-cash-collected = المبلغ المحصل
reports-on-the-road = في الطريق
reports-regions-title = التوصيل حسب منطقة ShaQ
reports-regions-empty = لم يُشحن أي طرد خلال هذه الفترة.
reports-success = نسبة نجاح التوصيل
reports-median-days = المدة الوسيطة للتوصيل (أيام)
reports-not-located = (غير محدد الموقع)
reports-minutes = { $value } د
reports-hours = { $value } س

## حالة النظام
health-queue = قائمة انتظار المهام
health-outcomes = نتائج المهام
health-outcomes-columns = في الانتظار · مكتملة · متوقفة
health-last-webhook = آخر ويب هوك
health-silent-hint = يُعلَّم المتجر بأنه صامت إذا لم يرسل شيئا لأكثر من { $after }.
health-silent = صامت
health-never = لا يوجد
health-bridge = منصة الربط
health-version = الإصدار
health-database = قاعدة البيانات
health-writes = الكتابة
health-writes-ok = تعمل
health-writes-failing = معطلة: تُرفض طلبات الويب هوك برمز 503

## تسجيل الدخول
login-title = تسجيل الدخول
login-name = الاسم
login-name-hint = اتركه فارغا لرمز المشرف
login-password = كلمة المرور أو رمز المشرف
login-submit = دخول
login-not-a-form = هذا ليس نموذج تسجيل دخول.
login-other-origin = لم يصدر طلب تسجيل الدخول هذا من لوحة التحكم هذه.
login-throttled = محاولات تسجيل دخول كثيرة جدا من هذا العنوان: انتظر دقيقة.
login-wrong = الاسم أو كلمة المرور غير صحيحة.

## الرسائل
message-back = العودة إلى لوحة التحكم
message-refused = مرفوض
message-not-found = غير موجود
message-not-ready = غير جاهز بعد
message-console-off = لوحة التحكم معطلة
message-console-off-text = لا يمكن لأحد تسجيل الدخول: عيّن server.admin_token، أو أضف [[console.operators]] (انظر docs/console.md).
message-role = دورك ({ $role }) يسمح بالاطلاع فقط، لا بتنفيذ هذا الإجراء: اطلب ذلك من شخص لديه الدور { $needed }.
message-csrf = لم يصدر هذا النموذج من صفحة في لوحة التحكم ضمن هذه الجلسة (فحص CSRF). أعد تحميل الصفحة وحاول مرة أخرى.
message-storage-down = التخزين غير متاح
message-storage-down-text = لم تستجب قاعدة البيانات. تواصل منصة الربط إعادة المحاولة؛ أعد تحميل الصفحة بعد لحظات.
message-no-such-action = إجراء غير موجود.
message-no-shop = لم يتم إعداد أي متجر باسم «{ $shop }».
message-job-not-dead = المهمة { $id } ليست متوقفة، أو غير موجودة (ربما أعيدت محاولتها من قبل).
reports-chart-label = طلبات { $shop } حسب { $by }: المستلمة، المؤكدة، التي تم توصيلها، المرتجعة؛ ونسبتا التأكيد والإرجاع
region-source-field = من خانة المنطقة
region-source-code = من الرمز { $code }
region-source-alias = من الاسم البديل { $alias }
region-source-gps = من عنوان GhanaPost GPS { $address }
region-source-place = من المكان { $place }
region-source-default = المنطقة الافتراضية للمتجر
region-source-chosen = اختارها شخص
refusal-nothing-to-correct = التصحيح لا يغيّر شيئًا.
refusal-finished = حالة الطلب «{ $state }»: لقد انتهى.
refusal-picked-up = استلمت ShaQ الطرد: عدّل التوصيل مع ShaQ.
refusal-not-waiting = حالة الطلب «{ $state }»، وهو لا ينتظر تدخل أحد.
refusal-has-package = للطلب طرد لدى ShaQ: الحالة التالية من شركة الشحن ستحرّكه.
refusal-still-unshippable = لا يزال الطلب غير قابل للشحن: { $reason }
refusal-not-delivered = حالة الطلب «{ $state }»: الإرجاع أو الاستبدال أو التبديل يتطلب طلبًا تم توصيله.
refusal-after-sale-underway = إرجاع أو استبدال أو تبديل لهذا الطلب لا يزال جاريًا ({ $what }).
refusal-after-sale-being-booked = إرجاع أو استبدال أو تبديل لهذا الطلب قيد الحجز بالفعل.
refusal-shop-gone = لم يعد المتجر مُعدًّا.
refusal-nothing-to-replay = ليس لهذا الطلب أي ويب هوك لإعادة تشغيله.
phone-empty = رقم الهاتف فارغ
phone-not-digits = رقم الهاتف يحتوي على رموز غير الأرقام
phone-no-country = الرقم المحلي يحتاج إلى دولة
phone-wrong-length = رقم الهاتف غير صالح لدولته
phone-fixed-line = الرقم خط ثابت لا يستقبل رسائل واتساب
problem-empty = يجب ألا يكون فارغًا
problem-too-long = { $count ->
    [zero] لا يُقبل أي حرف
    [one] حرف واحد على الأكثر
    [two] حرفان على الأكثر
    [few] { $count } أحرف على الأكثر
    [many] { $count } حرفًا على الأكثر
   *[other] { $count } حرف على الأكثر
}
problem-not-a-number = يجب أن يكون عددًا عشريًا
problem-amount-range = يجب أن يكون صفرًا أو أكثر، بخانتين عشريتين على الأكثر
message-no-order = لا يوجد طلب «{ $order }» في المتجر «{ $shop }»: تحقق من الرقم الذي ذكره الزبون.
journey-ticket-sent = التذكرة في حالة «{ $status }»: أُرسلت رسالة واتساب الخاصة بها إلى الزبون
