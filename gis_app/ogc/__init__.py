"""OGC API Features (Parts 1, 2 and 3) over the same sources as the map's layers."""
