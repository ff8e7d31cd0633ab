"""Usage statistics and reports: views, screenings and DVD orders by library, network,
department, region, film and month; where a library's patrons live; the annual activity
report; COUNTER 5.1 reports (IR_M1, PR_P1) and the SUSHI API that harvests them.
Everything is aggregated by the database: figures are computed from the records, never
stored; the app's only table holds the SUSHI credentials."""
