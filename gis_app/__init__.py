"""Web GIS for government office space and land (以图管房)."""

__version__ = "0.1.0"
