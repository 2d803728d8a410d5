# La console web, en français. Placeables : $count choisit la forme du pluriel.

## Cadre
nav-inbox = À traiter
nav-orders = Commandes
nav-handover = Remise
nav-reports = Rapports
nav-health = Santé
search-placeholder = #1047, téléphone, suivi, nom
search-label = Trouver une commande
search-button = Chercher
sign-out = Se déconnecter
language-switch = Langue
language-ar = العربية
language-fr = Français
language-en = English
retry = Réessayer
from = Du
to = Au

## Colonnes
col-order = Commande
col-shop = Boutique
col-customer = Client
col-why = Motif du blocage
col-received = Reçue
col-job = Tâche
col-last-error = Dernière erreur
col-when = Quand
col-state = État
col-tracking = Suivi
col-collect = À encaisser
col-courier-says = Selon le transporteur
col-since = Depuis

## Temps
ago-now = à l'instant
ago-minutes = { $count ->
    [one] il y a { $count } minute
   *[other] il y a { $count } minutes
}
ago-hours = { $count ->
    [one] il y a { $count } heure
   *[other] il y a { $count } heures
}
ago-days = { $count ->
    [one] il y a { $count } jour
   *[other] il y a { $count } jours
}
duration-seconds = { $count ->
    [one] { $count } seconde
   *[other] { $count } secondes
}
duration-minutes = { $count ->
    [one] { $count } minute
   *[other] { $count } minutes
}
duration-hours = { $count ->
    [one] { $count } heure
   *[other] { $count } heures
}
duration-days = { $count ->
    [one] { $count } jour
   *[other] { $count } jours
}

## À traiter
inbox-title = Intervention requise
inbox-empty = Aucune commande n'attend d'intervention.
inbox-fix = Corriger
inbox-call-title = Appeler le client
inbox-call-empty = Aucune livraison n'est bloquée chez le client.
inbox-call-hint = Le transporteur n'a pas pu livrer ces commandes : appelez le client, puis transmettez sa réponse à ShaQ. Une commande quitte cette liste quand le transporteur passe à l'étape suivante.
inbox-call = Appeler
inbox-dead-title = Tâches abandonnées
inbox-dead-empty = Aucune tâche abandonnée.
inbox-dead-hint = Une tâche abandonnée a échoué définitivement (ou trop de fois). Corrigez la cause (paramètres, commande), puis relancez-la.

## États des commandes
state-received = Reçue
state-awaiting_confirmation = En attente de confirmation
state-shipping = En cours d'expédition
state-in_transit = En transit
state-out_for_delivery = En cours de livraison
state-delivery_problem = Problème de livraison
state-delivered = Livrée
state-returning = En retour
state-returned = Retournée
state-cancelled = Annulée
state-needs_attention = Intervention requise

## Pourquoi une commande est bloquée
reason-confirmation-timed-out = Le client n'a pas confirmé à temps.
reason-no-phone = Aucun numéro de téléphone utilisable.
reason-unusable-phone = Aucun numéro de téléphone utilisable : { $problem }.
reason-no-address = Aucune adresse de livraison.
reason-outside-service-area = Le pays de destination { $country } est hors de la zone desservie par ShaQ.
reason-no-region = Aucune région trouvée pour l'adresse de livraison : choisissez la région, ou ajoutez une adresse GhanaPost GPS.
reason-unknown-region = « { $region } » ne fait pas partie des régions de ShaQ.
reason-region-not-served = La liste des régions de ShaQ ne contient aucune région « { $region } ».
reason-shop-sent-unusable = La boutique a envoyé la commande avec un champ { $field } inutilisable ({ $problem }) : corrigez la commande dans la boutique ; sa prochaine mise à jour la fera revenir.
reason-read-separator = {" ; "}
reason-read-split-region = « { $field } » a été divisée en 2019 en { $successors } : indiquez laquelle
reason-read-not-a-region = le champ région « { $field } » n'est pas une région du Ghana
reason-read-no-region-field = le champ région est vide
reason-read-no-city = la ville est vide
reason-read-unknown-city = la ville « { $city } » n'est pas un lieu que la passerelle connaît
reason-read-no-place-in-lines = les lignes d'adresse ne nomment aucun lieu connu ni adresse GhanaPost GPS

## Tâches
job-apply_inbound_event = Appliquer un webhook
job-create_package = Créer le colis ShaQ
job-create_ticket = Créer le ticket Digishare
job-move_ticket = Déplacer le ticket
job-update_package = Mettre à jour le colis
job-cancel_package = Annuler le colis
job-attach_label = Joindre l'étiquette
job-attach_invoice = Joindre la facture
job-write_back_to_shop = Informer la boutique
job-reconcile = Vérifier auprès de ShaQ
job-read_package = Lire le colis
job-expire_confirmation = Délai de confirmation
job-remind_confirmation = Rappel de confirmation
job-operator = Action manuelle
job-handover = Remettre à ShaQ
job-create_replacement = Retour ou remplacement
job-forget_customer = Effacer les données du client
job-notify = Prévenir l'équipe
job-state-queued = En attente
job-state-running = En cours
job-state-done = Terminée
job-state-dead = Abandonnée

## Types d'événements du parcours
kind-shop = Boutique
kind-state = État
kind-attention = Intervention requise
kind-address = Adresse
kind-ignored = Ignoré
kind-courier = Transporteur
kind-unmapped = Statut non reconnu
kind-ticket = Ticket
kind-call = Appel
kind-write_back = Boutique informée
kind-reconcile = Vérification
kind-error = Erreur
kind-operator = Opérateur

## Statuts du ticket (ce que le client a reçu)
ticket-status-awaiting_confirmation = Confirmation demandée
ticket-status-confirmed = Confirmée
ticket-status-cancelled = Annulée
ticket-status-received = Commande reçue
ticket-status-package_created = Colis prêt
ticket-status-picked_up = Pris en charge
ticket-status-in_transit = En transit
ticket-status-out_for_delivery = En cours de livraison
ticket-status-delivery_problem = Problème de livraison
ticket-status-delivered = Livrée
ticket-status-returned = Retournée
ticket-status-amount_updated = Montant modifié

## Statuts du transporteur
shaq-status-not_delivered = Non livré
shaq-status-rescheduled = Reprogrammé
shaq-status-customer_hold = Mis en attente par le client
shaq-status-customer_unreachable = Client injoignable
shaq-status-suspected_scam = Fraude suspectée

## Page des commandes
orders-find = Chercher
orders-find-hint = #1047, 024 412 3456, SHQ…, Ama
orders-all-shops = toutes
orders-any-state = tous
orders-csv = Exporter en CSV
orders-none = Aucune commande ne correspond.
orders-summary = { $first }–{ $last } sur { $total }, les plus récentes d'abord.
orders-newer = ← Plus récentes
orders-older = Plus anciennes →

## Page d'une commande
order-title = Commande
order-platform-id = identifiant plateforme
order-received = reçue
order-corrected = corrigée dans la passerelle
order-customer-title = Client et livraison
order-phone = Téléphone
order-address = Adresse
order-region = Région
order-items = Articles
order-item = { $count } × { $name } à { $price }
order-note = Note du client
order-no-phone = aucun
order-region-not-found = pas encore trouvée
order-package-title = Colis et ticket
order-package = Colis ShaQ
order-ticket = Ticket Digishare
order-not-created = non créé
order-invoice = Facture
order-invoice-on-ticket = jointe au ticket
order-invoice-not-yet = pas encore jointe au ticket
order-resume = Reprendre
order-replay = Rejouer le dernier webhook
order-replay-hint = Faire repasser le dernier webhook de la commande dans le flux de traitement
order-return = Récupérer l'article
order-return-hint = ShaQ récupère l'article chez le client
order-replace = Envoyer un remplacement
order-replace-hint = ShaQ livre un article de remplacement
order-exchange = Échange
order-exchange-hint = ShaQ récupère l'article et en livre un nouveau lors du même passage
order-cancel-confirm = oui, annuler cette commande
order-cancel = Annuler la commande
order-cancel-tick = Cochez « oui, annuler cette commande » pour l'annuler.
order-fix-title = Corriger et reprendre
order-correct-title = Corriger la livraison
order-fix-hint = Ce que vous modifiez ici est conservé même si la boutique renvoie la commande, et est noté dans le parcours avec votre nom.
order-choose = — choisir —
order-line1 = Adresse, ligne 1
order-line2 = Adresse, ligne 2
order-line2-hint = GhanaPost GPS, point de repère
order-city = Ville ou localité
order-amount = Montant à encaisser
order-field = Champ
order-save-resume = Enregistrer et reprendre
order-save-only = Enregistrer seulement
order-save = Enregistrer
order-nothing-changed = Rien n'a changé : modifiez un champ, ou utilisez Reprendre.
order-sent-title = Ce que le client a reçu
order-journey = Parcours
order-what = Quoi
order-call = Appel
order-by = par { $name }
order-attempt = tentative { $count }
order-jobs = Tâches
order-attempts = Tentatives
order-webhooks = Webhooks reçus
order-phones-masked = téléphones masqués
order-body-removed = (contenu supprimé selon les paramètres de conservation)

