"""One settings object, read from the environment and an optional `.env` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DISTRICT_BBOX = (120.13, 30.25, 120.175, 30.275)
"""The sample district's buildings (make run's demo city, in Hangzhou) with a margin."""


class Settings(BaseSettings):
    """Runtime configuration.

    `database_url` comes from `DATABASE_URL`; everything else from `GIS_*`.
    With no `DATABASE_URL`, the app runs its own PostgreSQL+PostGIS cluster in
    `data_dir`, so a fresh machine works with one command.
    """

    model_config = SettingsConfigDict(
        env_prefix="GIS_",
        env_file=PROJECT_ROOT / ".env",
        extra="ignore",
        populate_by_name=True,
    )

    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    data_dir: Path = Field(
        default=PROJECT_ROOT / "var" / "pg",
        description="Folder of the private PostgreSQL cluster (used when DATABASE_URL is unset).",
    )
    sample_dir: Path = Field(
        default=PROJECT_ROOT / "var" / "sample",
        description="Where the sample district's rasters and planted-case manifest are written.",
    )
    raster_dir: Path = Field(
        default=PROJECT_ROOT / "var" / "rasters",
        description="Where registered GeoTIFFs (and slopes derived from DEMs) are kept.",
    )
    upload_max_bytes: int = Field(
        default=2 * 1024**3, ge=1, description="Largest file an upload may be (bytes)."
    )
    import_unzipped_max_bytes: int = Field(
        default=4 * 1024**3,
        ge=1,
        description="Most a zip given for import (Shapefile, IMDF) may unpack to, counted "
        "while inflating.",
    )
    import_zip_max_ratio: float = Field(
        default=200.0, gt=1, description="Highest compression ratio of a zip given for import."
    )
    import_zip_max_members: int = Field(
        default=1000, ge=1, description="Most files a zip given for import may hold."
    )
    service_area: tuple[float, float, float, float] | None = Field(
        default=(73.0, 3.0, 136.0, 54.0),
        description="Lon/lat box imports must lie in (GIS_SERVICE_AREA as JSON, default "
        "China; `null` accepts anywhere). An import can also lift it with `any_area`.",
    )
    db_name: str = Field(default="gis_app", description="Database inside the private cluster.")
    backup_dir: Path = Field(
        default=PROJECT_ROOT / "var" / "backups",
        description="Where `gis-app db backup` writes (0700: backups hold personal data).",
    )
    wal_archive: bool = Field(
        default=False,
        description="Archive the private cluster's WAL into data_dir/wal-archive "
        "(GIS_WAL_ARCHIVE), for `gis-app db restore --until` (point-in-time recovery).",
    )
    pg_bin_dir: Path | None = Field(
        default=None, description="Folder holding initdb/pg_ctl; found automatically if unset."
    )
    host: str = "127.0.0.1"
    port: int = 8000
    page_size_default: int = Field(default=100, ge=1)
    page_size_max: int = Field(default=10_000, ge=1)
    report_rows_max: int = Field(
        default=500_000, ge=1, description="Most rows a CSV/XLSX report carries."
    )
    audit_user: str = Field(
        default="gis-app",
        description="Who the command line writes as in the audit log when no --as is given "
        "(the app writes as the signed-in user).",
    )
    app_database_url: str | None = Field(
        default=None,
        description="Where the app connects as its own unprivileged login role "
        "(GIS_APP_DATABASE_URL). Unset: the app makes the role `app_db_role` from the owner's "
        "connection, with a password kept in `secret_dir`.",
    )
    app_db_role: str = Field(
        default="gis_web_login", description="Login role the app connects as (member of gis_web)."
    )
    secret_dir: Path = Field(
        default=PROJECT_ROOT / "var" / "secrets",
        description="Folder (0700) for the database login role's password.",
    )
    session_hours: float = Field(
        default=12.0, gt=0, description="How long a browser sign-in lasts without activity."
    )
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed sign-ins in a row before the account is locked."
    )
    login_lock_minutes: float = Field(
        default=15.0, gt=0, description="How long an account stays locked after too many failures."
    )
    home_bbox: tuple[float, float, float, float] | None = Field(
        default=SAMPLE_DISTRICT_BBOX,
        description="Where the map pages open and their home button returns "
        "(west,south,east,north; GIS_HOME_BBOX as JSON, e.g. [120.1,30.2,120.2,30.3]): set it "
        "to the office's own district. Default: the sample district's built-up area; `null`: "
        "wherever the data is (one import abroad then leaves the map on an empty view).",
    )
    basemap: Literal["none", "osm", "tianditu"] = Field(
        default="none",
        description="Online basemap under the map pages; off by default (offices often have "
        "no internet). `tianditu` needs `tianditu_key`.",
    )
    tianditu_key: str | None = Field(
        default=None, description="天地图 key (GIS_TIANDITU_KEY); kept out of the code."
    )
    metrics_access: Literal["admin_or_loopback", "admin", "off"] = Field(
        default="admin_or_loopback",
        description="Who may read /metrics: an admin, or also any caller on this machine "
        "(a scraper on 127.0.0.1 with no proxy header); `admin` only; `off` answers 404.",
    )

    @field_validator("data_dir", "sample_dir", "raster_dir", "secret_dir", "backup_dir")
    @classmethod
    def _under_project(cls, value: Path) -> Path:
        """Relative folders are the project's, whatever the working directory."""
        return value if value.is_absolute() else PROJECT_ROOT / value

    @model_validator(mode="after")
    def _basemap_has_its_key(self) -> Settings:
        if self.basemap == "tianditu" and not self.tianditu_key:
            raise ValueError("GIS_BASEMAP=tianditu needs GIS_TIANDITU_KEY")
        return self

    @field_validator("home_bbox")
    @classmethod
    def _home_is_a_box(
        cls, value: tuple[float, float, float, float] | None
    ) -> tuple[float, float, float, float] | None:
        """A home view with west < east and south < north, in lon/lat."""
        if value is not None:
            west, south, east, north = value
            if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
                raise ValueError("GIS_HOME_BBOX must be [west, south, east, north] in lon/lat")
        return value

    @field_validator("database_url", "app_database_url")
    @classmethod
    def _use_psycopg_driver(cls, value: str | None) -> str | None:
        """Accept libpq-style URLs and point SQLAlchemy at psycopg 3."""
        if not value:
            return None
        for prefix in ("postgresql+psycopg2://", "postgresql://", "postgres://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value


@lru_cache
def get_settings() -> Settings:
    """Settings of this process (cached; tests build their own `Settings`)."""
    return Settings()
