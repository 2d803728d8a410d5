# Ce que lit le client : les variables du ticket WhatsApp et la facture.

## Statuts du transporteur
courier-pending = Votre colis est en préparation
courier-received = Le transporteur a pris en charge votre colis
courier-on-the-way = Votre colis est en route
courier-dispatched = Votre colis est en cours de livraison aujourd'hui
courier-ready-for-pickup = Votre colis est prêt à être retiré
courier-confirmed = Le livreur a confirmé votre livraison avec vous
courier-delivered = Votre colis a été livré
courier-not-delivered = Nous n'avons pas pu livrer votre colis
courier-rescheduled = Votre livraison a été reprogrammée
courier-customer-hold = Votre colis est en attente à votre demande
courier-customer-unreachable = Le livreur n'a pas pu vous joindre
courier-suspected-scam = Votre colis est en attente
courier-returning = Votre colis est en cours de retour
courier-returned = Votre colis a été retourné au magasin

## Fenêtre de livraison et nouvelles dates
delivery-window = Livraison prévue entre le { $from } et le { $to }
delivery-day = Livraison prévue le { $day }
rescheduled-to = Nouvelle date de livraison : { $date }

## Montant à payer modifié
amount-changed = Le montant à payer à la livraison est maintenant de { $new } (au lieu de { $old })

## La facture
invoice-title = Facture
invoice-order = Commande
invoice-date = Date
invoice-payment = Paiement
invoice-payment-cod = Paiement à la livraison
invoice-payment-prepaid = Payée
invoice-deliver-to = Livrer à
invoice-item = Article
invoice-quantity = Qté
invoice-unit-price = Prix unitaire
invoice-amount = Montant
invoice-subtotal = Sous-total
invoice-adjustments = Livraison, remises et taxes
invoice-total = Total
invoice-to-collect = À payer à la livraison
invoice-paid = Déjà payée : rien à payer à la livraison
invoice-thanks = Merci pour votre commande.
invoice-items = { $count ->
    [one] { $count } article
   *[other] { $count } articles
}
