"""`python -m gis_app` is the `gis-app` command."""

from gis_app.cli.main import main

main()
