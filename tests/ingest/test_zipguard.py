"""The one zip guard of imports and IMDF: members counted as they really inflate, so an
archive whose headers understate its contents is refused like an honest bomb."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from gis_app.ingest import ImportRefused, ImportTooLarge
from gis_app.ingest.zipguard import ZipLimits, check_zip, open_zip
from tests.ingest.helpers import understate

LIMITS = ZipLimits(max_bytes=1_000_000, max_ratio=200, max_members=5)


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
    return path


def test_an_honest_archive_gives_its_names(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "a.zip", {"a.shp": b"x" * 1000, "dir/a.dbf": b"y"})
    assert check_zip(archive, LIMITS) == ["a.shp", "dir/a.dbf"]


def test_understated_sizes_are_counted_as_they_really_inflate(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "liar.zip", {"a.shp": os.urandom(3_000_000), "a.dbf": b""})
    understate(archive, "a.shp", 1000)
    assert zipfile.ZipFile(archive).getinfo("a.shp").file_size == 1000
    with pytest.raises(ImportTooLarge) as refused:
        check_zip(archive, LIMITS)
    assert refused.value.context["reason"] == "ingest.reason.zip_too_large"
    assert refused.value.context["size"] > LIMITS.max_bytes


def test_a_bomb_in_disguise_stops_at_the_ratio(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "bomb.zip", {"a.shp": b"\0" * 20_000_000})
    understate(archive, "a.shp", 100)
    limits = ZipLimits(max_bytes=10**12, max_ratio=200, max_members=5)
    with pytest.raises(ImportTooLarge) as refused:
        check_zip(archive, limits)
    assert refused.value.context["reason"] == "ingest.reason.zip_ratio"


def test_a_size_that_lies_within_the_limits_is_corrupt(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "liar.zip", {"a.shp": b"x" * 5000})
    understate(archive, "a.shp", 4000)
    with pytest.raises(ImportRefused) as refused:
        check_zip(archive, LIMITS)
    assert refused.value.context["reason"] == "ingest.reason.corrupt_zip"
    assert "a.shp" in refused.value.message("en")


def test_too_many_members_are_refused_before_reading(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "many.zip", {f"{i}.txt": b"" for i in range(6)})
    with pytest.raises(ImportRefused) as refused:
        check_zip(archive, LIMITS)
    assert refused.value.context == {
        "field": "path",
        "reason": "ingest.reason.zip_too_many_members",
        "count": 6,
        "limit": 5,
    }
    assert "6" in refused.value.message("zh-CN") and "6" in refused.value.message("en")


def test_members_stream_in_chunks_counted_across_members(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "two.zip", {"a": os.urandom(600_000), "b": os.urandom(600_000)})
    understate(archive, "b", 100)
    with open_zip(archive, LIMITS) as guarded:
        first = guarded.read(guarded.members[0])
        assert len(first) == 600_000 and guarded.inflated == 600_000
        with pytest.raises(ImportTooLarge):
            for _ in guarded.chunks(guarded.members[1]):
                pass


def test_a_damaged_lzma_member_is_corrupt_not_a_crash(tmp_path: Path) -> None:
    """A broken LZMA stream raises lzma.LZMAError inside zipfile: refused as corrupt (a 4xx at
    the upload routes), never an unhandled error."""
    path = tmp_path / "lzma.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_LZMA) as archive:
        archive.writestr("a.geojson", os.urandom(50_000))
    data = bytearray(path.read_bytes())
    start = 30 + len("a.geojson") + 4  # past the local header, the name and LZMA's own header
    data[start + 10 : start + 400] = bytes(390)
    path.write_bytes(bytes(data))
    with pytest.raises(ImportRefused) as refused:
        check_zip(path, LIMITS)
    assert refused.value.context["reason"] == "ingest.reason.corrupt_zip"


def test_a_local_header_that_understates_a_member_is_corrupt(tmp_path: Path) -> None:
    """zipfile reads by the central directory, GDAL by the local header: a .dbf cut short
    there was read without its fields ("no field floors_abo"). The lie is named instead."""
    archive = _zip(tmp_path / "liar.zip", {"a.shp": b"x" * 500, "a.dbf": b"y" * 3000})
    data = bytearray(archive.read_bytes())
    local = zipfile.ZipFile(archive).getinfo("a.dbf").header_offset
    data[local + 22 : local + 26] = (40).to_bytes(4, "little")
    archive.write_bytes(bytes(data))
    assert zipfile.ZipFile(archive).getinfo("a.dbf").file_size == 3000
    with pytest.raises(ImportRefused) as refused:
        check_zip(archive, LIMITS)
    assert refused.value.context["reason"] == "ingest.reason.corrupt_zip"
    message = refused.value.message("en")
    assert "a.dbf" in message and "local header" in message and "40" in message


def test_a_streamed_zip_with_sizes_after_the_data_is_read(tmp_path: Path) -> None:
    """Sizes in a data descriptor (flag bit 3) leave zeros in the local header: honest."""

    class Unseekable(io.BytesIO):
        def tell(self) -> int:
            raise OSError("a pipe")

    stream = Unseekable()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as out, out.open("a.txt", "w") as f:
        f.write(b"z" * 5000)
    path = tmp_path / "streamed.zip"
    path.write_bytes(stream.getvalue())
    info = zipfile.ZipFile(path).getinfo("a.txt")
    assert info.flag_bits & 0x08
    assert check_zip(path, LIMITS) == ["a.txt"]
