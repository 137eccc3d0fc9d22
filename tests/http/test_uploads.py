"""The one upload reader: streamed to a temporary copy under the user's suffix, 413 naming
`file` past the limit, and nothing left behind either way."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from fastapi import UploadFile

from gis_app.http.uploads import CHUNK, received
from gis_app.ingest import ImportTooLarge


def _upload(data: bytes, name: str | None) -> UploadFile:
    return UploadFile(io.BytesIO(data), filename=name)


def test_the_copy_keeps_the_bytes_and_the_name_and_goes_away() -> None:
    data = b"x" * (2 * CHUNK + 5)
    with received(_upload(data, "楼宇.GeoJSON"), limit=len(data)) as upload:
        assert upload.name == "楼宇.GeoJSON" and upload.path.name == "upload.geojson"
        assert upload.path.read_bytes() == data
        kept = upload.path
    assert not kept.exists() and not kept.parent.exists()
    with received(_upload(b"II*\0", None), limit=10, suffix=".tif") as upload:
        assert upload.name == "upload.tif" and upload.path.name == "upload.tif"


def test_past_the_limit_is_413_naming_file_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    big = _upload(b"x" * (CHUNK + 1), "big.zip")
    with pytest.raises(ImportTooLarge) as refused, received(big, limit=CHUNK):
        pytest.fail("the upload is over the limit")
    assert list(tmp_path.iterdir()) == []
    assert refused.value.status_code == 413
    assert refused.value.context["field"] == "file"
    assert refused.value.context["reason"] == "ingest.reason.upload_too_large"
    assert refused.value.context["limit"] == CHUNK
