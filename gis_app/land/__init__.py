"""Land search (云查地) and smart site selection (智能选地) over parcels in PostGIS."""
