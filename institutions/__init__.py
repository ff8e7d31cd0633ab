"""Institutions: the libraries open to the public and the networks (local authorities,
departmental libraries, groupings) that subscribe on behalf of their members.

Owns the institution records (kind, department and region, population served, DVD-network
authorisation, on-site IP ranges), network membership over time, and the access helpers
that decide which institutions a user may see (`selectors.institution_get_for`).
"""
