"""Uploaded files kept under VAR_DIR/imports between the preview and the commit.

Each file is named by a random token; files older than TOKEN_MAX_AGE are purged.
"""

import os
import secrets
import time
from pathlib import Path

from django.conf import settings

from duban.org.importing.columns import TOKEN_MAX_AGE, TOKEN_RE


def import_dir() -> Path:
    return Path(settings.VAR_DIR) / "imports"


def import_file_path(token: str) -> Path | None:
    """The stored file of a token, or None when the token is malformed or gone."""
    if not TOKEN_RE.match(token or ""):
        return None
    path = import_dir() / f"{token}.xlsx"
    return path if path.is_file() else None


def import_file_store(upload) -> str:
    """Keep an uploaded file (readable by this process only); return its token."""
    directory = import_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    import_files_purge()
    token = secrets.token_hex(16)
    fd = os.open(directory / f"{token}.xlsx", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        upload.seek(0)
        for chunk in upload.chunks():
            handle.write(chunk)
    return token


def import_file_delete(token: str) -> None:
    path = import_file_path(token)
    if path is not None:
        path.unlink(missing_ok=True)


def import_files_purge(now: float | None = None) -> int:
    """Delete stored uploads older than TOKEN_MAX_AGE (abandoned previews)."""
    directory = import_dir()
    if not directory.is_dir():
        return 0
    now = time.time() if now is None else now
    removed = 0
    for path in directory.glob("*.xlsx"):
        try:
            if now - path.stat().st_mtime > TOKEN_MAX_AGE:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed
