# What the customer reads: the WhatsApp ticket's variables and the invoice.

## Courier statuses (ticket variable `status_text`)
courier-pending = Your parcel is being prepared
courier-received = The courier has your parcel
courier-on-the-way = Your parcel is on its way
courier-dispatched = Your parcel is out for delivery today
courier-ready-for-pickup = Your parcel is ready for pickup
courier-confirmed = The courier has confirmed your delivery with you
courier-delivered = Your parcel has been delivered
courier-not-delivered = We could not deliver your parcel
courier-rescheduled = Your delivery has been rescheduled
courier-customer-hold = Your parcel is on hold at your request
courier-customer-unreachable = The courier could not reach you
courier-suspected-scam = Your parcel is on hold
courier-returning = Your parcel is being returned
courier-returned = Your parcel was returned to the shop

## ShaQ's delivery window and new dates (ticket variables `eta_text`, `rescheduled_text`)
delivery-window = Expected between { $from } and { $to }
delivery-day = Expected on { $day }
rescheduled-to = New delivery date: { $date }

## A changed amount to collect (ticket variable `amount_change_text`)
amount-changed = The amount to pay on delivery is now { $new } (it was { $old })

## The invoice
invoice-title = Invoice
invoice-order = Order
invoice-date = Date
invoice-payment = Payment
invoice-payment-cod = Cash on delivery
invoice-payment-prepaid = Paid
invoice-deliver-to = Deliver to
invoice-item = Item
invoice-quantity = Qty
invoice-unit-price = Unit price
invoice-amount = Amount
invoice-subtotal = Subtotal
invoice-adjustments = Shipping, discounts and taxes
invoice-total = Total
invoice-to-collect = To pay on delivery
invoice-paid = Already paid: nothing to pay on delivery
invoice-thanks = Thank you for your order.
invoice-items = { $count ->
    [one] { $count } item
   *[other] { $count } items
}
