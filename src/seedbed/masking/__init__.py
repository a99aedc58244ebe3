"""Masking an existing database's personal data (``seedbed mask``).

``detect`` finds the columns (by name, as inference does, plus what a plan names, plus
every column a foreign key ties to one); ``fakes`` maps each original value to a
realistic fake by a keyed hash, so the same value gets the same fake in every table;
``apply`` reads the values and writes the fakes back, one transaction per table.
"""
