"""Land search: reference layers (roads, stations, constraint zones), registered rasters with
per-parcel statistics, and saved criteria presets.

The new tables are audited and their geometries validated like those of 0001; a parcel whose
shape changes loses its raster statistics (migrations/sql/0002_functions.sql), so a missing
row always means "to compute".

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 04:40:36.105495
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

from gis_app.db.audit import audit_trigger_statements
from gis_app.db.migrate import run_sql_file

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDITED = {
    "road": ("id",),
    "transit_station": ("id",),
    "constraint_zone": ("id",),
    "raster_layer": ("code",),
    "land_query_preset": ("id",),
}


def upgrade() -> None:
    op.create_geospatial_table(
        "constraint_zone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4490,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('basic_farmland', 'ecological_redline', 'flood_zone', 'urban_boundary', 'heritage', 'geohazard')",
            name=op.f("ck_constraint_zone_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_constraint_zone")),
    )
    op.create_geospatial_index(
        "idx_constraint_zone_geom",
        "constraint_zone",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_constraint_zone_kind"), "constraint_zone", ["kind"], unique=False)
    op.create_table(
        "land_query_preset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("criteria", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('search', 'site_selection')", name=op.f("ck_land_query_preset_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_land_query_preset")),
        sa.UniqueConstraint("name", name=op.f("uq_land_query_preset_name")),
    )
    op.create_geospatial_table(
        "raster_layer",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("units", sa.String(length=16), nullable=False),
        sa.Column("path", sa.Text(), nullable=False, comment="File under the raster directory"),
        sa.Column("band", sa.Integer(), server_default="1", nullable=False),
        sa.Column("crs", sa.Text(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("res_x", sa.Float(), nullable=False),
        sa.Column("res_y", sa.Float(), nullable=False),
        sa.Column("nodata", sa.Float(), nullable=True),
        sa.Column("derived_from", sa.String(length=40), nullable=True),
        sa.Column(
            "registered_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "footprint",
            Geometry(
                geometry_type="POLYGON",
                srid=4490,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.CheckConstraint("code ~ '^[a-z][a-z0-9_]*$'", name=op.f("ck_raster_layer_code_slug")),
        sa.CheckConstraint(
            "kind IN ('dem', 'slope', 'flood_depth', 'land_cover', 'other')",
            name=op.f("ck_raster_layer_kind"),
        ),
        sa.CheckConstraint("band >= 1", name=op.f("ck_raster_layer_band")),
        sa.ForeignKeyConstraint(
            ["derived_from"],
            ["raster_layer.code"],
            name=op.f("fk_raster_layer_derived_from_raster_layer"),
            onupdate="CASCADE",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_raster_layer")),
    )
    op.create_geospatial_index(
        "idx_raster_layer_footprint",
        "raster_layer",
        ["footprint"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_table(
        "road",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("road_class", sa.String(length=16), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTILINESTRING",
                srid=4490,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.CheckConstraint(
            "road_class IN ('expressway', 'arterial', 'secondary', 'local')",
            name=op.f("ck_road_road_class"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_road")),
    )
    op.create_geospatial_index(
        "idx_road_geom", "road", ["geom"], unique=False, postgresql_using="gist", postgresql_ops={}
    )
    op.create_geospatial_table(
        "transit_station",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4490,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.CheckConstraint(
            "mode IN ('metro', 'rail', 'bus')", name=op.f("ck_transit_station_mode")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transit_station")),
    )
    op.create_geospatial_index(
        "idx_transit_station_geom",
        "transit_station",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_table(
        "parcel_raster_stat",
        sa.Column("parcel_id", sa.Integer(), nullable=False),
        sa.Column("raster_code", sa.String(length=40), nullable=False),
        sa.Column("min", sa.Float(), nullable=True),
        sa.Column("mean", sa.Float(), nullable=True),
        sa.Column("max", sa.Float(), nullable=True),
        sa.Column("majority", sa.Float(), nullable=True),
        sa.Column(
            "cells", sa.Float(), nullable=False, comment="Sum of covered fractions of valid cells"
        ),
        sa.Column("valid_area_m2", sa.Float(), nullable=False),
        sa.Column("nodata_fraction", sa.Float(), nullable=False),
        sa.Column("outside_fraction", sa.Float(), nullable=False),
        sa.Column(
            "computed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["parcel_id"],
            ["land_parcel.id"],
            name=op.f("fk_parcel_raster_stat_parcel_id_land_parcel"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["raster_code"],
            ["raster_layer.code"],
            name=op.f("fk_parcel_raster_stat_raster_code_raster_layer"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("parcel_id", "raster_code", name=op.f("pk_parcel_raster_stat")),
    )
    op.create_index(
        op.f("ix_parcel_raster_stat_raster_code"),
        "parcel_raster_stat",
        ["raster_code"],
        unique=False,
    )
    run_sql_file("0002_functions.sql")
    for table, keys in AUDITED.items():
        for statement in audit_trigger_statements(table, keys):
            op.execute(statement)


def downgrade() -> None:
    run_sql_file("0002_drop_functions.sql")
    op.drop_index(op.f("ix_parcel_raster_stat_raster_code"), table_name="parcel_raster_stat")
    op.drop_table("parcel_raster_stat")
    op.drop_geospatial_index(
        "idx_transit_station_geom",
        table_name="transit_station",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("transit_station")
    op.drop_geospatial_index(
        "idx_road_geom", table_name="road", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("road")
    op.drop_geospatial_index(
        "idx_raster_layer_footprint",
        table_name="raster_layer",
        postgresql_using="gist",
        column_name="footprint",
    )
    op.drop_geospatial_table("raster_layer")
    op.drop_table("land_query_preset")
    op.drop_index(op.f("ix_constraint_zone_kind"), table_name="constraint_zone")
    op.drop_geospatial_index(
        "idx_constraint_zone_geom",
        table_name="constraint_zone",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("constraint_zone")
