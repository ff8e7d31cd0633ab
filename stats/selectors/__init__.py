"""Reads of the stats app, by seam: who may read what (`scope`), the aggregated tables
(`usage`), where patrons live (`territory`), the annual report (`annual`) and the
COUNTER-style title report (`counter`)."""
