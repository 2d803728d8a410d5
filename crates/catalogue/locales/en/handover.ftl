# The handover manifest (printed for ShaQ's rider). Placeables are the manifest's own markers:
# the bridge passes `{shop}`, `{reference}`… through, and the document fills them.
manifest-title = ShaQ handover - { $shop }
manifest-shipment = Shipment { $reference }
manifest-handed-over = Handed over { $date }
manifest-summary = { $count } package(s); cash to collect: { $totals }
manifest-continued = Shipment { $reference } (continued)
manifest-nothing = nothing
manifest-column-number = #
manifest-column-order = Order
manifest-column-tracking = Tracking number
manifest-column-customer = Customer
manifest-column-city = City
manifest-column-collect = To collect
manifest-total = Total to collect: { $totals }
manifest-signatures = Handed over by: ______________________    Received by (ShaQ rider): ______________________
manifest-label-missing = Label { $tracking_number } missing
manifest-label-unreadable = ShaQ's label file is not a readable PDF: print it from ShaQ's portal
