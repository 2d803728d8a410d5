# ما يقرؤه الزبون: متغيرات تذكرة واتساب والفاتورة.

## حالات الشحن
courier-pending = طردك قيد التحضير
courier-received = استلم الناقل طردك
courier-on-the-way = طردك في الطريق
courier-dispatched = طردك في طريقه إليك اليوم
courier-ready-for-pickup = طردك جاهز للاستلام
courier-confirmed = أكد المندوب معك موعد التوصيل
courier-delivered = تم تسليم طردك
courier-not-delivered = لم نتمكن من تسليم طردك
courier-rescheduled = تمت إعادة جدولة التوصيل
courier-customer-hold = طردك معلق بناء على طلبك
courier-customer-unreachable = لم يتمكن المندوب من الاتصال بك
courier-suspected-scam = طردك معلق
courier-returning = طردك في طريق الإرجاع
courier-returned = تمت إعادة طردك إلى المتجر

## موعد التوصيل
delivery-window = التوصيل المتوقع بين { $from } و { $to }
delivery-day = التوصيل المتوقع يوم { $day }
rescheduled-to = موعد التوصيل الجديد: { $date }

## تغيير المبلغ
amount-changed = أصبح المبلغ المطلوب عند التسليم { $new } (بدلا من { $old })

## الفاتورة
invoice-title = فاتورة
invoice-order = رقم الطلب
invoice-date = التاريخ
invoice-payment = الدفع
invoice-payment-cod = الدفع عند الاستلام
invoice-payment-prepaid = مدفوعة
invoice-deliver-to = التسليم إلى
invoice-item = المنتج
invoice-quantity = الكمية
invoice-unit-price = سعر الوحدة
invoice-amount = المبلغ
invoice-subtotal = المجموع الفرعي
invoice-adjustments = الشحن والخصومات والضرائب
invoice-total = المجموع
invoice-to-collect = المبلغ المطلوب عند التسليم
invoice-paid = مدفوعة مسبقا: لا شيء للدفع عند التسليم
invoice-thanks = شكرا لطلبك.
invoice-items = { $count ->
    [zero] لا قطع
    [one] قطعة واحدة
    [two] قطعتان
    [few] { $count } قطع
    [many] { $count } قطعة
   *[other] { $count } قطعة
}
