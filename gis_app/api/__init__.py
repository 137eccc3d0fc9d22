"""HTTP API: one router module per resource, assembled by `app.create_app`."""
