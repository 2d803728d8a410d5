# مسار الطلب: أسطر تسلسله الزمني، بالعربية. العناصر المُدرجة (الحالات، الأسباب، الحالات لدى
# شركة الشحن) تصل مترجمة.

line-separator = {"، "}

## تغيّر في الحالة، وسبب حاجة الطلب إلى تدخل شخص

line-state-moved = { $from } ← { $to }
line-received-to = تم الاستلام ← { $state }
line-needs-attention = بحاجة إلى تدخل: { $reason }
line-address = { $located }

## أخبار لم تغيّر شيئا

line-unused-unknown-source = مصدر غير معروف: { $source }
line-unused-not-an-order = ليس حدثا خاصا بطلب
line-unused-event = الحدث { $event } غير مستخدم
line-unused-no-ticket-status = لا توجد حالة تذكرة في الحدث
line-no-order-for-package = لا يوجد طلب لديه هذا الطرد: حُفظ الحدث، ولم يُتخذ أي إجراء
line-no-order-for-ticket = لا يوجد طلب لديه هذه التذكرة
line-courier-not-applied = لم تُطبَّق حالة ShaQ «{ $status }»: { $why }
line-amount-of-linked-package = تحديث المبلغ خاص بطرد ما بعد التوصيل { $reference }: لا يخص الطلب
line-amount-not-applied = لم يُطبَّق المبلغ الجديد من ShaQ: { $why }
line-package-not-this-orders = يذكر الحدث الطرد { $reference }، وهو ليس طرد هذا الطلب
line-order-has-no-package = ليس للطلب طرد لدى ShaQ (حالته: { $state })
line-courier-not-newer = حالة شركة الشحن { $status } بتاريخ { $at } ليست أحدث من { $last } بتاريخ { $last_at }
line-ticket-older = حالة التذكرة بتاريخ { $at } أقدم من الحالة المطبقة بتاريخ { $last }
line-ticket-unchanged = لم تتغير حالة التذكرة (صدى لتغيير أجرته منصة الربط نفسها، أو تغيير لا يخص الحالة)
line-shop-version-old = إصدار المتجر { $incoming } ليس أحدث من الإصدار المحفوظ { $stored }
line-deleted-unseen = حُذف الطلب قبل أن تطّلع عليه منصة الربط
line-after-sale-unknown-order = { $reference }: لا يوجد لدى منصة الربط طلب بهذا المرجع، ولم يُحجز شيء لدى ShaQ
line-change-unreadable = تعذرت قراءة تعديل المتجر ({ $problem })؛ يستمر الطلب كما كان
line-customer-kept = احتُفظ ببيانات الزبون: عاد الطلب إلى حالة «{ $state }»، ولم ينته بعد
line-no-linked-package = لا يوجد طرد مرتبط بهذا المرجع
line-linked-older = معلومة أقدم عن { $noun } { $reference }

## المتجر

line-order-received = تم استلام الطلب { $order }
line-order-partly-read = تم استلام الطلب { $order }، لكن تعذرت قراءته كاملا
line-order-updated = تم تحديث الطلب { $order }
line-cancelled-before = أُلغي الطلب قبل أن تتخذ منصة الربط أي إجراء
line-changed-after-pickup = تغيّر العنوان أو الهاتف أو المنتجات بعد أن استلمت ShaQ الطرد: لم يتم تحديث ShaQ
line-shop-cancelled-final = ألغى المتجر طلبا حالته بالفعل «{ $state }»
line-shop-cancelled-after-pickup = ألغى المتجر الطلب بعد أن استلمت ShaQ الطرد: طُلب من ShaQ الإلغاء؛ وسيعود الطرد
line-shop-after-sale = وافق المتجر على { $reference }: { $kind } ({ $description })
line-shop-after-sale-refused = وافق المتجر على { $reference } ({ $kind })، لكن لم يُحجز شيء لدى ShaQ (احجزه من لوحة التحكم عندما يصبح ذلك ممكنا): { $refusal }
line-shop-told = تم إبلاغ المتجر بـ `{ $milestone }`: { $summary }
line-shop-shows-nothing = لا يعرض المتجر أي شيء بخصوص `{ $milestone }`

## ShaQ

