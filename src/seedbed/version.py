"""The version of seedbed (also ``seedbed.__version__`` and ``seedbed --version``)."""

__version__ = "0.1.0"
