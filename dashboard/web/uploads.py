"""The upload store of the import page (issue 16): files a user uploads wait here, private, until they are
imported or cancelled, or expire.

* one folder per upload under `<instance>/uploads/` (mode 0700), named by a random token (128 bits) and bound
  to the server-side session that made it (only the SHA-256 of the session id is kept): another session,
  even of the same user, opens nothing;
* the files keep their own names made safe (letters, digits, `.`, `_`, `-`), with the suffix `.csv` or
  `.xlsx` only; at most MAX_UPLOAD_FILES files and MAX_UPLOAD_BYTES together, counted while they are written
  (a bigger upload is refused and nothing of it is kept); what is inside is checked by
  `dashboard.ingest` (binary content, zip bombs, XLSX sizes) like any import;
* files are only ever parsed by the importer, never sent back and never rendered;
* the folder goes away after the import, on cancel, or UPLOAD_TTL_MINUTES after the upload (purged on every
  new upload and when an expired token is used).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

MAX_UPLOAD_BYTES = 25 * 2**20  # all files of one upload together
MAX_UPLOAD_FILES = 10
UPLOAD_TTL_MINUTES = 60
ALLOWED_SUFFIXES = (".csv", ".xlsx")
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_META = "upload.json"
_PROBLEMS = "problems.json"
_FILES = "files"


class UploadRefused(ValueError):
    """The upload is refused (the message says why, for the page); nothing of it was kept."""


@dataclass(frozen=True)
class Upload:
    token: str
    folder: Path
    username: str
    created: float
    files: list[dict]  # {"name", "size"}
    generation: str | None  # the results generation of the preview the user sees

    @property
    def paths(self) -> list[Path]:
        return [self.folder / _FILES / f["name"] for f in self.files]

    @property
    def has_files(self) -> bool:
        return all(p.is_file() for p in self.paths) and bool(self.files)


def uploads_root(instance_dir: Path) -> Path:
    root = Path(instance_dir) / "uploads"
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    root.chmod(0o700)
    return root


def owner_key(session_id: str) -> str:
    return hashlib.sha256(("upload:" + session_id).encode()).hexdigest()


def safe_name(name: str, taken: set[str]) -> str:
    base = Path(str(name).replace("\\", "/")).name
    stem, dot, suffix = base.rpartition(".")
    suffix = ("." + suffix.lower()) if dot else ""
    if suffix not in ALLOWED_SUFFIXES:
        raise UploadRefused(f"{base[:80] or 'a file'}: only .csv and .xlsx files can be imported")
    stem = _SAFE_NAME.sub("_", stem).strip("._")[:80] or "file"
    out, i = stem + suffix, 2
    while out in taken:
        out, i = f"{stem}-{i}{suffix}", i + 1
    return out


def save_upload(root: Path, owner: str, username: str, files: Iterable[tuple[str, IO[bytes]]],
                now: float | None = None) -> Upload:
    """Write the files of one upload to a fresh private folder; UploadRefused (nothing kept) when there are
    none, too many, a wrong kind or too many bytes."""
    purge_expired(root, now)
    files = list(files)
    if not files:
        raise UploadRefused("no file was received")
    if len(files) > MAX_UPLOAD_FILES:
        raise UploadRefused(f"at most {MAX_UPLOAD_FILES} files at a time")
    taken: set[str] = set()
    names = []
    for name, _stream in files:
        names.append(safe_name(name, taken))
        taken.add(names[-1])
    token = secrets.token_urlsafe(16)
    folder = root / token
    (folder / _FILES).mkdir(parents=True, mode=0o700)
    total = 0
    listed = []
    try:
        for name, (_orig, stream) in zip(names, files, strict=True):
            size = 0
            with open(folder / _FILES / name, "wb") as out:
                while chunk := stream.read(1 << 20):
                    size += len(chunk)
                    total += len(chunk)
                    if total > MAX_UPLOAD_BYTES:
                        raise UploadRefused(f"the files are larger than {MAX_UPLOAD_BYTES // 2**20} MB together: "
                                            "split the import into several uploads")
                    out.write(chunk)
            if size == 0:
                raise UploadRefused(f"{name}: the file is empty")
            listed.append({"name": name, "size": size})
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    meta = {"owner": owner, "username": username, "created": now or time.time(), "files": listed,
            "generation": None}
    (folder / _META).write_text(json.dumps(meta))
    return _upload(token, folder, meta)


def _upload(token: str, folder: Path, meta: dict) -> Upload:
    return Upload(token, folder, str(meta["username"]), float(meta["created"]), list(meta["files"]),
                  meta.get("generation"))


def open_upload(root: Path, token: object, owner: str, now: float | None = None) -> Upload | None:
    """The upload of this token if it exists, belongs to this session and has not expired; else None."""
    if not isinstance(token, str) or not _TOKEN_RE.match(token):
        return None
    folder = root / token
    try:
        meta = json.loads((folder / _META).read_text())
    except (OSError, ValueError):
        return None
    if not secrets.compare_digest(str(meta.get("owner", "")), owner):
        return None
    if (now or time.time()) - float(meta.get("created", 0)) > UPLOAD_TTL_MINUTES * 60:
        shutil.rmtree(folder, ignore_errors=True)
        return None
    return _upload(token, folder, meta)


def set_generation(upload: Upload, generation: str | None) -> Upload:
    meta = json.loads((upload.folder / _META).read_text())
    meta["generation"] = generation
    (upload.folder / _META).write_text(json.dumps(meta))
    return _upload(upload.token, upload.folder, meta)


def drop_files(upload: Upload) -> None:
    """Delete the uploaded files but keep the token (its problem list stays downloadable until expiry)."""
    shutil.rmtree(upload.folder / _FILES, ignore_errors=True)


def discard_upload(upload: Upload) -> None:
    shutil.rmtree(upload.folder, ignore_errors=True)


def save_problems(upload: Upload, rows: list[dict], omitted: int) -> None:
    (upload.folder / _PROBLEMS).write_text(json.dumps({"rows": rows, "omitted": omitted}))


def load_problems(upload: Upload) -> tuple[list[dict], int] | None:
    try:
        data = json.loads((upload.folder / _PROBLEMS).read_text())
    except (OSError, ValueError):
        return None
    return list(data.get("rows", [])), int(data.get("omitted", 0))


def purge_expired(root: Path, now: float | None = None) -> int:
    """Remove uploads older than UPLOAD_TTL_MINUTES (and unreadable leftovers); returns how many."""
    now = now or time.time()
    gone = 0
    for folder in root.iterdir() if root.exists() else ():
        if not folder.is_dir():
            continue
        try:
            created = float(json.loads((folder / _META).read_text()).get("created", 0))
        except (OSError, ValueError):
            created = folder.stat().st_mtime
        if now - created > UPLOAD_TTL_MINUTES * 60:
            shutil.rmtree(folder, ignore_errors=True)
            gone += 1
    return gone
