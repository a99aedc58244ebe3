"""The schema model and its readers (live database, DDL file)."""
