"""IMDF (OGC Community Standard 20-094) indoor maps: read an archive safely (`archive`),
validate it (`validate`), import it — or an IMDF-like single file, or OSM indoor GeoJSON
(`osm`) — into buildings, floors and rooms (`importer`), and export buildings as an
archive (`export`). `gis-app imdf …` (`cli`) and /api/v1/imdf use these."""
