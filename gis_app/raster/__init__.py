"""Numeric raster surfaces (DEM, flood depth, land cover): checking, slope and zonal statistics."""
