"""The map-layer catalog (`layers/*.toml`), the SQL of its sources, and tiles and features
read from them."""