## Après une action
done-correct = Enregistré. La commande conserve ces informations même si la boutique la renvoie.
done-correct-resume = Enregistré et repris : la commande suit de nouveau son cours.
done-resume = Reprise : la commande suit de nouveau son cours.
done-replay = Le webhook est repassé dans le flux de traitement.
done-cancel = Annulée : ShaQ, Digishare et la boutique sont en train d'être prévenus.
done-return = Retour demandé : ShaQ récupérera l'article chez le client ; son colis apparaît dans le parcours.
done-replace = Remplacement demandé : ShaQ livrera un nouvel article ; son colis apparaît dans le parcours.
done-exchange = Échange demandé : ShaQ récupérera l'article et en livrera un nouveau ; leurs colis apparaissent dans le parcours.
done-retry = La tâche est de nouveau en file d'attente.
done-queued = En file d'attente : les tâches précédentes de la commande sont encore en cours ; rechargez dans un instant.

## Remise au transporteur
handover-hint = Avant le passage du livreur ShaQ : « Remettre maintenant » regroupe tous les colis prêts (créés chez ShaQ, pas encore pris en charge, commande non annulée, dans aucune expédition précédente) dans une seule expédition ShaQ, et imprime son bordereau — ce que le livreur emporte et l'argent à encaisser — suivi de toutes les étiquettes.
handover-ready = Prêts à remettre
handover-daily = Quotidienne
handover-on-demand = à la demande
handover-every-day = tous les jours à { $time }
handover-now = Remettre maintenant
handover-shipments = Expéditions
handover-none = Aucune expédition pour l'instant.
handover-reference = Référence ShaQ
handover-packages = Colis
handover-asked-by = Demandée par
handover-print = Imprimer (PDF)
handover-gathered = { $count ->
    [one] { $count } colis regroupé : l'expédition est en cours de création chez ShaQ ; son PDF apparaîtra ci-dessous dans un instant.
   *[other] { $count } colis regroupés : l'expédition est en cours de création chez ShaQ ; son PDF apparaîtra ci-dessous dans un instant.
}
handover-done = { $count ->
    [one] { $count } colis remis : l'expédition et son PDF sont ci-dessous.
   *[other] { $count } colis remis : l'expédition et son PDF sont ci-dessous.
}
handover-nothing = Aucun colis de { $shop } n'attend d'être remis.
shipment-gathered = Regroupée
shipment-requesting = Demande à ShaQ en cours
shipment-created = Créée chez ShaQ
shipment-ready = Prête
shipment-refused = Refusée par ShaQ

## Rapports
reports-hint = Chaque période compte les commandes reçues pendant celle-ci (dans le fuseau horaire de la boutique) et ce qu'elles sont devenues depuis : ses taux se stabilisent à mesure que ses colis arrivent.
reports-every-shop = toutes les boutiques
reports-by = Par
granularity-day = Jour
granularity-week = Semaine
granularity-month = Mois
reports-show = Afficher
reports-csv-periods = CSV : périodes
reports-csv-regions = CSV : régions
reports-received = Reçues
reports-confirmed = Confirmées
reports-confirmed-detail = { $confirmed } sur { $asked } sollicitées · médiane { $median }
reports-declined-no-answer = Refusées · sans réponse
reports-delivered = Livrées
reports-of-shipped = { $count ->
    [one] sur { $count } expédiée
   *[other] sur { $count } expédiées
}
reports-returned = Retournées (RTO)
reports-returned-short = Retournées
reports-parcels = { $count ->
    [one] { $count } colis
   *[other] { $count } colis
}
reports-cash-title = Paiement à la livraison ({ $currency })
reports-cash-detail = encaissés sur { $expected } ; { $outstanding } encore en route
reports-confirmation-rate = Taux de confirmation
reports-return-rate = Taux de retour
reports-right-axis = axe de droite : 0–100 %
reports-period = Période
reports-median-confirm = Délai médian de confirmation
reports-declined = Refusées
reports-no-answer = Sans réponse
reports-shipped = Expédiées
reports-rto = RTO
reports-amount-changed = Montant modifié
reports-cash-collected = Montant encaissé
reports-on-the-road = En route
reports-regions-title = Livraison par région ShaQ
reports-regions-empty = Aucun colis expédié sur cette période.
reports-success = Livraisons réussies
reports-median-days = Délai médian de livraison (jours)
reports-not-located = (non localisé)
reports-minutes = { $value } min
reports-hours = { $value } h