line-courier-status = ShaQ: { $status }
line-courier-status-described = ShaQ: { $status } ({ $description })
line-courier-status-commented = ShaQ: { $status } — { $comment }
line-courier-status-described-commented = ShaQ: { $status } ({ $description }) — { $comment }
line-courier-step-back = رجعت ShaQ من { $last } إلى { $status }: سُجّل ذلك، ولم تُرسل أي رسالة إلى الزبون
line-courier-step-back-commented = رجعت ShaQ من { $last } إلى { $status } ({ $comment }): سُجّل ذلك، ولم تُرسل أي رسالة إلى الزبون
line-courier-unmapped = حالة شركة الشحن `{ $status }` غير مربوطة بأي حالة: لم تُنقل التذكرة
line-courier-unchanged = لم تتغير الحالة: لم تُنقل التذكرة
line-package-record = سجل الطرد لدى ShaQ: { $changes }
line-new-delivery-day = يوم توصيل جديد { $day }
line-delivery-window = فترة التوصيل { $from } – { $to }
line-tracking-page = صفحة التتبع الخاصة به
line-amount-already = المبلغ المطلوب تحصيله هو { $amount } بالفعل
line-amount-changed = المبلغ المطلوب تحصيله: { $from } ← { $to }
line-amount-changed-because = المبلغ المطلوب تحصيله: { $from } ← { $to } ({ $reason })
line-reconciled = { $count ->
        [zero] لم يطبّق التحقق مع ShaQ أي حالة فائتة من شركة الشحن
        [one] طبّق التحقق مع ShaQ حالة واحدة فائتة من شركة الشحن
        [two] طبّق التحقق مع ShaQ حالتين فائتتين من شركة الشحن
        [few] طبّق التحقق مع ShaQ { $count } حالات فائتة من شركة الشحن
        [many] طبّق التحقق مع ShaQ { $count } حالة فائتة من شركة الشحن
       *[other] طبّق التحقق مع ShaQ { $count } حالة فائتة من شركة الشحن
    }
line-package-created = تم إنشاء طرد ShaQ { $tracking } (للتحصيل: { $amount })
line-package-adopted = تم اعتماد طرد ShaQ { $tracking } (كان موجودا من قبل) (للتحصيل: { $amount })
line-package-updated = تم تحديث طرد ShaQ بتعديلات المتجر
line-no-package-to-cancel = لا يوجد طرد ShaQ لإلغائه
line-package-deleted = تم حذف طرد ShaQ { $tracking } (كان لا يزال قيد الانتظار)
line-package-already-gone = كان طرد ShaQ { $tracking } قد أُزيل من قبل
line-cancel-asked = طُلب من ShaQ إلغاء الطرد { $tracking } (حالته: { $status })
line-cancel-asked-in-shipment = طُلب من ShaQ إلغاء الطرد { $tracking } (حالته: { $status }): سُلّم ضمن الشحنة { $shipment } التي لا يزال بيانها يتضمنه — سيعيده المندوب
line-handed-over = سُلّم إلى ShaQ ضمن الشحنة { $reference } ({ $count ->
        [zero] لا طرود
        [one] طرد واحد
        [two] طردان
        [few] { $count } طرود
        [many] { $count } طردا
       *[other] { $count } طرد
    })
line-left-out = استُبعد من الشحنة { $reference }: لم يعد جاهزا للتسليم (حالة الطلب: { $state }، وحالة طرده: { $status })
line-without-a-status = بدون حالة
line-handover-refused = رفضت ShaQ شحنة التسليم ({ $reason }): سيصبح الطرد جاهزا للتسليم من جديد بعد إصلاح السبب

## الإرجاع والاستبدال والتبديل

line-after-sale-return = الإرجاع
line-after-sale-replace = الاستبدال
line-after-sale-exchange = التبديل
line-after-sale-return-described = استرجاع المنتج من الزبون
line-after-sale-replace-described = توصيل منتج بديل إلى الزبون
line-after-sale-exchange-described = استرجاع المنتج وتوصيل منتج جديد في الزيارة نفسها
line-return-package = طرد الإرجاع
line-replacement-package = الطرد البديل
line-the-original-package = الطرد الأصلي
line-after-sale-created = ShaQ: تم إنشاء { $noun } { $tracking } لعملية { $kind } ({ $description }؛ مرتبط مع { $original })
line-after-sale-refused = رفضت ShaQ عملية { $kind }: { $reason }
line-linked-status = ShaQ: { $noun } { $tracking }: { $status }
line-linked-status-described = ShaQ: { $noun } { $tracking }: { $status } ({ $description })

## Digishare

