"""Accounts, roles and scoped access: users, their credentials, API tokens and browser
sessions; the `gis_web` role the app's login role belongs to (no ownership, no RLS bypass,
no write to the audit log but through its triggers); row-level security on every
organisation-scoped table; presets owned by their user; audit rows keep whose they are.

The login role itself (with its password) is made by the app at start-up from the owner's
connection (`gis_app.db.roles`), since its name and secret belong to the deployment.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 14:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from gis_app.db.audit import audit_trigger_statements
from gis_app.db.migrate import run_sql_file
from gis_app.db.roles import CREATE_WEB_ROLE

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WEB_ROLE = "gis_web"
AUDITED = {"app_user": ("id",), "api_token": ("id",)}
READ_ONLY = ("audit_log", "alembic_version")
STAFF_COLUMNS = "id, organisation_id, rank_code"
"""What the app's role may read of `staff`: names only through gis_staff_name()."""


def _stamp(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=True)


def _created() -> sa.Column:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["app_user.id"], name=op.f(f"fk_{table}_user_id_app_user"), ondelete="CASCADE"
    )


def _create_tables() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False, comment="Lower case"),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        _created(),
        sa.CheckConstraint(
            "role IN ('admin', 'office_manager', 'unit_officer', 'viewer', 'auditor')",
            name=op.f("ck_app_user_role"),
        ),
        sa.CheckConstraint(
            "organisation_id IS NOT NULL OR role IN ('admin', 'office_manager', 'auditor')",
            name=op.f("ck_app_user_scoped_role_has_organisation"),
        ),
        sa.CheckConstraint("login ~ '^[a-z0-9_.@-]{2,64}$'", name=op.f("ck_app_user_login_chars")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_app_user_organisation_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("login", name=op.f("uq_app_user_login")),
    )
    op.create_index(op.f("ix_app_user_organisation_id"), "app_user", ["organisation_id"])
    op.create_table(
        "user_credential",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False, comment="argon2id"),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        _stamp("locked_until"),
        _stamp("last_login_at"),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        _user_fk("user_credential"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_credential")),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        _created(),
        _stamp("expires_at"),
        _stamp("revoked_at"),
        _user_fk("api_token"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    op.create_index(op.f("ix_api_token_user_id"), "api_token", ["user_id"])
    op.create_table(
        "user_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        _created(),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("user_session"),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_user_session")),
    )
    op.create_index(op.f("ix_user_session_user_id"), "user_session", ["user_id"])


def _alter_existing() -> None:
    op.add_column(
        "land_query_preset",
        sa.Column(
            "owner_id",
            sa.Integer(),
            nullable=True,
            comment="Whose preset; NULL: shared, read by all, changed by admins",
        ),
    )
    op.create_foreign_key(
        op.f("fk_land_query_preset_owner_id_app_user"),
        "land_query_preset",
        "app_user",
        ["owner_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.drop_constraint(op.f("uq_land_query_preset_name"), "land_query_preset", type_="unique")
    op.create_unique_constraint(
        op.f("uq_land_query_preset_owner_id_name"),
        "land_query_preset",
        ["owner_id", "name"],
        postgresql_nulls_not_distinct=True,
    )
    for column, comment in (
        ("actor_org", "Root organisation of the writer's scope (auditors see their tree's)"),
        ("row_org", "Organisation the changed row belongs to, when it names one"),
    ):
        op.add_column("audit_log", sa.Column(column, sa.Integer(), nullable=True, comment=comment))


def _grant() -> None:
    """`gis_web` may read and write the data, never own, truncate or bypass RLS; the
    tables later migrations add get the same grants (default privileges)."""
    op.execute(CREATE_WEB_ROLE)
    op.execute(f"GRANT USAGE ON SCHEMA public TO {WEB_ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {WEB_ROLE}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {WEB_ROLE}")
    op.execute(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {WEB_ROLE}"
    )
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {WEB_ROLE}"
    )
    for table in READ_ONLY:
        op.execute(f"REVOKE INSERT, UPDATE, DELETE ON {table} FROM {WEB_ROLE}")
    op.execute(f"REVOKE SELECT ON staff FROM {WEB_ROLE}")
    op.execute(f"GRANT SELECT ({STAFF_COLUMNS}) ON staff TO {WEB_ROLE}")


def _revoke() -> None:
    op.execute(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {WEB_ROLE}"
    )
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM {WEB_ROLE}"
    )
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {WEB_ROLE}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {WEB_ROLE}")
    op.execute(f"REVOKE ALL ON SCHEMA public FROM {WEB_ROLE}")


def upgrade() -> None:
    _create_tables()
    _alter_existing()
    for table, keys in AUDITED.items():
        for statement in audit_trigger_statements(table, keys):
            op.execute(statement)
    _grant()
    run_sql_file("0005_functions.sql")


def downgrade() -> None:
    run_sql_file("0005_drop_functions.sql")
    _revoke()
    for column in ("row_org", "actor_org"):
        op.drop_column("audit_log", column)
    op.drop_constraint(
        op.f("uq_land_query_preset_owner_id_name"), "land_query_preset", type_="unique"
    )
    op.execute("DELETE FROM land_query_preset WHERE owner_id IS NOT NULL")
    op.create_unique_constraint(op.f("uq_land_query_preset_name"), "land_query_preset", ["name"])
    op.drop_constraint(
        op.f("fk_land_query_preset_owner_id_app_user"), "land_query_preset", type_="foreignkey"
    )
    op.drop_column("land_query_preset", "owner_id")
    for table in ("user_session", "api_token", "user_credential", "app_user"):
        op.drop_table(table)
