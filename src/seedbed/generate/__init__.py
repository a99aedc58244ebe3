"""Pure, vectorised generation: (plan, seed, table, rows) -> Arrow record batch."""
