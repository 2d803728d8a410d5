# The web console, English. Placeables: $count selects the plural form.

## Frame
nav-inbox = Inbox
nav-orders = Orders
nav-handover = Handover
nav-reports = Reports
nav-health = Health
search-placeholder = #1047, phone, tracking, name
search-label = Find an order
search-button = Find
sign-out = Sign out
language-switch = Language
language-ar = العربية
language-fr = Français
language-en = English
retry = Retry
from = From
to = To

## Columns
col-order = Order
col-shop = Shop
col-customer = Customer
col-why = Why it stopped
col-received = Received
col-job = Job
col-last-error = Last error
col-when = When
col-state = State
col-tracking = Tracking
col-collect = To collect
col-courier-says = The courier says
col-since = Since

## Time
ago-now = just now
ago-minutes = { $count ->
    [one] 1 minute ago
   *[other] { $count } minutes ago
}
ago-hours = { $count ->
    [one] 1 hour ago
   *[other] { $count } hours ago
}
ago-days = { $count ->
    [one] 1 day ago
   *[other] { $count } days ago
}
duration-seconds = { $count ->
    [one] 1 second
   *[other] { $count } seconds
}
duration-minutes = { $count ->
    [one] 1 minute
   *[other] { $count } minutes
}
duration-hours = { $count ->
    [one] 1 hour
   *[other] { $count } hours
}
duration-days = { $count ->
    [one] 1 day
   *[other] { $count } days
}

## Inbox
inbox-title = Needs a person
inbox-empty = No order is waiting for a person.
inbox-fix = Fix
inbox-call-title = Call the customer
inbox-call-empty = No delivery is stuck with the customer.
inbox-call-hint = The courier could not deliver these: call the customer, then tell ShaQ what they said. An order leaves this list when the courier moves on.
inbox-call = Call
inbox-dead-title = Dead jobs
inbox-dead-empty = No job has given up.
inbox-dead-hint = A dead job failed for good (or too many times). Fix the cause (settings, the order), then retry it.

## Order states
state-received = Received
state-awaiting_confirmation = Awaiting confirmation
state-shipping = Being shipped
state-in_transit = In transit
state-out_for_delivery = Out for delivery
state-delivery_problem = Delivery problem
state-delivered = Delivered
state-returning = Returning
state-returned = Returned
state-cancelled = Cancelled
state-needs_attention = Needs a person

## Why an order stopped
reason-confirmation-timed-out = The customer did not confirm in time.
reason-no-phone = No usable phone number.
reason-unusable-phone = No usable phone number: { $problem }.
reason-no-address = No delivery address.
reason-outside-service-area = The destination country { $country } is outside ShaQ's service area.
reason-no-region = No region found for the delivery address: choose the region, or add a GhanaPost GPS address.
reason-unknown-region = “{ $region }” is not one of ShaQ's regions.
reason-region-not-served = ShaQ's region list has no region “{ $region }”.
reason-shop-sent-unusable = The shop sent the order with an unusable { $field } ({ $problem }): fix the order in the shop; its next update brings it back.
reason-read-separator = {"; "}
reason-read-split-region = “{ $field }” was split in 2019 into { $successors }: name one
reason-read-not-a-region = the region field “{ $field }” is not a region of Ghana
reason-read-no-region-field = the region field is empty
reason-read-no-city = the city is empty
reason-read-unknown-city = the city “{ $city }” is not a place the bridge knows
reason-read-no-place-in-lines = the address lines name no known place and no GhanaPost GPS address

## Jobs
job-apply_inbound_event = Apply a webhook
job-create_package = Create the ShaQ package
job-create_ticket = Create the Digishare ticket
job-move_ticket = Move the ticket
job-update_package = Update the package
job-cancel_package = Cancel the package
job-attach_label = Attach the label
job-attach_invoice = Attach the invoice
job-write_back_to_shop = Tell the shop
job-reconcile = Check with ShaQ
job-read_package = Read the package
job-expire_confirmation = Confirmation deadline
job-remind_confirmation = Confirmation reminder
job-operator = A person's action
job-handover = Hand over to ShaQ
job-create_replacement = Return or replacement
job-forget_customer = Forget the customer
job-notify = Notify the team
job-state-queued = Waiting
job-state-running = Running
job-state-done = Done
job-state-dead = Dead

## Timeline kinds
kind-shop = Shop
kind-state = State
kind-attention = Needs a person
kind-address = Address
kind-ignored = Ignored
kind-courier = Courier
kind-unmapped = Unmapped status
kind-ticket = Ticket
kind-call = Call
kind-write_back = Shop told
kind-reconcile = Check
kind-error = Error
kind-operator = Person

