"""Read queries behind the REST resources (SQLAlchemy Core, bound parameters only)."""
