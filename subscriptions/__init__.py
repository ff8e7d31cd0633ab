"""Subscriptions: how libraries pay for and use the platform — the tariff grid, network
subscriptions, discovery screening packs, screening bookings, patrons' access, payment.

Only the app shell exists so far (foundation); its models arrive with the subscriptions
and billing capability.
"""