## Ticket statuses (what the customer was sent)
ticket-status-awaiting_confirmation = Asked to confirm
ticket-status-confirmed = Confirmed
ticket-status-cancelled = Cancelled
ticket-status-received = Order received
ticket-status-package_created = Parcel ready
ticket-status-picked_up = Picked up
ticket-status-in_transit = In transit
ticket-status-out_for_delivery = Out for delivery
ticket-status-delivery_problem = Delivery problem
ticket-status-delivered = Delivered
ticket-status-returned = Returned
ticket-status-amount_updated = Amount changed

## Courier statuses
shaq-status-not_delivered = Not delivered
shaq-status-rescheduled = Rescheduled
shaq-status-customer_hold = Held by the customer
shaq-status-customer_unreachable = Customer unreachable
shaq-status-suspected_scam = Suspected scam

## Orders page
orders-find = Find
orders-find-hint = #1047, 024 412 3456, SHQ…, Ama
orders-all-shops = all
orders-any-state = any
orders-csv = Export CSV
orders-none = No order matches.
orders-summary = { $first }–{ $last } of { $total }, newest first.
orders-newer = ← Newer
orders-older = Older →

## Order page
order-title = Order
order-platform-id = platform id
order-received = received
order-corrected = corrected in the bridge
order-customer-title = Customer and delivery
order-phone = Phone
order-address = Address
order-region = Region
order-items = Items
order-item = { $count } × { $name } at { $price }
order-note = Customer's note
order-no-phone = none
order-region-not-found = not found yet
order-package-title = Package and ticket
order-package = ShaQ package
order-ticket = Digishare ticket
order-not-created = not created
order-invoice = Invoice
order-invoice-on-ticket = on the ticket
order-invoice-not-yet = not on the ticket yet
order-resume = Resume
order-replay = Replay last webhook
order-replay-hint = Run the order's last webhook through the workflow again
order-return = Collect item back
order-return-hint = ShaQ collects the item back from the customer
order-replace = Send replacement
order-replace-hint = ShaQ delivers a replacement item
order-exchange = Exchange
order-exchange-hint = ShaQ collects the item and delivers a new one on the same visit
order-cancel-confirm = yes, cancel this order
order-cancel = Cancel order
order-cancel-tick = Tick “yes, cancel this order” to cancel it.
order-fix-title = Fix and resume
order-correct-title = Correct the delivery
order-fix-hint = What you change here is kept even when the shop sends the order again, and is noted on the journey with your name.
order-choose = — choose —
order-line1 = Address line 1
order-line2 = Address line 2
order-line2-hint = GhanaPost GPS, landmark
order-city = City or town
order-amount = Amount to collect
order-field = Field
order-save-resume = Save and resume
order-save-only = Save only
order-save = Save
order-nothing-changed = Nothing changed: edit a field, or use Resume.
order-sent-title = What the customer was sent
order-journey = Journey
order-what = What
order-call = Call
order-by = by { $name }
order-attempt = attempt { $count }
order-jobs = Jobs
order-attempts = Attempts
order-webhooks = Webhooks received
order-phones-masked = phones masked
order-body-removed = (body removed under the retention settings)

## After an action
done-correct = Saved. The order keeps these details even if the shop sends it again.
done-correct-resume = Saved and resumed: the order is on its way again.
done-resume = Resumed: the order is on its way again.
done-replay = The webhook was run through the workflow again.
done-cancel = Cancelled: ShaQ, Digishare and the shop are being told.
done-return = Return asked: ShaQ will collect the item from the customer; its package appears on the journey.
done-replace = Replacement asked: ShaQ will deliver a new item; its package appears on the journey.
done-exchange = Exchange asked: ShaQ will collect the item and deliver a new one; their packages appear on the journey.
done-retry = The job is queued again.
done-queued = Queued: the order's earlier jobs are still running; reload in a moment.

## Handover
handover-hint = Before ShaQ's rider comes: “Hand over now” puts every package that is ready (created at ShaQ, not picked up, order not cancelled, in no earlier shipment) in one ShaQ shipment, and prints its manifest — what the rider takes and the cash to collect — followed by every label.
handover-ready = Ready to hand over
handover-daily = Daily
handover-on-demand = on demand
handover-every-day = every day at { $time }
handover-now = Hand over now
handover-shipments = Shipments
handover-none = No shipment yet.
handover-reference = ShaQ reference
handover-packages = Packages
handover-asked-by = Asked by
handover-print = Print (PDF)
handover-gathered = { $count ->
    [one] 1 package gathered: the shipment is being made at ShaQ; its PDF appears below in a moment.
   *[other] { $count } packages gathered: the shipment is being made at ShaQ; its PDF appears below in a moment.
}
handover-done = { $count ->
    [one] 1 package handed over: the shipment and its PDF are below.
   *[other] { $count } packages handed over: the shipment and its PDF are below.
}
handover-nothing = Nothing of { $shop } is waiting to be handed over.
shipment-gathered = Gathered
shipment-requesting = Asking ShaQ
shipment-created = Created at ShaQ
shipment-ready = Ready
shipment-refused = Refused by ShaQ

