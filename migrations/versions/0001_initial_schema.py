"""Initial schema: bodies, staff, standards, campuses, buildings, floors, rooms, parcels, audit.

Also installs the audit and validation triggers (migrations/sql/0001_*.sql) and seeds the
2014 office-space standard and the land-use classifications (migrations/seed/*.csv).

Revision ID: 0001
Revises:
Create Date: 2026-11-28 00:29:26.244982
"""

import csv
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

from gis_app.db.audit import audit_trigger_statements
from gis_app.db.migrate import run_sql_file

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


HERE = Path(__file__).resolve().parent.parent
EXTENSIONS = ("postgis", "btree_gist")
"""Created if missing (a bare DATABASE_URL database); left in place by downgrade."""
STANDARD = "CN-2014"
AUDITED = {
    "standard_version": ("code",),
    "rank": ("code",),
    "office_area_standard": ("standard_code", "rank_code"),
    "service_room_band": ("id",),
    "landuse_class": ("scheme", "code"),
    "organisation": ("id",),
    "staff": ("id",),
    "campus": ("id",),
    "building": ("id",),
    "floor": ("id",),
    "room": ("id",),
    "room_occupancy": ("id",),
    "land_parcel": ("id",),
}


def _csv(name: str) -> list[dict[str, str]]:
    with open(HERE / "seed" / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _create_audit_triggers() -> None:
    for table, keys in AUDITED.items():
        for statement in audit_trigger_statements(table, keys):
            op.execute(statement)


def _seed() -> None:
    version = sa.table(
        "standard_version",
        *(
            sa.column(c)
            for c in (
                "code",
                "name_zh",
                "name_en",
                "document",
                "equipment_max_ratio",
                "leader_toilet_max_m2",
                "is_default",
            )
        ),
    )
    op.bulk_insert(
        version,
        [
            {
                "code": STANDARD,
                "name_zh": "党政机关办公用房建设标准（2014）",
                "name_en": "Construction standard for Party and government office space (2014)",
                "document": "发改投资〔2014〕2674号",
                "equipment_max_ratio": 0.09,
                "leader_toilet_max_m2": 6,
                "is_default": True,
            }
        ],
    )
    ranks = _csv("rank.csv")
    rank = sa.table(
        "rank",
        *(sa.column(c) for c in ("code", "level", "name_zh", "name_en", "is_leader", "sort_order")),
    )
    op.bulk_insert(
        rank,
        [
            {
                **{k: r[k] for k in ("code", "level", "name_zh", "name_en")},
                "is_leader": r["is_leader"] == "true",
                "sort_order": int(r["sort_order"]),
            }
            for r in ranks
        ],
    )
    area = sa.table(
        "office_area_standard",
        *(sa.column(c) for c in ("standard_code", "rank_code", "max_usable_m2", "note")),
    )
    op.bulk_insert(
        area,
        [
            {
                "standard_code": STANDARD,
                "rank_code": r["code"],
                "max_usable_m2": float(r["max_usable_m2"]),
                "note": r["note"] or None,
            }
            for r in ranks
        ],
    )
    band = sa.table(
        "service_room_band",
        *(
            sa.column(c)
            for c in (
                "standard_code",
                "level",
                "staff_above",
                "staff_up_to",
                "rate_intercept",
                "rate_slope",
                "verified",
                "source",
            )
        ),
    )
    op.bulk_insert(
        band,
        [
            {
                "standard_code": STANDARD,
                "level": b["level"],
                "staff_above": int(b["staff_above"]),
                "staff_up_to": int(b["staff_up_to"]) if b["staff_up_to"] else None,
                "rate_intercept": float(b["rate_intercept"]),
                "rate_slope": float(b["rate_slope"]),
                "verified": b["verified"] == "true",
                "source": b["source"],
            }
            for b in _csv("service_room_band.csv")
        ],
    )
    landuse = sa.table(
        "landuse_class",
        *(sa.column(c) for c in ("scheme", "code", "name_zh", "name_en", "parent_code")),
    )
    op.bulk_insert(
        landuse, [{**c, "parent_code": c["parent_code"] or None} for c in _csv("landuse_class.csv")]
    )


def upgrade() -> None:
    for extension in EXTENSIONS:
        op.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("who", sa.Text(), nullable=False),
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("operation", sa.Text(), nullable=False),
        sa.Column(
            "row_key", sa.Text(), nullable=True, comment="Primary key; composite keys joined by /"
        ),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "txid", sa.BigInteger(), server_default=sa.text("txid_current()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(
        "ix_audit_log_table_name_row_key", "audit_log", ["table_name", "row_key"], unique=False
    )
    op.create_geospatial_table(
        "campus",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campus")),
        sa.UniqueConstraint("code", name=op.f("uq_campus_code")),
    )
    op.create_geospatial_index(
        "idx_campus_geom",
        "campus",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_table(
        "landuse_class",
        sa.Column("scheme", sa.String(length=24), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column("parent_code", sa.String(length=8), nullable=True),
        sa.CheckConstraint(
            "scheme IN ('GB/T 21010-2017', 'MNR-YDYH-2023')", name=op.f("ck_landuse_class_scheme")
        ),
        sa.PrimaryKeyConstraint("scheme", "code", name=op.f("pk_landuse_class")),
    )
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("authorised_staff", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint(
            "kind IN ('party', 'government', 'npc', 'cppcc', 'court', 'procuratorate', 'supervision', 'mass_org', 'public_institution', 'other')",
            name=op.f("ck_organisation_kind"),
        ),
        sa.CheckConstraint(
            "level IN ('central', 'provincial', 'municipal', 'county', 'township')",
            name=op.f("ck_organisation_level"),
        ),
        sa.CheckConstraint("authorised_staff >= 0", name=op.f("ck_organisation_authorised_staff")),
        sa.CheckConstraint(
            "parent_id IS DISTINCT FROM id", name=op.f("ck_organisation_not_own_parent")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["organisation.id"],
            name=op.f("fk_organisation_parent_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("code", name=op.f("uq_organisation_code")),
    )
    op.create_index(op.f("ix_organisation_parent_id"), "organisation", ["parent_id"], unique=False)
    op.create_table(
        "rank",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("is_leader", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "level IN ('central', 'provincial', 'municipal', 'county', 'township')",
            name=op.f("ck_rank_level"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_rank")),
    )
    op.create_table(
        "standard_version",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("document", sa.Text(), nullable=True),
        sa.Column(
            "equipment_max_ratio",
            sa.Numeric(precision=5, scale=4),
            nullable=False,
            comment="Equipment rooms ≤ ratio × (office + service usable area)",
        ),
        sa.Column("leader_toilet_max_m2", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("is_default", sa.Boolean(), server_default="false", nullable=False),
        sa.CheckConstraint(
            "equipment_max_ratio BETWEEN 0 AND 1", name=op.f("ck_standard_version_ratio")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_standard_version")),
    )
    op.create_index(
        "uq_standard_version_one_default",
        "standard_version",
        ["is_default"],
        unique=True,
        postgresql_where=sa.text("is_default"),
    )
    op.create_geospatial_table(
        "building",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("campus_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("floors_above", sa.Integer(), nullable=False),
        sa.Column("floors_below", sa.Integer(), server_default="0", nullable=False),
        sa.Column("height_m", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("year_built", sa.Integer(), nullable=True),
        sa.Column("gross_floor_area_m2", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column(
            "usable_coefficient",
            sa.Numeric(precision=4, scale=3),
            nullable=True,
            comment="使用面积系数: usable ÷ building area",
        ),
        sa.Column("title_holder_id", sa.Integer(), nullable=True),
        sa.Column("title_certificate_no", sa.Text(), nullable=True),
        sa.Column("safety_grade", sa.String(length=1), nullable=True),
        sa.Column("safety_appraised_on", sa.Date(), nullable=True),
        sa.Column("safety_standard", sa.Text(), server_default="JGJ 125-2016", nullable=True),
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
            "safety_grade IN ('A', 'B', 'C', 'D')", name=op.f("ck_building_safety_grade")
        ),
        sa.CheckConstraint(
            "floors_above >= 1 AND floors_below >= 0", name=op.f("ck_building_floors")
        ),
        sa.CheckConstraint(
            "gross_floor_area_m2 IS NULL OR gross_floor_area_m2 > 0", name=op.f("ck_building_gfa")
        ),
        sa.CheckConstraint("height_m IS NULL OR height_m > 0", name=op.f("ck_building_height")),
        sa.CheckConstraint(
            "usable_coefficient IS NULL OR usable_coefficient > 0 AND usable_coefficient <= 1",
            name=op.f("ck_building_usable_coefficient"),
        ),
        sa.CheckConstraint(
            "year_built IS NULL OR year_built BETWEEN 1800 AND 2100",
            name=op.f("ck_building_year_built"),
        ),
        sa.ForeignKeyConstraint(
            ["campus_id"],
            ["campus.id"],
            name=op.f("fk_building_campus_id_campus"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["title_holder_id"],
            ["organisation.id"],
            name=op.f("fk_building_title_holder_id_organisation"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_building")),
        sa.UniqueConstraint("code", name=op.f("uq_building_code")),
    )
    op.create_geospatial_index(
        "idx_building_geom",
        "building",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_building_campus_id"), "building", ["campus_id"], unique=False)
    op.create_index(
        op.f("ix_building_title_holder_id"), "building", ["title_holder_id"], unique=False
    )
    op.create_geospatial_table(
        "land_parcel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parcel_code", sa.String(length=40), nullable=False),
        sa.Column("landuse_scheme", sa.String(length=24), nullable=False),
        sa.Column("landuse_code", sa.String(length=8), nullable=False),
        sa.Column(
            "area_m2",
            sa.Numeric(precision=14, scale=2),
            nullable=False,
            comment="Recorded area, m²",
        ),
        sa.Column("ownership", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("district", sa.Text(), nullable=True),
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
            "ownership IN ('state', 'collective')", name=op.f("ck_land_parcel_ownership")
        ),
        sa.CheckConstraint(
            "status IN ('in_use', 'idle', 'reserved')", name=op.f("ck_land_parcel_status")
        ),
        sa.CheckConstraint("area_m2 > 0", name=op.f("ck_land_parcel_area")),
        sa.ForeignKeyConstraint(
            ["landuse_scheme", "landuse_code"],
            ["landuse_class.scheme", "landuse_class.code"],
            name="fk_land_parcel_landuse_class",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organisation.id"],
            name=op.f("fk_land_parcel_owner_id_organisation"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_land_parcel")),
        sa.UniqueConstraint("parcel_code", name=op.f("uq_land_parcel_parcel_code")),
    )
    op.create_geospatial_index(
        "idx_land_parcel_geom",
        "land_parcel",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_land_parcel_owner_id"), "land_parcel", ["owner_id"], unique=False)
    op.create_table(
        "office_area_standard",
        sa.Column("standard_code", sa.String(length=40), nullable=False),
        sa.Column("rank_code", sa.String(length=40), nullable=False),
        sa.Column("max_usable_m2", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint("max_usable_m2 > 0", name=op.f("ck_office_area_standard_positive")),
        sa.ForeignKeyConstraint(
            ["rank_code"],
            ["rank.code"],
            name=op.f("fk_office_area_standard_rank_code_rank"),
            onupdate="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["standard_code"],
            ["standard_version.code"],
            name=op.f("fk_office_area_standard_standard_code_standard_version"),
            onupdate="CASCADE",
        ),
        sa.PrimaryKeyConstraint("standard_code", "rank_code", name=op.f("pk_office_area_standard")),
    )
    op.create_table(
        "service_room_band",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("standard_code", sa.String(length=40), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("staff_above", sa.Integer(), nullable=False),
        sa.Column("staff_up_to", sa.Integer(), nullable=True, comment="NULL: no upper bound"),
        sa.Column("rate_intercept", sa.Numeric(precision=8, scale=4), nullable=False),
        sa.Column("rate_slope", sa.Numeric(precision=8, scale=5), nullable=False),
        sa.Column(
            "verified", sa.Boolean(), nullable=False, comment="False: no primary text found yet"
        ),
        sa.Column("source", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "level IN ('central', 'provincial', 'municipal', 'county', 'township')",
            name=op.f("ck_service_room_band_level"),
        ),
        sa.CheckConstraint(
            "staff_up_to IS NULL OR staff_up_to > staff_above",
            name=op.f("ck_service_room_band_band"),
        ),
        sa.ForeignKeyConstraint(
            ["standard_code"],
            ["standard_version.code"],
            name=op.f("fk_service_room_band_standard_code_standard_version"),
            onupdate="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_room_band")),
        postgresql.ExcludeConstraint(
            (sa.column("standard_code"), "="),
            (sa.column("level"), "="),
            (sa.text("int4range(staff_above, staff_up_to, '(]')"), "&&"),
            using="gist",
            name="service_room_band_no_overlap",
        ),
    )
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("rank_code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_staff_organisation_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["rank_code"], ["rank.code"], name=op.f("fk_staff_rank_code_rank"), onupdate="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
    )
    op.create_index(op.f("ix_staff_organisation_id"), "staff", ["organisation_id"], unique=False)
    op.create_index(op.f("ix_staff_rank_code"), "staff", ["rank_code"], unique=False)
    op.create_geospatial_table(
        "floor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column(
            "geom",
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
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["building.id"],
            name=op.f("fk_floor_building_id_building"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_floor")),
        sa.UniqueConstraint("building_id", "ordinal", name=op.f("uq_floor_building_id_ordinal")),
    )
    op.create_geospatial_index(
        "idx_floor_geom",
        "floor",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_table(
        "room",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("floor_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column(
            "category",
            sa.String(length=16),
            nullable=False,
            comment="办公室/服务用房/设备用房/附属用房",
        ),
        sa.Column("subtype", sa.String(length=32), nullable=True),
        sa.Column(
            "usable_area_m2",
            sa.Numeric(precision=10, scale=2),
            nullable=False,
            comment="Recorded (ledger) usable area, m²",
        ),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "local_geom",
            Geometry(
                geometry_type="POLYGON",
                srid=-1,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "geom",
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
        sa.CheckConstraint(
            "category IN ('office', 'service', 'equipment', 'ancillary')",
            name=op.f("ck_room_category"),
        ),
        sa.CheckConstraint(
            "status IN ('in_use', 'vacant', 'renovation', 'leased_out')",
            name=op.f("ck_room_status"),
        ),
        sa.CheckConstraint("usable_area_m2 > 0", name=op.f("ck_room_usable_area")),
        sa.ForeignKeyConstraint(
            ["floor_id"], ["floor.id"], name=op.f("fk_room_floor_id_floor"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_room_organisation_id_organisation"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_room")),
        sa.UniqueConstraint("floor_id", "number", name=op.f("uq_room_floor_id_number")),
    )
    op.create_geospatial_index(
        "idx_room_geom", "room", ["geom"], unique=False, postgresql_using="gist", postgresql_ops={}
    )
    op.create_geospatial_index(
        "idx_room_local_geom",
        "room",
        ["local_geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_room_floor_id"), "room", ["floor_id"], unique=False)
    op.create_index(op.f("ix_room_organisation_id"), "room", ["organisation_id"], unique=False)
    op.create_table(
        "room_occupancy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        postgresql.ExcludeConstraint(
            (sa.column("staff_id"), "="),
            (sa.column("room_id"), "="),
            (sa.text("daterange(valid_from, valid_to)"), "&&"),
            using="gist",
            name="room_occupancy_no_overlap",
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to > valid_from", name=op.f("ck_room_occupancy_period")
        ),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["room.id"],
            name=op.f("fk_room_occupancy_room_id_room"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_room_occupancy_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_room_occupancy")),
    )
    op.create_index(op.f("ix_room_occupancy_room_id"), "room_occupancy", ["room_id"], unique=False)
    op.create_index(
        op.f("ix_room_occupancy_staff_id"), "room_occupancy", ["staff_id"], unique=False
    )
    run_sql_file("0001_functions.sql")
    _create_audit_triggers()
    _seed()


def downgrade() -> None:
    run_sql_file("0001_drop_functions.sql")
    op.drop_index(op.f("ix_room_occupancy_staff_id"), table_name="room_occupancy")
    op.drop_index(op.f("ix_room_occupancy_room_id"), table_name="room_occupancy")
    op.drop_table("room_occupancy")
    op.drop_index(op.f("ix_room_organisation_id"), table_name="room")
    op.drop_index(op.f("ix_room_floor_id"), table_name="room")
    op.drop_geospatial_index(
        "idx_room_local_geom", table_name="room", postgresql_using="gist", column_name="local_geom"
    )
    op.drop_geospatial_index(
        "idx_room_geom", table_name="room", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("room")
    op.drop_geospatial_index(
        "idx_floor_geom", table_name="floor", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("floor")
    op.drop_index(op.f("ix_staff_rank_code"), table_name="staff")
    op.drop_index(op.f("ix_staff_organisation_id"), table_name="staff")
    op.drop_table("staff")
    op.drop_table("service_room_band")
    op.drop_table("office_area_standard")
    op.drop_index(op.f("ix_land_parcel_owner_id"), table_name="land_parcel")
    op.drop_geospatial_index(
        "idx_land_parcel_geom",
        table_name="land_parcel",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("land_parcel")
    op.drop_index(op.f("ix_building_title_holder_id"), table_name="building")
    op.drop_index(op.f("ix_building_campus_id"), table_name="building")
    op.drop_geospatial_index(
        "idx_building_geom", table_name="building", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("building")
    op.drop_index("uq_standard_version_one_default", table_name="standard_version")
    op.drop_table("standard_version")
    op.drop_table("rank")
    op.drop_index(op.f("ix_organisation_parent_id"), table_name="organisation")
    op.drop_table("organisation")
    op.drop_table("landuse_class")
    op.drop_geospatial_index(
        "idx_campus_geom", table_name="campus", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("campus")
    op.drop_index("ix_audit_log_table_name_row_key", table_name="audit_log")
    op.drop_table("audit_log")
