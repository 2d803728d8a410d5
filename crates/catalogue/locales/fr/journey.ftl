# Le parcours d'une commande : les lignes de sa chronologie, en français. Les éléments insérés
# (états, motifs, statuts) arrivent déjà traduits.

line-separator = {", "}

## Un changement d'état, et pourquoi une personne doit intervenir

line-state-moved = { $from } → { $to }
line-received-to = Reçue → { $state }
line-needs-attention = Intervention requise : { $reason }
line-address = { $located }

## Des nouvelles qui n'ont rien changé

line-unused-unknown-source = Source inconnue : { $source }
line-unused-not-an-order = Ce n'est pas un événement de commande
line-unused-event = L'événement { $event } n'est pas utilisé
line-unused-no-ticket-status = Aucun statut de ticket dans l'événement
line-no-order-for-package = Aucune commande n'a ce colis : événement conservé, rien n'a été fait
line-no-order-for-ticket = Aucune commande n'a ce ticket
line-courier-not-applied = Statut ShaQ « { $status } » non appliqué : { $why }
line-amount-of-linked-package = Changement de montant du colis après-vente { $reference } : il ne concerne pas la commande
line-amount-not-applied = Nouveau montant de ShaQ non appliqué : { $why }
line-package-not-this-orders = l'événement cite le colis { $reference }, qui n'est pas celui de cette commande
line-order-has-no-package = la commande n'a pas de colis ShaQ (état : { $state })
line-courier-not-newer = Le statut transporteur { $status } du { $at } n'est pas plus récent que { $last } du { $last_at }
line-ticket-older = Le statut du ticket daté du { $at } est plus ancien que celui appliqué le { $last }
line-ticket-unchanged = Statut du ticket inchangé (écho d'un changement fait par la passerelle elle-même, ou modification autre que le statut)
line-shop-version-old = La version { $incoming } de la boutique n'est pas plus récente que la version enregistrée { $stored }
line-deleted-unseen = Supprimée avant que la passerelle ne la voie
line-after-sale-unknown-order = { $reference } : la passerelle ne connaît pas cette commande, rien n'a été réservé chez ShaQ
line-change-unreadable = La modification de la boutique n'a pas pu être lue ({ $problem }) ; la commande continue comme avant
line-customer-kept = Données du client conservées : la commande est de nouveau « { $state } », elle n'est pas terminée
line-no-linked-package = Aucun colis lié n'a cette référence
line-linked-older = Information plus ancienne sur le { $noun } { $reference }

## La boutique

line-order-received = Commande { $order } reçue
line-order-partly-read = Commande { $order } reçue, mais elle n'a pas pu être lue entièrement
line-order-updated = Commande { $order } mise à jour
line-cancelled-before = Annulée avant toute action de la passerelle
line-changed-after-pickup = Adresse, téléphone ou articles modifiés après la prise en charge : ShaQ n'a pas été mis à jour
line-shop-cancelled-final = La boutique a annulé une commande déjà « { $state } »
line-shop-cancelled-after-pickup = La boutique a annulé après la prise en charge : il a été demandé à ShaQ d'annuler ; le colis va revenir
line-shop-after-sale = La boutique a approuvé { $reference } : { $kind } ({ $description })
line-shop-after-sale-refused = La boutique a approuvé { $reference } ({ $kind }), mais rien n'a été réservé chez ShaQ (réservez-le depuis la console dès que possible) : { $refusal }
line-shop-told = Boutique informée de `{ $milestone }` : { $summary }
line-shop-shows-nothing = La boutique n'affiche rien pour `{ $milestone }`

## ShaQ

line-courier-status = ShaQ : { $status }
line-courier-status-described = ShaQ : { $status } ({ $description })
line-courier-status-commented = ShaQ : { $status } — { $comment }
line-courier-status-described-commented = ShaQ : { $status } ({ $description }) — { $comment }
line-courier-step-back = ShaQ est revenu en arrière, de { $last } à { $status } : enregistré, le client n'est pas prévenu
line-courier-step-back-commented = ShaQ est revenu en arrière, de { $last } à { $status } ({ $comment }) : enregistré, le client n'est pas prévenu
line-courier-unmapped = Statut transporteur `{ $status }` non associé : ticket non déplacé
line-courier-unchanged = Statut inchangé : ticket non déplacé
line-package-record = Fiche du colis chez ShaQ : { $changes }
line-new-delivery-day = nouveau jour de livraison { $day }
line-delivery-window = créneau de livraison { $from } – { $to }
line-tracking-page = sa page de suivi
line-amount-already = Le montant à encaisser est déjà de { $amount }
line-amount-changed = Montant à encaisser : { $from } → { $to }
line-amount-changed-because = Montant à encaisser : { $from } → { $to } ({ $reason })
line-reconciled = { $count ->
        [one] Vérification auprès de ShaQ : { $count } statut transporteur manqué appliqué
       *[other] Vérification auprès de ShaQ : { $count } statuts transporteur manqués appliqués
    }
line-package-created = Colis ShaQ { $tracking } créé (à encaisser : { $amount })
line-package-adopted = Colis ShaQ { $tracking } repris (il existait déjà) (à encaisser : { $amount })
line-package-updated = Colis ShaQ mis à jour avec les modifications de la boutique
line-no-package-to-cancel = Aucun colis ShaQ à annuler
line-package-deleted = Colis ShaQ { $tracking } supprimé (il était encore en attente)
line-package-already-gone = Le colis ShaQ { $tracking } n'existait déjà plus
line-cancel-asked = Annulation du colis { $tracking } demandée à ShaQ (statut : { $status })
line-cancel-asked-in-shipment = Annulation du colis { $tracking } demandée à ShaQ (statut : { $status }) : il a été remis dans l'expédition { $shipment }, dont le bordereau le mentionne encore — le livreur le rapporte
line-handed-over = Remise à ShaQ dans l'expédition { $reference } ({ $count } { $count ->
        [one] colis
       *[other] colis
    })
