"""Deterministic sample data for the office-space GIS: bodies, staff, buildings, rooms,
parcels and rasters of a synthetic Hangzhou district (or of several Zhejiang cities).

The public entry point is `sample_geodata.load.load_sample`; `DEFAULT_SEED` makes two runs
produce identical data so analyses can be checked against the planted-case manifest.
"""

DEFAULT_SEED = 20141124
"""Date of the 2014 office-space standard notice; any fixed integer would do."""

__all__ = ["DEFAULT_SEED"]
