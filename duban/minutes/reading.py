"""Reading a meeting report into text: a .txt file in UTF-8 or GB18030, or a .docx.

Shared by the extract_minutes command (a path) and the upload form (bytes)."""

import io
import zipfile
from pathlib import Path

MAX_EXPANDED = 50 * 1024 * 1024  # a .docx whose parts expand beyond this is refused (zip bomb)


class Unreadable(Exception):
    """The input cannot be read as a report; the message is for the user, in Chinese."""


def read_text(path) -> str:
    """The text of the file at `path` (the command line)."""
    p = Path(path)
    if not p.is_file():
        raise Unreadable(f"无法读取文件：{path} 不存在")
    return read_bytes(p.read_bytes(), name=str(path), docx=p.suffix.lower() == ".docx")


def read_bytes(raw: bytes, *, name: str, docx: bool = False) -> str:
    """The text of an uploaded or read file; `name` appears in the messages."""
    if not raw.strip():
        raise Unreadable(f"文件为空：{name}")
    if docx or raw[:2] == b"PK":
        try:
            import docx as python_docx

            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                if sum(info.file_size for info in archive.infolist()) > MAX_EXPANDED:
                    raise Unreadable(f"无法读取 Word 文件：{name}")
            document = python_docx.Document(io.BytesIO(raw))
        except Exception:
            raise Unreadable(f"无法读取 Word 文件：{name}") from None
        text = "\n".join(par.text for par in document.paragraphs)
    else:
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise Unreadable(f"无法识别文件编码：{name}")
    return check_text(text, name=name)


def check_text(text: str, *, name: str) -> str:
    """Refuse what is not a Chinese text (binary, control characters, no Chinese at all)."""
    if looks_binary(text):
        raise Unreadable(f"文件内容不是文本：{name}")
    if not has_chinese(text):
        raise Unreadable(f"文件中没有可识别的中文内容：{name}")
    return text


def looks_binary(text: str) -> bool:
    return "\x00" in text or sum(1 for c in text if ord(c) < 32 and c not in "\r\n\t") > len(text) // 50


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)
