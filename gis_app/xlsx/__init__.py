"""Bulk edits from spreadsheets: downloadable XLSX templates for bodies, staff and who sits
where, and their import through the editing functions in one transaction, with the import
report of the vector imports (`gis_app.ingest.report`)."""
