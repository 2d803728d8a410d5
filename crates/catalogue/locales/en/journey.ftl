# An order's journey: the lines of its timeline. The English is also the stored summary that
# logs, the CLI and the API show, so its wording is kept as it was.

line-separator = {", "}

## A change of state, and why a person should look

line-state-moved = { $from } → { $to }
line-received-to = received → { $state }
line-needs-attention = needs attention: { $reason }
line-address = { $located }

## News that changed nothing

line-unused-unknown-source = unknown source { $source }
line-unused-not-an-order = not an order event
line-unused-event = event { $event } is not used
line-unused-no-ticket-status = no ticket status in the event
line-no-order-for-package = no order has this package: event kept, nothing done
line-no-order-for-ticket = no order has this ticket
line-courier-not-applied = ShaQ's `{ $status }` not applied: { $why }
line-amount-of-linked-package = amount news of the after-delivery package { $reference }: not the order's
line-amount-not-applied = ShaQ's new amount not applied: { $why }
line-package-not-this-orders = the event names package { $reference }, which is not this order's
line-order-has-no-package = the order has no ShaQ package (it is { $state })
line-courier-not-newer = courier status { $status } at { $at } is not newer than { $last } at { $last_at }
line-ticket-older = ticket status from { $at } is older than the one applied at { $last }
line-ticket-unchanged = ticket status unchanged (the echo of the bridge's own move, or a non-status change)
line-shop-version-old = shop version { $incoming } is not newer than the stored { $stored }
line-deleted-unseen = deleted before the bridge saw it
line-after-sale-unknown-order = { $reference }: the bridge has no such order, nothing booked with ShaQ
line-change-unreadable = the shop's change could not be read ({ $problem }); the order goes on as it was
line-customer-kept = customer kept: the order is { $state } again, not finished
line-no-linked-package = no linked package has this reference
line-linked-older = older news of { $noun } { $reference }

## The shop

line-order-received = order { $order } received
line-order-partly-read = order { $order } received, but not all of it could be read
line-order-updated = order { $order } updated
line-cancelled-before = cancelled before the bridge acted
line-changed-after-pickup = address, phone or items changed after pickup: ShaQ was not updated
line-shop-cancelled-final = the shop cancelled an order already { $state }
line-shop-cancelled-after-pickup = the shop cancelled after pickup: ShaQ was asked to cancel; the package will come back
line-shop-after-sale = the shop approved { $reference }: a { $kind } ({ $description })
line-shop-after-sale-refused = the shop approved { $reference } ({ $kind }), but { $refusal }: nothing booked with ShaQ; book it from the console when it can be
line-shop-told = shop told `{ $milestone }`: { $summary }
line-shop-shows-nothing = shop shows nothing for `{ $milestone }`

## ShaQ

line-courier-status = ShaQ: { $status }
line-courier-status-described = ShaQ: { $status } ({ $description })
line-courier-status-commented = ShaQ: { $status } — { $comment }
line-courier-status-described-commented = ShaQ: { $status } ({ $description }) — { $comment }
line-courier-step-back = ShaQ went back from { $last } to { $status }: recorded, the customer is not messaged
line-courier-step-back-commented = ShaQ went back from { $last } to { $status } ({ $comment }): recorded, the customer is not messaged
line-courier-unmapped = courier status `{ $status }` is not mapped: ticket not moved
line-courier-unchanged = status unchanged: ticket not moved
line-package-record = ShaQ's package record: { $changes }
line-new-delivery-day = new delivery day { $day }
line-delivery-window = delivery window { $from } – { $to }
line-tracking-page = its tracking page
line-amount-already = amount to collect already { $amount }
line-amount-changed = amount to collect { $from } → { $to }
line-amount-changed-because = amount to collect { $from } → { $to } ({ $reason })
line-reconciled = reconciliation applied { $count } missed courier status(es)
line-package-created = ShaQ package { $tracking } created (collect { $amount })
line-package-adopted = ShaQ package { $tracking } adopted (it already existed) (collect { $amount })
line-package-updated = ShaQ package updated with the shop's changes
line-no-package-to-cancel = no ShaQ package to cancel
line-package-deleted = ShaQ package { $tracking } deleted (it was still pending)
line-package-already-gone = ShaQ package { $tracking } was already gone
line-cancel-asked = ShaQ asked to cancel package { $tracking } (status { $status })
line-cancel-asked-in-shipment = ShaQ asked to cancel package { $tracking } (status { $status }): it was handed over in shipment { $shipment }, whose manifest still lists it — the rider brings it back
line-handed-over = handed over to ShaQ in shipment { $reference } ({ $count } { $count ->
        [one] package
       *[other] packages
    })
line-left-out = left out of shipment { $reference }: no longer ready to hand over (the order is { $state }, its package { $status })
line-without-a-status = without a status
line-handover-refused = ShaQ refused the handover shipment ({ $reason }): the package is ready to hand over again once the cause is fixed

## Returns, replacements, exchanges

line-after-sale-return = return
line-after-sale-replace = replace
line-after-sale-exchange = exchange
line-after-sale-return-described = collect the item back from the customer
line-after-sale-replace-described = deliver a replacement to the customer
line-after-sale-exchange-described = collect the item and deliver a new one on the same visit
line-return-package = return package
line-replacement-package = replacement package
line-the-original-package = the original package
line-after-sale-created = ShaQ { $noun } { $tracking } created for the { $kind } ({ $description }; linked to { $original })
line-after-sale-refused = ShaQ refused the { $kind }: { $reason }
line-linked-status = ShaQ: { $noun } { $tracking }: { $status }
line-linked-status-described = ShaQ: { $noun } { $tracking }: { $status } ({ $description })

## Digishare

line-ticket-created = Digishare ticket { $ticket } created with status { $status }
line-ticket-adopted = Digishare ticket { $ticket } adopted (it already existed) with status { $status }
line-ticket-created-with-invoice = Digishare ticket { $ticket } created with status { $status }, with its invoice
line-ticket-adopted-with-invoice = Digishare ticket { $ticket } adopted (it already existed) with status { $status }, with its invoice
line-ticket-created-invoice-later = Digishare ticket { $ticket } created with status { $status }, without its invoice for now ({ $why }): it is attached once Digishare takes it
line-ticket-adopted-invoice-later = Digishare ticket { $ticket } adopted (it already existed) with status { $status }, without its invoice for now ({ $why }): it is attached once Digishare takes it
line-ticket-moved = Digishare ticket moved to { $status }
line-ticket-refreshed = Digishare ticket data refreshed
line-label-attached = ShaQ label attached to the ticket
line-invoice-attached = invoice attached to the Digishare ticket
line-ticket-status = Digishare: ticket moved to { $status }
line-confirmed-after-cancel = the customer confirmed after the order was cancelled for want of an answer: nothing ships by itself; contact the customer, and re-create the order in the shop if they still want it
line-customer-cancelled-after-pickup = the customer cancelled after pickup: ask ShaQ to return the package
line-no-answer-cancelled = no answer from the customer in time: the order is cancelled (on_no_answer = cancel)
line-reminder = reminder { $number } of { $of }: ticket moved to { $status } (its Digishare automation messages the customer)
line-reminder-held = reminder { $number } of { $of }: ticket moved to { $status } (its Digishare automation messages the customer); it waited for the end of quiet hours ({ $quiet })

## People

line-action-correction = correction
line-action-resume = resume
line-action-replay = replay
line-action-cancel = cancel
line-operator-refused = { $action } by { $by } refused: { $refusal }
line-replayed = inbound event { $event } replayed by { $by }
line-after-sale-asked = { $kind } asked by { $by }: { $description }
line-job-retried = { $job } job { $id } retried by { $by }
line-corrected = corrected by { $by }: { $changes }
line-corrected-region = region → { $value }
line-corrected-line1 = address line 1 → { $value }
line-corrected-line2 = address line 2 → { $value }
line-corrected-city = city → { $value }
line-corrected-phone = phone → { $value }
line-corrected-amount = amount to collect → { $value }
line-resumed = resumed by { $by }
line-resume-refused = resume by { $by } refused: { $reason }
line-cancelled-by = cancelled by { $by }
line-cancelled-after-pickup = cancelled after pickup: ShaQ was asked to cancel; the package will come back

## Retention and failures

line-customer-forgotten = customer's name, phone, email, street and note removed (retention settings)
line-job-failed = { $job } failed (attempt { $attempt }): { $error }

## Jobs with nothing left to do

line-package-not-created = package not created: the order is { $state }
line-package-not-updated = package not updated: it does not exist or was picked up
line-ticket-status-not-mapped = ticket status `{ $status }` is not mapped in digishare.statuses: nothing sent
line-after-sale-already-booked = return or replacement { $number } is already booked with ShaQ: nothing more asked
