"""Office-space analyses as SQL that PostGIS runs: one module per analysis, SQL in `sql/`."""