## Santé
health-queue = File des tâches
health-outcomes = Résultats des tâches
health-outcomes-columns = en attente · terminées · abandonnées
health-last-webhook = Dernier webhook
health-silent-hint = Une boutique silencieuse depuis plus de { $after } est signalée.
health-silent = silencieuse
health-never = jamais
health-bridge = Passerelle
health-version = Version
health-database = Base de données
health-writes = Écritures
health-writes-ok = fonctionnelles
health-writes-failing = en échec : les webhooks sont refusés avec 503

## Connexion
login-title = Connexion
login-name = Nom
login-name-hint = vide pour le jeton d'administration
login-password = Mot de passe ou jeton d'administration
login-submit = Se connecter
login-not-a-form = Ce n'est pas un formulaire de connexion.
login-other-origin = Cette connexion ne provient pas de cette console.
login-throttled = Trop de tentatives de connexion depuis cette adresse : patientez une minute.
login-wrong = Nom ou mot de passe incorrect.

## Messages
message-back = Retour à la console
message-refused = Refusé
message-not-found = Introuvable
message-not-ready = Pas encore prêt
message-console-off = La console est désactivée
message-console-off-text = Personne ne peut se connecter : définissez server.admin_token, ou ajoutez [[console.operators]] (voir docs/console.md).
message-role = Votre rôle ({ $role }) permet de consulter, mais pas d'effectuer cette action : demandez à une personne ayant le rôle { $needed }.
message-csrf = Ce formulaire ne provient pas d'une page de la console ouverte dans cette session (contrôle CSRF). Rechargez la page et réessayez.
message-storage-down = Stockage indisponible
message-storage-down-text = La base de données n'a pas répondu. La passerelle continue de réessayer ; rechargez dans un instant.
message-no-such-action = Action inconnue.
message-no-shop = Aucune boutique « { $shop } » n'est configurée.
message-job-not-dead = La tâche { $id } n'est pas abandonnée, ou n'existe pas (elle a peut-être déjà été relancée).
reports-chart-label = Commandes de { $shop } par { $by } : reçues, confirmées, livrées, retournées ; taux de confirmation et de retour
region-source-field = d'après le champ région
region-source-code = d'après le code { $code }
region-source-alias = d'après l'alias { $alias }
region-source-gps = d'après l'adresse GhanaPost GPS { $address }
region-source-place = d'après le lieu { $place }
region-source-default = région par défaut de la boutique
region-source-chosen = choisie par une personne
refusal-nothing-to-correct = La correction ne change rien.
refusal-finished = La commande est « { $state } » : elle est terminée.
refusal-picked-up = ShaQ a déjà récupéré le colis : modifiez la livraison auprès de ShaQ.
refusal-not-waiting = La commande est « { $state } » : elle n'attend personne.
refusal-has-package = La commande a un colis ShaQ : le prochain statut du transporteur la fera avancer.
refusal-still-unshippable = La commande ne peut toujours pas être expédiée : { $reason }
refusal-not-delivered = La commande est « { $state } » : un retour, un remplacement ou un échange demande une commande livrée.
refusal-after-sale-underway = Un retour, un remplacement ou un échange de cette commande est déjà en cours ({ $what }).
refusal-after-sale-being-booked = Un retour, un remplacement ou un échange de cette commande est déjà en cours de réservation.
refusal-shop-gone = La boutique n'est plus configurée.
refusal-nothing-to-replay = Cette commande n'a aucun webhook à rejouer.
phone-empty = le numéro de téléphone est vide
phone-not-digits = le numéro de téléphone contient autre chose que des chiffres
phone-no-country = un numéro local a besoin d'un pays
phone-wrong-length = le numéro n'est pas un numéro valide pour son pays
phone-fixed-line = c'est une ligne fixe, qui ne peut pas recevoir de messages WhatsApp
problem-empty = ne doit pas être vide
problem-too-long = { $count ->
    [one] { $count } caractère au plus
   *[other] { $count } caractères au plus
}
problem-not-a-number = doit être un nombre décimal
problem-amount-range = doit être positif ou nul, avec au plus deux décimales
message-no-order = Aucune commande « { $order } » dans la boutique « { $shop } » : vérifiez le numéro donné par le client.
journey-ticket-sent = Le ticket est à « { $status } » : son message WhatsApp est parti au client
