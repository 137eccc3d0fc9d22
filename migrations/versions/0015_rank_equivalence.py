"""The standard's equivalence notes as data (`rank_equivalence`): which ranks a body may hold
when it uses another level's figures — a sub-provincial city's municipal bodies, a
vice-ministerial unit, a dispatched body or institution. A body names its note
(`organisation.equivalence`); a sub-provincial city's bodies get theirs from the city's flag
(`sub_provincial`, inherited down the tree). `gis_rank_fits` and the data-quality check
read the table. Also a person's start date (`staff.started_on`).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from gis_app.db.audit import audit_trigger_statements
from gis_app.db.history import create_at_function
from gis_app.db.migrate import run_sql_file

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOTE_1 = "2014 standard, note 1 to the office table (domain-reference §1.3)"
NOTE_2 = "2014 standard, note 2 to the office table (domain-reference §1.3)"
PROVINCIAL_DEPT = ("provincial_dept_head", "provincial_dept_deputy")
PROVINCIAL_BELOW_DEPT = (
    *PROVINCIAL_DEPT,
    "provincial_division_head",
    "provincial_division_deputy",
    "provincial_staff",
)
MUNICIPAL_BUREAU = ("municipal_bureau_head", "municipal_bureau_deputy", "municipal_staff")
COUNTY_SECTION = ("county_section_head", "county_section_deputy", "county_staff")

EQUIVALENCES: tuple[tuple[str, str, bool, str, str, str, tuple[str, ...]], ...] = (
    (
        "sub_provincial_city",
        "municipal",
        True,
        "副省级城市（含计划单列市）市级机关",
        "Municipal body of a sub-provincial city",
        f"{NOTE_1}: the city's head uses the provincial deputy figure, its deputies and its "
        "departments' heads the department-head figure, departments' deputies the deputy one",
        ("provincial_deputy", *PROVINCIAL_DEPT),
    ),
    (
        "vice_ministerial_unit",
        "central",
        True,
        "副部级单位",
        "Vice-ministerial unit",
        f"{NOTE_1}: its internal departments use the department-head and deputy figures",
        PROVINCIAL_DEPT,
    ),
    (
        "central_dg_dispatched",
        "central",
        False,
        "中央司局级派出机构、直属事业单位",
        "Central DG-level dispatched body or institution",
        f"{NOTE_2}: uses the provincial department figures",
        PROVINCIAL_BELOW_DEPT,
    ),
    (
        "central_division_dispatched",
        "central",
        False,
        "中央处级派出机构、直属事业单位",
        "Central division-level dispatched body or institution",
        f"{NOTE_2}: uses the municipal bureau figures",
        MUNICIPAL_BUREAU,
    ),
    (
        "provincial_division_dispatched",
        "provincial",
        False,
        "省级处级直属、派出机构和事业单位",
        "Provincial division-level dispatched body or institution",
        f"{NOTE_2}: uses the municipal bureau figures",
        MUNICIPAL_BUREAU,
    ),
    (
        "provincial_section_dispatched",
        "provincial",
        False,
        "省级科级直属、派出机构和事业单位",
        "Provincial section-level dispatched body or institution",
        f"{NOTE_2}: uses the county section figures",
        COUNTY_SECTION,
    ),
    (
        "municipal_section_dispatched",
        "municipal",
        False,
        "市级科级直属、派出机构和事业单位",
        "Municipal section-level dispatched body or institution",
        f"{NOTE_2} ('and so on down'): uses the county section figures",
        COUNTY_SECTION,
    ),
)


def _tables() -> None:
    op.create_table(
        "rank_equivalence",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column(
            "body_level",
            sa.String(16),
            nullable=False,
            comment="The level of the bodies the note applies to",
        ),
        sa.Column(
            "keeps_own_ranks",
            sa.Boolean(),
            server_default="true",
            nullable=False,
            comment="The body's own level's ranks stay allowed",
        ),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "body_level IN ('central', 'provincial', 'municipal', 'county', 'township')",
            name="body_level",
        ),
    )
    op.create_table(
        "rank_equivalence_rank",
        sa.Column(
            "equivalence_code",
            sa.String(40),
            sa.ForeignKey("rank_equivalence.code", onupdate="CASCADE", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "rank_code",
            sa.String(40),
            sa.ForeignKey("rank.code", onupdate="CASCADE"),
            primary_key=True,
        ),
    )
    columns = ("code", "body_level", "keeps_own_ranks", "name_zh", "name_en", "source")
    notes = sa.table("rank_equivalence", *(sa.column(c) for c in columns))
    ranks = sa.table("rank_equivalence_rank", sa.column("equivalence_code"), sa.column("rank_code"))
    op.bulk_insert(notes, [dict(zip(columns, e[:6], strict=True)) for e in EQUIVALENCES])
    op.bulk_insert(
        ranks, [{"equivalence_code": e[0], "rank_code": r} for e in EQUIVALENCES for r in e[6]]
    )
    # the standard's notes as seeded are not a user's change; later ones are audited, and
    # only the owner (a migration) changes them: no route edits them
    for table, keys in (
        ("rank_equivalence", ("code",)),
        ("rank_equivalence_rank", ("equivalence_code", "rank_code")),
    ):
        for statement in audit_trigger_statements(table, keys):
            op.execute(statement)
        op.execute(f"REVOKE INSERT, UPDATE, DELETE ON {table} FROM gis_web")


def _columns() -> None:
    """The new columns, and the same in the history tables (no comments there, as 0010)."""
    comment = "Uses another level's figures (vice-ministerial, dispatched; rank_equivalence)"
    op.add_column("organisation", sa.Column("equivalence", sa.String(40), comment=comment))
    op.add_column("organisation_history", sa.Column("equivalence", sa.String(40)))
    op.create_foreign_key(
        "fk_organisation_equivalence_rank_equivalence",
        "organisation",
        "rank_equivalence",
        ["equivalence"],
        ["code"],
        onupdate="CASCADE",
    )
    op.add_column("staff", sa.Column("started_on", sa.Date(), comment="Took up the post on"))
    op.add_column("staff_history", sa.Column("started_on", sa.Date()))
    op.execute("GRANT SELECT (started_on) ON staff, staff_history TO gis_web")


def upgrade() -> None:
    _tables()
    _columns()
    for table in ("organisation", "staff"):
        create_at_function(op.get_bind(), table)
    run_sql_file("0015_functions.sql")


def downgrade() -> None:
    run_sql_file("0015_drop_functions.sql")
    op.execute("REVOKE SELECT (started_on) ON staff, staff_history FROM gis_web")
    for table in ("staff", "staff_history"):
        op.drop_column(table, "started_on")
    op.drop_constraint("fk_organisation_equivalence_rank_equivalence", "organisation")
    for table in ("organisation", "organisation_history"):
        op.drop_column(table, "equivalence")
    for table in ("organisation", "staff"):
        create_at_function(op.get_bind(), table)
    op.drop_table("rank_equivalence_rank")
    op.drop_table("rank_equivalence")
