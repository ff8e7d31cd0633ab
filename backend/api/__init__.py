"""Cross-cutting API conventions: the error contract, pagination, permissions, client address."""
