"""DVD orders: the DVD editions of the catalogue's films, their stock as a ledger of
movements, and the orders libraries of the authorised network place, from cart to
delivery — every line checked against the rights engine on the day it is submitted and
on the day it is validated.
"""
