"""Usage statistics and reports: views, screenings and DVD orders by library, network,
department, region, film and month; where a library's patrons live; the annual activity
report; a COUNTER-style title report. Everything is aggregated by the database; the app
owns no table of its own (figures are computed from the records, never stored)."""
