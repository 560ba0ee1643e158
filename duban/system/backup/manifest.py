"""manifest.json: what a backup holds and a SHA-256 checksum of every file in it.

The manifest is signed with an HMAC keyed from SECRET_KEY, so whoever alters a file and
recomputes its checksum must also know the key. The checksums alone catch damage in storage
or transfer.
"""

import hashlib
import json
from pathlib import Path, PurePosixPath

from django.utils.crypto import constant_time_compare, salted_hmac

from duban.system.backup import BackupError

NAME = "manifest.json"
FORMAT = "duban-backup"
FORMAT_VERSION = 1
SIGNATURE_SALT = "duban.system.backup.manifest"
REQUIRED_DATABASE_KEYS = {"vendor", "file", "migrations", "row_counts"}

ERR_NO_MANIFEST = "“{path}”不是 duban 备份：找不到 manifest.json。"
ERR_UNREADABLE = "manifest.json 无法读取：{error}"
ERR_FORMAT = "manifest.json 不是 duban 备份清单，或格式版本（{version}）不受支持（支持版本 {supported}）。"
ERR_INCOMPLETE = "manifest.json 缺少“{key}”部分，不是完整的备份清单。"
ERR_SIGNATURE = (
    "manifest.json 的签名不符：清单被改动过，或本机的 SECRET_KEY 与备份时不同。"
    "确认备份可信且密钥确已更换时，可加 --ignore-signature 跳过签名检查。"
)
ERR_UNSAFE = "清单中的文件名不安全：{name}"
ERR_MISSING = "备份文件缺失：{name}"
ERR_ALTERED = "备份文件被改动（大小或校验和与清单不符）：{name}"
ERR_UNLISTED = "备份中有清单未列出的文件：{name}"


def file_digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def files_describe(root: Path) -> dict[str, dict]:
    """Every file under root except the manifest, by POSIX path relative to root."""
    return {
        _relative(root, path): {"sha256": file_digest(path), "size": path.stat().st_size}
        for path in sorted(_files(root))
    }


def signature(manifest: dict) -> str:
    body = {key: value for key, value in manifest.items() if key != "signature"}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return salted_hmac(SIGNATURE_SALT, canonical, algorithm="sha256").hexdigest()


def write(root: Path, manifest: dict) -> None:
    manifest = {**manifest, "signature": signature(manifest)}
    (root / NAME).write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", "utf-8")


def read(root: Path) -> dict:
    path = root / NAME
    if not path.is_file():
        raise BackupError(ERR_NO_MANIFEST.format(path=root))
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(ERR_UNREADABLE.format(error=error))
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(ERR_FORMAT.format(version="?", supported=FORMAT_VERSION))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(ERR_FORMAT.format(version=manifest.get("format_version"), supported=FORMAT_VERSION))
    described = manifest.get("database")
    if not isinstance(described, dict) or not described.keys() >= REQUIRED_DATABASE_KEYS:
        raise BackupError(ERR_INCOMPLETE.format(key="database"))
    if not isinstance(manifest.get("files"), dict):
        raise BackupError(ERR_INCOMPLETE.format(key="files"))
    if described["file"] not in manifest["files"]:
        raise BackupError(ERR_MISSING.format(name=described["file"]))
    return manifest


def verify(root: Path, manifest: dict, *, check_signature: bool = True) -> None:
    """Refuse (BackupError naming the file) unless every listed file is present and intact
    and nothing else is there. Reads only; changes nothing."""
    if check_signature and not constant_time_compare(str(manifest.get("signature", "")), signature(manifest)):
        raise BackupError(ERR_SIGNATURE)
    listed = manifest.get("files") or {}
    for name, expected in sorted(listed.items()):
        pure = PurePosixPath(name)
        if pure.is_absolute() or ".." in pure.parts or name == NAME:
            raise BackupError(ERR_UNSAFE.format(name=name))
        path = root.joinpath(*pure.parts)
        if not path.is_file():
            raise BackupError(ERR_MISSING.format(name=name))
        if path.stat().st_size != expected.get("size") or file_digest(path) != expected.get("sha256"):
            raise BackupError(ERR_ALTERED.format(name=name))
    for path in sorted(_files(root)):
        name = _relative(root, path)
        if name not in listed:
            raise BackupError(ERR_UNLISTED.format(name=name))


def _files(root: Path):
    return (path for path in root.rglob("*") if path.is_file() and path != root / NAME)


def _relative(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()
