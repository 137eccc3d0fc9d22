"""Results as the files agencies file: CSV and XLSX tables with Chinese headers, and
GeoPackage and Shapefile layers for a GIS."""
