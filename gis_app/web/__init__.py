"""The web pages (map browser, floor plans, land search, dashboard): HTML built on the
server from folium maps and templates in web/templates, behaviour in web/js, all served by
the app itself so the pages work with no internet."""
