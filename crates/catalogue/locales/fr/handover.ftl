# Le bordereau de remise (imprimé pour le livreur de ShaQ).
manifest-title = Remise ShaQ - { $shop }
manifest-shipment = Expédition { $reference }
manifest-handed-over = Remis le { $date }
manifest-summary = { $count } colis ; à encaisser : { $totals }
manifest-continued = Expédition { $reference } (suite)
manifest-nothing = rien
manifest-column-number = N°
manifest-column-order = Commande
manifest-column-tracking = Numéro de suivi
manifest-column-customer = Client
manifest-column-city = Ville
manifest-column-collect = À encaisser
manifest-total = Total à encaisser : { $totals }
manifest-signatures = Remis par : ______________________    Reçu par (livreur ShaQ) : ______________________
manifest-label-missing = Étiquette { $tracking_number } manquante
manifest-label-unreadable = Le fichier d'étiquette de ShaQ n'est pas un PDF lisible : imprimez-le depuis le portail ShaQ
