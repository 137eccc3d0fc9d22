"""Reading an uploaded file within the size limit of the settings."""

from __future__ import annotations

from fastapi import UploadFile

from gis_app.ingest.report import ImportTooLarge

CHUNK = 1 << 20


def read_upload(upload: UploadFile, limit: int) -> bytes:
    """The upload's bytes; 413 naming `file` as soon as it passes `limit`, without reading
    the rest."""
    chunks, size = [], 0
    while chunk := upload.file.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise ImportTooLarge(
                field="file", reason="ingest.reason.upload_too_large", size=size, limit=limit
            )
        chunks.append(chunk)
    return b"".join(chunks)
