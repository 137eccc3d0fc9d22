"""Land classes: the 2023 用地用海分类 in full (24 first, 111 second, 40 third-level classes),
the 三调 working classification as a third scheme (`TD/T 1055-2019`: 00, 05H1, 0508, 08H1,
08H2 … and the K/A extension codes), and a crosswalk between the three, so a search by class
finds parcels coded in any scheme. Sources and caveats: migrations/seed/LANDUSE_SOURCE.md.

Two views serve the search: `landuse_class_tree` (each class with itself and every class
above it, by `parent_code`: the 三调 scheme files 0303 under 00, so prefixes do not do) and
`landuse_link` (the crosswalk read in both directions). Parcels get an index on their class.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 19:10:00
"""

import csv
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

from gis_app.db.audit import audit_trigger_statements

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEED = Path(__file__).resolve().parent.parent / "seed"
OLD_SCHEMES = ("GB/T 21010-2017", "MNR-YDYH-2023")
SCHEMES = (*OLD_SCHEMES, "TD/T 1055-2019")

TREE = """
CREATE VIEW landuse_class_tree AS
WITH RECURSIVE t(scheme, ancestor, code) AS (
  SELECT scheme, code, code FROM landuse_class
  UNION ALL
  SELECT c.scheme, t.ancestor, c.code FROM t
  JOIN landuse_class c ON c.scheme = t.scheme AND c.parent_code = t.code
)
SELECT scheme, ancestor, code FROM t
"""
LINK = """
CREATE VIEW landuse_link AS
SELECT scheme_b AS from_scheme, code_b AS from_code, scheme_a AS to_scheme, code_a AS to_code,
       relation, note FROM landuse_crosswalk
UNION ALL
SELECT scheme_a, code_a, scheme_b, code_b,
       CASE relation WHEN 'narrower' THEN 'broader' WHEN 'broader' THEN 'narrower'
       ELSE relation END, note FROM landuse_crosswalk
"""
UPSERT = (
    "INSERT INTO landuse_class (scheme, code, name_zh, name_en, parent_code) "
    "VALUES (:scheme, :code, :name_zh, :name_en, :parent_code) "
    "ON CONFLICT (scheme, code) DO UPDATE SET name_zh = EXCLUDED.name_zh, "
    "name_en = EXCLUDED.name_en, parent_code = EXCLUDED.parent_code"
)


def _csv(name: str) -> list[dict[str, str | None]]:
    with open(SEED / name, newline="", encoding="utf-8") as f:
        return [{k: v or None for k, v in row.items()} for row in csv.DictReader(f)]


def _scheme_check(schemes: tuple[str, ...]) -> None:
    name = op.f("ck_landuse_class_scheme")
    op.drop_constraint(name, "landuse_class", type_="check")
    listed = ", ".join(f"'{s}'" for s in schemes)
    op.create_check_constraint(name, "landuse_class", f"scheme IN ({listed})")


def _write_classes(rows: list[dict[str, str | None]]) -> None:
    """Reference data, not a user's change: not audited (as the seed rows of 0001 were not)."""
    op.execute("ALTER TABLE landuse_class DISABLE TRIGGER USER")
    op.get_bind().execute(sa.text(UPSERT), rows)
    op.execute("ALTER TABLE landuse_class ENABLE TRIGGER USER")


def upgrade() -> None:
    _scheme_check(SCHEMES)
    _write_classes(_csv("landuse_class_0014.csv"))
    op.create_table(
        "landuse_crosswalk",
        sa.Column("scheme_a", sa.String(length=24), nullable=False),
        sa.Column("code_a", sa.String(length=8), nullable=False),
        sa.Column("scheme_b", sa.String(length=24), nullable=False),
        sa.Column("code_b", sa.String(length=8), nullable=False),
        sa.Column(
            "relation",
            sa.String(length=8),
            nullable=False,
            comment="How class a relates to class b: same, narrower (a within b), broader, partial",
        ),
        sa.Column("note", sa.Text(), nullable=True, comment="What differs, and the source"),
        sa.CheckConstraint(
            "relation IN ('same', 'narrower', 'broader', 'partial')",
            name=op.f("ck_landuse_crosswalk_relation"),
        ),
        sa.CheckConstraint("scheme_a <> scheme_b", name=op.f("ck_landuse_crosswalk_two_schemes")),
        *(
            sa.ForeignKeyConstraint(
                [f"scheme_{side}", f"code_{side}"],
                ["landuse_class.scheme", "landuse_class.code"],
                name=f"fk_landuse_crosswalk_{side}",
            )
            for side in "ab"
        ),
        sa.PrimaryKeyConstraint(
            "scheme_a", "code_a", "scheme_b", "code_b", name=op.f("pk_landuse_crosswalk")
        ),
        comment="Correspondence between classes of two land-use schemes",
    )
    op.create_index(
        "ix_landuse_crosswalk_scheme_b_code_b", "landuse_crosswalk", ["scheme_b", "code_b"]
    )
    op.bulk_insert(
        sa.table(
            "landuse_crosswalk",
            *(
                sa.column(c)
                for c in ("scheme_a", "code_a", "scheme_b", "code_b", "relation", "note")
            ),
        ),
        _csv("landuse_crosswalk.csv"),
    )
    for statement in audit_trigger_statements(
        "landuse_crosswalk", ("scheme_a", "code_a", "scheme_b", "code_b")
    ):
        op.execute(statement)
    op.execute(TREE)
    op.execute(LINK)
    op.create_index(
        "ix_land_parcel_landuse_scheme_landuse_code",
        "land_parcel",
        ["landuse_scheme", "landuse_code"],
    )


def downgrade() -> None:
    """Classes a parcel still uses cannot go: the foreign key refuses, and says which."""
    op.drop_index("ix_land_parcel_landuse_scheme_landuse_code", table_name="land_parcel")
    op.execute("DROP VIEW landuse_link")
    op.execute("DROP VIEW landuse_class_tree")
    op.drop_table("landuse_crosswalk")
    old = _csv("landuse_class.csv")
    op.execute("ALTER TABLE landuse_class DISABLE TRIGGER USER")
    op.get_bind().execute(
        sa.text(
            "DELETE FROM landuse_class WHERE (scheme, code) NOT IN "
            "(SELECT s, c FROM unnest(CAST(:schemes AS text[]), CAST(:codes AS text[])) u(s, c))"
        ),
        {"schemes": [r["scheme"] for r in old], "codes": [r["code"] for r in old]},
    )
    op.execute("ALTER TABLE landuse_class ENABLE TRIGGER USER")
    _write_classes(old)
    _scheme_check(OLD_SCHEMES)