## Reports
reports-hint = Each period counts the orders received in it (in the shop's time zone) and what has become of them since, so its rates settle as its parcels arrive.
reports-every-shop = every shop
reports-by = By
granularity-day = Day
granularity-week = Week
granularity-month = Month
reports-show = Show
reports-csv-periods = CSV: periods
reports-csv-regions = CSV: regions
reports-received = Received
reports-confirmed = Confirmed
reports-confirmed-detail = { $confirmed } of { $asked } asked · median { $median }
reports-declined-no-answer = Declined · no answer
reports-delivered = Delivered
reports-of-shipped = of { $count } shipped
reports-returned = Returned (RTO)
reports-returned-short = Returned
reports-parcels = { $count ->
    [one] 1 parcel
   *[other] { $count } parcels
}
reports-cash-title = Cash on delivery ({ $currency })
reports-cash-detail = collected of { $expected }; { $outstanding } on the road
reports-confirmation-rate = Confirmation rate
reports-return-rate = Return rate
reports-right-axis = right axis: 0–100 %
reports-period = Period
reports-median-confirm = Median to confirm
reports-declined = Declined
reports-no-answer = No answer
reports-shipped = Shipped
reports-rto = RTO
reports-amount-changed = Amount changed
reports-cash-collected = Cash collected
reports-on-the-road = On the road
reports-regions-title = Delivery per ShaQ region
reports-regions-empty = No parcel shipped in this range.
reports-success = Delivery success
reports-median-days = Median days to deliver
reports-not-located = (not located)
reports-minutes = { $value } min
reports-hours = { $value } h

## Health
health-queue = Job queue
health-outcomes = Job outcomes
health-outcomes-columns = waiting · done · dead
health-last-webhook = Last webhook
health-silent-hint = A shop silent for more than { $after } is flagged.
health-silent = silent
health-never = never
health-bridge = Bridge
health-version = Version
health-database = Database
health-writes = Writes
health-writes-ok = working
health-writes-failing = failing: webhooks are refused with 503

## Sign-in
login-title = Sign in
login-name = Name
login-name-hint = empty for the admin token
login-password = Password or admin token
login-submit = Sign in
login-not-a-form = Not a sign-in form.
login-other-origin = This sign-in did not come from this console.
login-throttled = Too many sign-in attempts from here: wait a minute.
login-wrong = Wrong name or password.

## Messages
message-back = Back to the console
message-refused = Refused
message-not-found = Not found
message-not-ready = Not ready yet
message-console-off = The console is off
message-console-off-text = Nobody can sign in: set server.admin_token, or add [[console.operators]] (see docs/console.md).
message-role = Your role ({ $role }) may look, not do this: ask someone with the role { $needed }.
message-csrf = This form did not come from a console page of this session (CSRF check). Reload the page and try again.
message-storage-down = Storage is unavailable
message-storage-down-text = The database did not answer. The bridge keeps retrying; reload in a moment.
message-no-such-action = No such action.
message-no-shop = No shop “{ $shop }” is configured.
message-job-not-dead = Job { $id } is not dead, or does not exist (it may have been retried already).
reports-chart-label = Orders of { $shop } per { $by }: received, confirmed, delivered, returned; confirmation and return rates
region-source-field = from the region field
region-source-code = from the code { $code }
region-source-alias = from the alias { $alias }
region-source-gps = from the GhanaPost GPS address { $address }
region-source-place = from the place { $place }
region-source-default = the shop's default region
region-source-chosen = chosen by a person
refusal-nothing-to-correct = The correction changes nothing.
refusal-finished = The order is “{ $state }”: it is finished.
refusal-picked-up = ShaQ has picked the parcel up: change the delivery with ShaQ.
refusal-not-waiting = The order is “{ $state }”, not waiting for a person.
refusal-has-package = The order has a ShaQ package: its next courier status moves it on.
refusal-still-unshippable = The order still cannot ship: { $reason }
refusal-not-delivered = The order is “{ $state }”: a return, replacement or exchange needs a delivered order.
refusal-after-sale-underway = A return, replacement or exchange of this order is still on its way ({ $what }).
refusal-after-sale-being-booked = A return, replacement or exchange of this order is already being booked.
refusal-shop-gone = The shop is no longer configured.
refusal-nothing-to-replay = This order has no webhook to run again.
phone-empty = the phone number is empty
phone-not-digits = the phone number contains characters other than digits
phone-no-country = a local phone number needs a country
phone-wrong-length = the phone number is not a valid number for its country
phone-fixed-line = the phone number is a fixed line, which cannot receive WhatsApp messages
problem-empty = must not be empty
problem-too-long = { $count ->
    [one] at most 1 character
   *[other] at most { $count } characters
}
problem-not-a-number = must be a decimal number
problem-amount-range = must be zero or more, with at most two decimals
message-no-order = No order “{ $order }” of the shop “{ $shop }”: check the number the customer quoted.
journey-ticket-sent = The ticket is at “{ $status }”: its WhatsApp message went to the customer
