"""NHS leadership reviews tracker: data loading, validation, page generation and charts."""

__version__ = "0.1.0"
