"""Receiving an uploaded file: streamed to a temporary copy within the size limit of the
settings, never held in memory, and removed again once the request is done with it."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePath

from fastapi import UploadFile

from gis_app.ingest.report import ImportTooLarge

CHUNK = 1 << 20
_SUFFIX = re.compile(r"\.[a-z0-9]{1,10}")


@dataclass(frozen=True, slots=True)
class Upload:
    """The temporary copy of an upload and what the user called it: messages name `name`,
    never the server's copy."""

    path: Path
    name: str


def _own_suffix(name: str) -> str:
    suffix = PurePath(name).suffix.lower()
    return suffix if _SUFFIX.fullmatch(suffix) else ""


@contextmanager
def received(upload: UploadFile, limit: int, *, suffix: str | None = None) -> Iterator[Upload]:
    """The upload copied in chunks to a temporary file (named `upload` + `suffix`, by default
    the upload's own), removed on leaving; 413 naming `file` as soon as it passes `limit`
    bytes, without reading the rest."""
    kept = _own_suffix(upload.filename or "") if suffix is None else suffix
    with tempfile.TemporaryDirectory(prefix="gis-upload-") as folder:
        path = Path(folder) / f"upload{kept}"
        size = 0
        with path.open("wb") as out:
            while chunk := upload.file.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    reason = "ingest.reason.upload_too_large"
                    raise ImportTooLarge(field="file", reason=reason, size=size, limit=limit)
                out.write(chunk)
        yield Upload(path, upload.filename or path.name)