line-ticket-created = تم إنشاء تذكرة Digishare { $ticket } بالحالة «{ $status }»
line-ticket-adopted = تم اعتماد تذكرة Digishare { $ticket } (كانت موجودة من قبل) بالحالة «{ $status }»
line-ticket-created-with-invoice = تم إنشاء تذكرة Digishare { $ticket } بالحالة «{ $status }»، مع فاتورتها
line-ticket-adopted-with-invoice = تم اعتماد تذكرة Digishare { $ticket } (كانت موجودة من قبل) بالحالة «{ $status }»، مع فاتورتها
line-ticket-created-invoice-later = تم إنشاء تذكرة Digishare { $ticket } بالحالة «{ $status }»، دون فاتورتها حاليا ({ $why }): ستُرفق بمجرد أن تقبلها Digishare
line-ticket-adopted-invoice-later = تم اعتماد تذكرة Digishare { $ticket } (كانت موجودة من قبل) بالحالة «{ $status }»، دون فاتورتها حاليا ({ $why }): ستُرفق بمجرد أن تقبلها Digishare
line-ticket-moved = نُقلت تذكرة Digishare إلى «{ $status }»
line-ticket-refreshed = تم تحديث بيانات تذكرة Digishare
line-label-attached = أُرفق ملصق ShaQ بالتذكرة
line-invoice-attached = أُرفقت الفاتورة بتذكرة Digishare
line-ticket-status = Digishare: نُقلت التذكرة إلى «{ $status }»
line-confirmed-after-cancel = أكد الزبون بعد إلغاء الطلب لعدم الرد: لن يُشحن أي شيء تلقائيا؛ اتصل بالزبون، وأعد إنشاء الطلب في المتجر إذا كان لا يزال يريده
line-customer-cancelled-after-pickup = ألغى الزبون بعد أن استلمت ShaQ الطرد: اطلب من ShaQ إرجاع الطرد
line-no-answer-cancelled = لم يرد الزبون في الوقت المحدد: أُلغي الطلب (on_no_answer = cancel)
line-reminder = التذكير { $number } من { $of }: نُقلت التذكرة إلى «{ $status }» (ترسل أتمتة Digishare الخاصة بها رسالة إلى الزبون)
line-reminder-held = التذكير { $number } من { $of }: نُقلت التذكرة إلى «{ $status }» (ترسل أتمتة Digishare الخاصة بها رسالة إلى الزبون)؛ وقد انتظر انتهاء ساعات الهدوء ({ $quiet })

## الأشخاص

line-action-correction = التصحيح
line-action-resume = الاستئناف
line-action-replay = إعادة التشغيل
line-action-cancel = الإلغاء
line-operator-refused = رُفض طلب { $action } من { $by }: { $refusal }
line-replayed = أعاد { $by } تشغيل الحدث الوارد { $event }
line-after-sale-asked = طلب { $by } عملية { $kind }: { $description }
line-job-retried = أعاد { $by } محاولة المهمة «{ $job }» رقم { $id }
line-corrected = تصحيح بواسطة { $by }: { $changes }
line-corrected-region = المنطقة ← { $value }
line-corrected-line1 = سطر العنوان 1 ← { $value }
line-corrected-line2 = سطر العنوان 2 ← { $value }
line-corrected-city = المدينة ← { $value }
line-corrected-phone = الهاتف ← { $value }
line-corrected-amount = المبلغ المطلوب تحصيله ← { $value }
line-resumed = استئناف بواسطة { $by }
line-resume-refused = رُفض الاستئناف الذي طلبه { $by }: { $reason }
line-cancelled-by = أُلغي بواسطة { $by }
line-cancelled-after-pickup = أُلغي بعد أن استلمت ShaQ الطرد: طُلب من ShaQ الإلغاء؛ وسيعود الطرد

## الاحتفاظ بالبيانات والأعطال

line-customer-forgotten = حُذف اسم الزبون وهاتفه وبريده الإلكتروني وشارعه وملاحظته (إعدادات الاحتفاظ بالبيانات)
line-job-failed = فشلت المهمة «{ $job }» (المحاولة { $attempt }): { $error }

## مهام لم يبق لها ما تفعله

line-package-not-created = لم يُنشأ الطرد: الطلب «{ $state }»
line-package-not-updated = لم يُحدَّث الطرد: غير موجود أو سبق استلامه
line-ticket-status-not-mapped = حالة التذكرة `{ $status }` غير معرّفة في digishare.statuses: لم يُرسل شيء
line-after-sale-already-booked = الإرجاع أو الاستبدال { $number } محجوز مسبقًا لدى ShaQ: لا يُطلب شيء آخر
