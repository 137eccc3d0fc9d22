"""Domain actions that change the space: each runs in one transaction, as the user, with
the edit context of `gis_app.db.edit`, and raises domain errors naming the field."""
