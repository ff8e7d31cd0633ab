"""Accounts: the people who log in and their roles.

Owns the user model (cinema service staff: catalogue editors and rights negotiators;
institution staff: admin or member of one institution; patrons registered at one
institution, pseudonymous), token authentication and the `me` endpoint.
"""
