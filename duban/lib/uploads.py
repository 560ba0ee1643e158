"""Checking uploaded evidence files: size, type by extension *and* by content, and a
safe file name. Model-free; services turn UploadRejected into their own refusal."""

import re
import unicodedata
from pathlib import PurePath

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls/.ppt
ZIP = b"PK\x03\x04"  # .docx/.xlsx/.pptx/.ofd/.zip

EVIDENCE_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".docx": (ZIP,),
    ".doc": (OLE,),
    ".xlsx": (ZIP,),
    ".xls": (OLE,),
    ".pptx": (ZIP,),
    ".ppt": (OLE,),
    ".ofd": (ZIP,),
    ".wps": (OLE,),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".zip": (ZIP,),
    ".txt": (),  # checked as text below
}

ERR_TOO_LARGE = "文件“{name}”超过 {limit} MB 的上限。"
ERR_EMPTY = "文件“{name}”是空的。"
ERR_TYPE = "文件“{name}”的类型不允许。可上传 PDF、Word、Excel、PPT、OFD、图片（JPG/PNG）、压缩包（ZIP）或文本文件。"
ERR_CONTENT = "文件“{name}”的内容与扩展名不符，请上传原始文件。"


class UploadRejected(ValueError):
    """The upload is refused; the message is for the user."""


def safe_name(name: str, limit: int = 120) -> str:
    """The file's base name without path parts or control characters, length-limited."""
    base = PurePath((name or "").replace("\\", "/")).name
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    base = re.sub(r"\s+", " ", base).strip().lstrip(".") or "附件"
    if len(base) > limit:
        stem, suffix = PurePath(base).stem, PurePath(base).suffix[:10]
        base = stem[: limit - len(suffix)] + suffix
    return base


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def check_evidence(upload, max_bytes: int, signatures: dict = EVIDENCE_SIGNATURES) -> str:
    """Refuse the upload unless it is within `max_bytes`, has an allowed extension and
    starts with that type's signature. Returns the safe file name."""
    name = safe_name(getattr(upload, "name", ""))
    if upload.size > max_bytes:
        raise UploadRejected(ERR_TOO_LARGE.format(name=name, limit=max_bytes // (1024 * 1024)))
    if upload.size == 0:
        raise UploadRejected(ERR_EMPTY.format(name=name))
    extension = PurePath(name).suffix.lower()
    if extension not in signatures:
        raise UploadRejected(ERR_TYPE.format(name=name))
    upload.seek(0)
    head = upload.read(512)
    upload.seek(0)
    allowed = signatures[extension]
    ok = _looks_like_text(head[:256]) if not allowed else any(head.startswith(sig) for sig in allowed)
    if not ok:
        raise UploadRejected(ERR_CONTENT.format(name=name))
    return name
