"""Today's state is read from the tables themselves; a past date through `<table>_at`."""

from __future__ import annotations

from datetime import date, timedelta

from gis_app.analysis.common import dated

SQL = (
    "FROM room_at(CAST(:as_of AS date)) r JOIN staff_at(CAST(:as_of AS date)) s "
    "JOIN building_at(COALESCE(CAST(:as_of AS date), CURRENT_DATE)) b"
)


def test_today_reads_the_tables() -> None:
    assert dated(SQL, None) == "FROM room r JOIN staff s JOIN building b"
    assert dated(SQL, date.today()) == "FROM room r JOIN staff s JOIN building b"


def test_a_past_date_reads_the_history() -> None:
    assert dated(SQL, date.today() - timedelta(days=1)) == SQL
