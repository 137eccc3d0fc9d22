"""The audit triggers every migration attaches to the tables it creates."""

from __future__ import annotations


def audit_trigger_statements(table: str, keys: tuple[str, ...]) -> list[str]:
    """CREATE TRIGGER statements auditing `table` (keys: its primary-key columns).

    Inserts and deletes per statement (PostgreSQL allows transition tables only on
    single-event triggers), updates per row, truncation per statement. The functions are
    in migrations/sql/0001_functions.sql."""
    args = ", ".join(f"'{k}'" for k in keys)
    statements = [
        f"CREATE TRIGGER audit_{event.lower()} AFTER {event} ON {table} "
        f"REFERENCING {ref} FOR EACH STATEMENT EXECUTE FUNCTION gis_audit({args})"
        for event, ref in (("INSERT", "NEW TABLE AS new_rows"), ("DELETE", "OLD TABLE AS old_rows"))
    ]
    statements.append(
        f"CREATE TRIGGER audit_update AFTER UPDATE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION gis_audit_update({args})"
    )
    statements.append(
        f"CREATE TRIGGER audit_truncate AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION gis_audit({args})"
    )
    return statements
