"""Demo data: `manage.py seed_demo` builds a deterministic data set shaped like the 2017
figures of the national catalogue (see demo/plan.py), and `manage.py demo_logins` prints
the demo accounts.

Each app owns its share of the demo data in its own `demo.py` (a `seed(ctx)` function),
called in INSTALLED_APPS order; this app only orchestrates and holds the shared plan.
"""
