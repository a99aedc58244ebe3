"""seedbed: realistic, interconnected, reproducible data for relational databases.

The library is what the CLI calls::

    from seedbed.run.source import source_from
    from seedbed.run.seed import SeedOptions, seed
    from seedbed.sinks import open_sink

    sink = open_sink("sqlite:///demo.db")
    manifest = seed(sink, source_from(recipe="scale-seed"), SeedOptions(seed=123, scale=0.1))
"""

__version__ = "0.1.0"
