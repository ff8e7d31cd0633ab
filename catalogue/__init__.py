"""Catalogue: the documentary films, the people who made them, themes, countries and
languages, festival selections.

Owns a film's descriptive record and its catalogue status (proposed by the national
selection committee → in acquisition → in catalogue → withdrawn), and the catalogue
search (French full text on PostgreSQL, accent-insensitive everywhere). What may be done
with a film, per medium, is the rights engine's business (`rights/`), not this app's.
"""
