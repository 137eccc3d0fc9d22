"""Coordinates onto the ground: the one way any CRS reaches CGCS2000 (`transform`), and
ground areas on the CGCS2000 ellipsoid (`area`). Imports, rasters, drawings and the OGC
API all go through here, so the same data lands in the same place whatever brought it."""