line-left-out = Laissée hors de l'expédition { $reference } : plus prête à être remise (commande : { $state } ; colis : { $status })
line-without-a-status = sans statut
line-handover-refused = ShaQ a refusé l'expédition de remise ({ $reason }) : le colis pourra de nouveau être remis une fois la cause corrigée

## Retours, remplacements, échanges

line-after-sale-return = retour
line-after-sale-replace = remplacement
line-after-sale-exchange = échange
line-after-sale-return-described = récupérer l'article chez le client
line-after-sale-replace-described = livrer un article de remplacement au client
line-after-sale-exchange-described = récupérer l'article et en livrer un nouveau lors du même passage
line-return-package = colis de retour
line-replacement-package = colis de remplacement
line-the-original-package = l'envoi d'origine
line-after-sale-created = ShaQ : { $noun } { $tracking } créé ({ $kind } : { $description } ; lié à { $original })
line-after-sale-refused = ShaQ a refusé la demande ({ $kind }) : { $reason }
line-linked-status = ShaQ : { $noun } { $tracking } : { $status }
line-linked-status-described = ShaQ : { $noun } { $tracking } : { $status } ({ $description })

## Digishare

line-ticket-created = Ticket Digishare { $ticket } créé avec le statut « { $status } »
line-ticket-adopted = Ticket Digishare { $ticket } repris (il existait déjà) avec le statut « { $status } »
line-ticket-created-with-invoice = Ticket Digishare { $ticket } créé avec le statut « { $status } », avec sa facture
line-ticket-adopted-with-invoice = Ticket Digishare { $ticket } repris (il existait déjà) avec le statut « { $status } », avec sa facture
line-ticket-created-invoice-later = Ticket Digishare { $ticket } créé avec le statut « { $status } », sans sa facture pour l'instant ({ $why }) : elle sera jointe dès que Digishare l'acceptera
line-ticket-adopted-invoice-later = Ticket Digishare { $ticket } repris (il existait déjà) avec le statut « { $status } », sans sa facture pour l'instant ({ $why }) : elle sera jointe dès que Digishare l'acceptera
line-ticket-moved = Ticket Digishare passé à « { $status } »
line-ticket-refreshed = Données du ticket Digishare actualisées
line-label-attached = Étiquette ShaQ jointe au ticket
line-invoice-attached = Facture jointe au ticket Digishare
line-ticket-status = Digishare : ticket passé à « { $status } »
line-confirmed-after-cancel = Le client a confirmé après l'annulation de la commande faute de réponse : rien n'est expédié automatiquement ; contactez le client, et recréez la commande dans la boutique s'il la veut toujours
line-customer-cancelled-after-pickup = Le client a annulé après la prise en charge : demandez à ShaQ de retourner le colis
line-no-answer-cancelled = Pas de réponse du client à temps : la commande est annulée (on_no_answer = cancel)
line-reminder = Rappel { $number } sur { $of } : ticket passé à « { $status } » (son automatisation Digishare envoie un message au client)
line-reminder-held = Rappel { $number } sur { $of } : ticket passé à « { $status } » (son automatisation Digishare envoie un message au client) ; il a attendu la fin des heures de silence ({ $quiet })

## Personnes

line-action-correction = correction
line-action-resume = reprise
line-action-replay = rejeu du webhook
line-action-cancel = annulation
line-operator-refused = Demande refusée ({ $action }, par { $by }) : { $refusal }
line-replayed = Événement entrant { $event } rejoué par { $by }
line-after-sale-asked = { $by } a demandé : { $kind } — { $description }
line-job-retried = Tâche « { $job } » ({ $id }) relancée par { $by }
line-corrected = Corrigée par { $by } : { $changes }
line-corrected-region = région → { $value }
line-corrected-line1 = ligne d'adresse 1 → { $value }
line-corrected-line2 = ligne d'adresse 2 → { $value }
line-corrected-city = ville → { $value }
line-corrected-phone = téléphone → { $value }
line-corrected-amount = montant à encaisser → { $value }
line-resumed = Reprise par { $by }
line-resume-refused = Reprise par { $by } refusée : { $reason }
line-cancelled-by = Annulée par { $by }
line-cancelled-after-pickup = Annulée après la prise en charge : il a été demandé à ShaQ d'annuler ; le colis va revenir

## Conservation et échecs

line-customer-forgotten = Nom, téléphone, e-mail, rue et note du client supprimés (paramètres de conservation)
line-job-failed = Échec de « { $job } » (tentative { $attempt }) : { $error }

## Tâches sans plus rien à faire

line-package-not-created = Colis non créé : la commande est « { $state } »
line-package-not-updated = Colis non mis à jour : il n'existe pas ou a déjà été pris en charge
line-ticket-status-not-mapped = Le statut de ticket `{ $status }` n'est pas défini dans digishare.statuses : rien n'a été envoyé
line-after-sale-already-booked = Le retour ou remplacement { $number } est déjà réservé chez ShaQ : rien de plus n'est demandé
