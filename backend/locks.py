"""The order in which row locks are taken across apps — written here once; each app's
`locks.py` names its own locks and refers to this order.

A transaction that takes locks of several apps takes them in this order, never back up
the list, so two transactions never wait on each other in opposite orders (no deadlock):

1. institutions — an institution's row (`institutions.locks.lock_institution`: what is
   counted per library, a film's public screenings in a year), a network membership
2. rights — a negotiation, then its contract (`rights.locks`)
3. catalogue — a film (`catalogue.locks.lock_film`: its status; the rights app writes a
   film's grants under it, after the contract)
4. subscriptions — subscriptions in primary-key order, or the one a viewer streams under
   (`subscriptions.locks.lock_subscriptions`, `lock_streaming_subscription`), then a
   booking, a patron, an invoice
5. orders — an order, then its editions in primary-key order (`orders.locks`)
6. media — the viewer's playback sessions (after the subscription: the playback start),
   an upload then its asset (`media.locks`)
7. editorial, records, notices, stats — their own rows (collections, selections,
   record settings, notices being sent, SUSHI credentials), each alone in its transaction;
   royalties — a contract's payment terms and statements, after the contract's lock
   (`royalties.locks`)
8. accounts — a user's row (`accounts.locks.lock_user`), last

Within an app, each `locks.py` says the order of its own locks.
"""
