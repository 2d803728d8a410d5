# ورقة التسليم (تُطبع لمندوب ShaQ).
manifest-title = تسليم ShaQ - { $shop }
manifest-shipment = الشحنة { $reference }
manifest-handed-over = سُلّمت في { $date }
manifest-summary = عدد الطرود: { $count }؛ المبلغ المطلوب تحصيله: { $totals }
manifest-continued = الشحنة { $reference } (تابع)
manifest-nothing = لا شيء
manifest-column-number = #
manifest-column-order = الطلب
manifest-column-tracking = رقم التتبع
manifest-column-customer = الزبون
manifest-column-city = المدينة
manifest-column-collect = للتحصيل
manifest-total = مجموع التحصيل: { $totals }
manifest-signatures = سلّمه: ______________________    استلمه (مندوب ShaQ): ______________________
manifest-label-missing = الملصق { $tracking_number } مفقود
manifest-label-unreadable = ملف ملصق ShaQ ليس PDF مقروءًا: اطبعه من بوابة ShaQ
