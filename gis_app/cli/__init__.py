"""The `gis-app` command: adapters over the packages below, never imported by them."""
