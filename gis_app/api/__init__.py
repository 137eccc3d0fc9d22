"""HTTP API: one router module per resource, assembled by `gis_app.app.create_app`."""
