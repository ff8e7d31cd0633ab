"""Rights: the rights holders (producers, distributors) the service negotiates with, and —
as the rights engine grows — their contracts, the per-medium rights grants, negotiations,
and the one availability decision every other app asks before using a film.
"""
