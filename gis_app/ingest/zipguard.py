"""Open a zip given for import without trusting it: a corrupt archive, too many members or
contents that expand past the limits (a zip bomb) are refused.

The sizes the zip's directory declares are only a first, cheap check. Members are then
inflated in chunks and the bytes that really come out are counted, so an archive whose
headers understate its contents stops at the limit instead of filling memory or disk. A
member whose real size differs from the declared one is refused as corrupt: GDAL's
`/vsizip/` and every other reader would go by the declared sizes.
"""

from __future__ import annotations

import copy
import lzma
import struct
import sys
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from gis_app.config import Settings
from gis_app.ingest.report import ImportRefused, ImportTooLarge

ZIP_MAGIC = b"PK\x03\x04"
_LOCAL = struct.Struct("<4s5H3L2H")
"""A local file header: signature, version, flags, method, time, date, CRC, sizes, lengths."""
ZIP64_SIZE = 0xFFFFFFFF
CHUNK = 1 << 20
RATIO_FLOOR = 1 << 20
"""Expanding to this many bytes is never taken for a bomb, whatever the ratio: a small
archive of text packs far better than 200 to 1."""
_CORRUPT = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    lzma.LZMAError,
    OSError,
    EOFError,
    ValueError,
    RuntimeError,
    NotImplementedError,
)
"""What zipfile raises for a damaged, truncated, encrypted or oddly compressed archive."""


def _default(name: str) -> Any:
    return Settings.model_fields[name].default


MAX_UNZIPPED_BYTES: int = _default("import_unzipped_max_bytes")
MAX_RATIO: float = _default("import_zip_max_ratio")
MAX_MEMBERS: int = _default("import_zip_max_members")
"""The settings' defaults, for code called without settings."""


@dataclass(frozen=True, slots=True)
class ZipLimits:
    """How far a zip may expand: bytes in all, bytes per packed byte, and members."""

    max_bytes: int = MAX_UNZIPPED_BYTES
    max_ratio: float = MAX_RATIO
    max_members: int = MAX_MEMBERS

    @classmethod
    def of(cls, settings: Settings) -> ZipLimits:
        """The limits the settings give."""
        return cls(
            settings.import_unzipped_max_bytes,
            settings.import_zip_max_ratio,
            settings.import_zip_max_members,
        )


DEFAULT_LIMITS = ZipLimits()


@dataclass(frozen=True, slots=True)
class ZipReasons:
    """The i18n keys of the refusals (each importer words them its own way)."""

    corrupt: str = "ingest.reason.corrupt_zip"
    members: str = "ingest.reason.zip_too_many_members"
    too_large: str = "ingest.reason.zip_too_large"
    ratio: str = "ingest.reason.zip_ratio"


class GuardedZip:
    """An open archive whose members are read through the limits (see `open_zip`)."""

    def __init__(self, archive: zipfile.ZipFile, limits: ZipLimits, reasons: ZipReasons) -> None:
        self._archive = archive
        self._limits = limits
        self._reasons = reasons
        self.members = [info for info in archive.infolist() if not info.is_dir()]
        """The archive's files (folders left out), in directory order."""
        self._packed = sum(info.compress_size for info in self.members)
        self.inflated = 0
        """Bytes inflated so far, all members together."""

    @property
    def names(self) -> list[str]:
        return [info.filename for info in self.members]

    def corrupt(self, detail: object) -> ImportRefused:
        return ImportRefused(field="path", reason=self._reasons.corrupt, detail=str(detail))

    def check(self, size: int) -> None:
        """Refuse an archive expanding to `size` bytes past the total or the ratio limit."""
        limits = self._limits
        if size > limits.max_bytes:
            raise ImportTooLarge(
                field="path", reason=self._reasons.too_large, size=size, limit=limits.max_bytes
            )
        if size > max(limits.max_ratio * self._packed, RATIO_FLOOR):
            raise ImportTooLarge(
                field="path",
                reason=self._reasons.ratio,
                ratio=round(size / max(self._packed, 1)),
                limit=limits.max_ratio,
            )

    def check_local_header(self, info: zipfile.ZipInfo) -> None:
        """Refuse a member whose local header disagrees with the central directory on its
        sizes or checksum: zipfile reads by the directory, but GDAL's `/vsizip/` goes by
        the local header, and would read a cut-off member (a .dbf without its fields) as
        if it were whole."""
        fp = self._archive.fp
        if fp is None:
            return
        fp.seek(info.header_offset)
        header = fp.read(_LOCAL.size)
        if len(header) != _LOCAL.size or header[:4] != ZIP_MAGIC:
            raise self.corrupt(f"{info.filename}: no local header")
        fields = _LOCAL.unpack(header)
        flags, (crc, packed, size) = fields[2], fields[6:9]
        if flags & 0x08:  # sizes follow the data (a streamed zip): the directory rules
            return
        declared = {"crc": info.CRC, "packed": info.compress_size, "size": info.file_size}
        local = {"crc": crc, "packed": packed, "size": size}
        for key, value in local.items():
            if value != declared[key] and value != ZIP64_SIZE:
                raise self.corrupt(
                    f"{info.filename}: local header says {key} {value}, "
                    f"central directory {declared[key]}"
                )

    def chunks(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """The member's bytes as they are inflated, at most `CHUNK` at a time, each counted
        against the limits before it is handed out."""
        self.check_local_header(info)
        unbounded = copy.copy(info)
        unbounded.file_size = sys.maxsize  # read to the data's real end, not the declared one
        size = 0
        try:
            member = self._archive.open(unbounded)
        except _CORRUPT as exc:
            raise self.corrupt(f"{info.filename}: {exc}") from exc
        with member:
            while True:
                try:
                    chunk = member.read(CHUNK)
                except _CORRUPT as exc:
                    raise self.corrupt(f"{info.filename}: {exc}") from exc
                if not chunk:
                    break
                size += len(chunk)
                self.inflated += len(chunk)
                self.check(self.inflated)
                yield chunk
        if size != info.file_size:
            raise self.corrupt(f"{info.filename}: {info.file_size} bytes declared, {size} found")

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """The whole member, for a caller that needs it at once (a JSON document)."""
        return b"".join(self.chunks(info))

    def inflate_all(self) -> None:
        """Inflate every member and throw the bytes away: the real sizes, counted before
        another reader (GDAL) is let at the archive."""
        for info in self.members:
            for _ in self.chunks(info):
                pass


@contextmanager
def open_zip(
    source: Path | BinaryIO, limits: ZipLimits, reasons: ZipReasons | None = None
) -> Iterator[GuardedZip]:
    """The archive at `source` once its directory is readable, its member count within
    `limits` and its declared sizes too; its members are then read through the limits.
    Refusals (`ImportRefused`, `ImportTooLarge` for sizes) name the field `path`."""
    reasons = reasons or ZipReasons()
    try:
        archive = zipfile.ZipFile(source)
    except _CORRUPT as exc:
        raise ImportRefused(field="path", reason=reasons.corrupt, detail=str(exc)) from exc
    with archive:
        guarded = GuardedZip(archive, limits, reasons)
        count = len(guarded.members)
        if count > limits.max_members:
            raise ImportRefused(
                field="path", reason=reasons.members, count=count, limit=limits.max_members
            )
        guarded.check(sum(info.file_size for info in guarded.members))
        yield guarded


def check_zip(path: Path, limits: ZipLimits, reasons: ZipReasons | None = None) -> list[str]:
    """The archive's file names once every member has been inflated within `limits`."""
    with open_zip(path, limits, reasons) as archive:
        archive.inflate_all()
        return archive.names
