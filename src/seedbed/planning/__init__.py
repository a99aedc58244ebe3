"""Plans: the file format, inferred defaults, resolution into a validated plan."""
