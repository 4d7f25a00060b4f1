"""Read a v0 export (zip or folder) into memory, refusing anything unsafe or unusable.

Everything is checked before the store is touched: sizes (from the file system
or the zip's central directory, before reading the content), paths escaping
the folder (zip slip, links), encrypted members, binary junk where source code
is expected, and text that is not UTF-8. Each problem is a `UserInputError`
that names the file and says what to do.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from console.errors import UserInputError

logger = logging.getLogger(__name__)

MB = 1024 * 1024
#: The largest archive accepted, checked on the file size before it is opened.
MAX_ARCHIVE_BYTES = 50 * MB
#: The largest total of the files kept (uncompressed), whatever the container.
MAX_TOTAL_BYTES = 100 * MB
#: The largest single file kept.
MAX_FILE_BYTES = 10 * MB
MAX_FILES = 5000

#: Build output, dependencies and tool folders: never part of a project's source.
IGNORED_DIRS = frozenset(
    {
        "node_modules",
        ".next",
        ".git",
        ".vercel",
        ".turbo",
        ".cache",
        "__MACOSX",
        ".idea",
        ".vscode",
        "coverage",
        "out",
    }
)
IGNORED_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini", "npm-debug.log"})
#: .env files may hold real secrets: they stay out of the store (the deploy
#: dialog asks for values). Templates of them (`.env.example`,
#: `.env.local.example`, `.env.sample`, `.env.production.template`, ...) only
#: name the variables and are kept: the same endings the publish step pushes.
ENV_TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist")
#: Extensions of legitimate binary assets; any other file must be UTF-8 text.
BINARY_EXTENSIONS = frozenset(
    {
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".webp",
        ".avif",
        ".ico",
        ".bmp",
        ".tif",
        ".tiff",
        ".woff",
        ".woff2",
        ".ttf",
        ".otf",
        ".eot",
        ".mp4",
        ".webm",
        ".mov",
        ".mp3",
        ".wav",
        ".ogg",
        ".pdf",
        ".glb",
        ".wasm",
        ".lockb",
    }
)
SOURCE_HINTS = ("app/", "pages/", "src/", "components/")


@dataclass(frozen=True)
class ExportFiles:
    """The files of an export, ready to store.

    Attributes:
        files: project-relative POSIX path -> content.
        texts: the same paths for text files, decoded.
        skipped: human notes about what was left out ("node_modules/ (812 files)").
        source_name: the archive's or folder's name (a default project name).
    """

    files: dict[str, bytes]
    texts: dict[str, str]
    skipped: tuple[str, ...]
    source_name: str


def is_binary_path(path: str) -> bool:
    return PurePosixPath(path).suffix.lower() in BINARY_EXTENSIONS


def is_env_template(leaf: str) -> bool:
    """Whether a file name is a template of a .env file (names only), not one with secrets."""
    return leaf.startswith(".env") and leaf.lower().endswith(ENV_TEMPLATE_SUFFIXES)


def read_export_blocking(source: Path) -> ExportFiles:
    """Read and validate a v0 export from a .zip file or a folder.

    Raises:
        UserInputError: the source is missing, too large, not a zip, unsafe,
            or holds files that are not usable source code.
    """
    if not source.exists():
        raise UserInputError(f"{source} does not exist.")
    if source.is_dir():
        raw, skipped = _read_folder(source)
        name = source.name
    else:
        raw, skipped = _read_zip(source)
        name = source.stem
    files, extra = _strip_common_root(raw)
    name = extra or name
    texts = _decode_texts(files)
    _check_looks_like_project(files, texts, source.name)
    logger.info("read export %s: %d files, %d bytes", source.name, len(files), _total(files))
    return ExportFiles(files, texts, tuple(skipped), name)


def check_text_blocking(path: str, data: bytes) -> str | None:
    """The decoded text of a project file, None for a binary asset.

    Raises:
        UserInputError: binary data or invalid UTF-8 where text is expected.
    """
    if is_binary_path(path):
        return None
    if b"\x00" in data:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise UserInputError(f"{path} is saved as UTF-16. Save it as UTF-8 and try again.")
        raise UserInputError(
            f"{path} contains binary data, but its name says it is a text file. "
            "The export looks damaged; download it again from v0."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise UserInputError(
            f"{path} is not valid UTF-8 text (byte 0x{data[error.start]:02x} on line {line}). "
            "Save the file as UTF-8 and try again."
        ) from error
    return text.removeprefix("\ufeff")


# --- containers ---------------------------------------------------------------


def _read_zip(path: Path) -> tuple[dict[str, bytes], list[str]]:
    size = path.stat().st_size
    if size > MAX_ARCHIVE_BYTES:
        raise UserInputError(
            f"{path.name} is {size / MB:.1f} MB; a v0 export can be at most "
            f"{MAX_ARCHIVE_BYTES // MB} MB. Export again without node_modules or build "
            "folders (.next), or import the unpacked folder."
        )
    if not zipfile.is_zipfile(path):
        raise UserInputError(
            f"{path.name} is not a zip archive. Choose the .zip file v0 downloads, "
            "or the unpacked project folder."
        )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise UserInputError(f"{path.name} is a damaged zip archive: {error}.") from error
    with archive:
        kept: list[tuple[zipfile.ZipInfo, str]] = []
        skipped: Counter[str] = Counter()
        for info in archive.infolist():
            name = _safe_member_name(info.filename, path.name)
            if info.is_dir() or not name:
                continue
            mode = (info.external_attr >> 16) & 0o170000
            if mode == stat.S_IFLNK:
                raise UserInputError(
                    f"{path.name} contains a symbolic link ({name}); links could point "
                    "outside the project, so the archive was not imported."
                )
            if info.flag_bits & 0x1:
                raise UserInputError(
                    f"{path.name} is password-protected ({name}). Export it again without "
                    "a password."
                )
            reason = _skip_reason(name)
            if reason:
                skipped[reason] += 1
                continue
            if info.file_size > MAX_FILE_BYTES:
                raise _too_big_file(name, info.file_size)
            kept.append((info, name))
        _check_budget(len(kept), sum(info.file_size for info, _ in kept), path.name)
        files: dict[str, bytes] = {}
        total = 0
        for info, name in kept:
            try:
                with archive.open(info) as handle:
                    # Never trust the declared size: read one byte past the limit.
                    data = handle.read(MAX_FILE_BYTES + 1)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
                raise UserInputError(
                    f"{name} in {path.name} cannot be read: {error}. Download the export again."
                ) from error
            if len(data) > MAX_FILE_BYTES:
                raise _too_big_file(name, len(data))
            total += len(data)
            if total > MAX_TOTAL_BYTES:
                raise _too_big_total(total, path.name)
            files[name] = data
    return files, _skip_notes(skipped)


def _read_folder(root: Path) -> tuple[dict[str, bytes], list[str]]:
    resolved_root = root.resolve()
    kept: list[tuple[Path, str, int]] = []
    skipped: Counter[str] = Counter()
    total = 0
    for current, dirs, names in os.walk(root, followlinks=False):
        here = Path(current)
        kept_dirs = []
        for d in sorted(dirs):
            rel = (here / d).relative_to(root).as_posix()
            if (here / d).is_symlink():
                _check_link(here / d, resolved_root, rel)
                skipped["links"] += 1
            elif d in IGNORED_DIRS:
                skipped[f"{rel}/"] += 1
            else:
                kept_dirs.append(d)
        dirs[:] = kept_dirs
        for file_name in sorted(names):
            full = here / file_name
            rel = full.relative_to(root).as_posix()
            if full.is_symlink():
                _check_link(full, resolved_root, rel)
                skipped["links"] += 1
                continue
            reason = _skip_reason(rel)
            if reason:
                skipped[reason] += 1
                continue
            size = full.stat().st_size
            if size > MAX_FILE_BYTES:
                raise _too_big_file(rel, size)
            total += size
            if total > MAX_TOTAL_BYTES:
                raise _too_big_total(total, root.name)
            kept.append((full, rel, size))
            if len(kept) > MAX_FILES:
                _check_budget(len(kept), total, root.name)
    files: dict[str, bytes] = {}
    for full, rel, _size in kept:
        try:
            files[rel] = full.read_bytes()
        except OSError as error:
            raise UserInputError(f"{rel} cannot be read: {error.strerror}.") from error
    return files, _skip_notes(skipped)


def _check_link(path: Path, root: Path, rel: str) -> None:
    target = path.resolve()
    if not target.is_relative_to(root):
        raise UserInputError(
            f"{rel} is a link to {target}, outside the project folder; the folder was not "
            "imported. Replace the link with the real file."
        )


# --- checks -------------------------------------------------------------------


def _safe_member_name(raw: str, archive: str) -> str:
    name = raw.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if (
        name.startswith("/")
        or (len(name) > 1 and name[1] == ":")
        or ".." in parts
        or "\x00" in name
    ):
        raise UserInputError(
            f"{archive} contains a path that escapes the project folder ({raw!r}); "
            "the archive was not imported. It may be malicious: get the export from v0 again."
        )
    return "/".join(p for p in parts if p not in ("", "."))


def _skip_reason(rel: str) -> str | None:
    parts = rel.split("/")
    for i, part in enumerate(parts[:-1]):
        if part in IGNORED_DIRS:
            return "/".join(parts[: i + 1]) + "/"
    leaf = parts[-1]
    if leaf in IGNORED_FILES or leaf.startswith("._"):
        return "system files"
    if leaf.startswith(".env") and not is_env_template(leaf):
        return f"{rel} (secrets stay out of the project; the publish wizard asks for them)"
    return None


def _skip_notes(skipped: Counter[str]) -> list[str]:
    notes = []
    for reason, count in sorted(skipped.items()):
        notes.append(f"{reason} ({count} file{'s' if count != 1 else ''})")
    return notes


def _check_budget(count: int, total: int, source: str) -> None:
    if count > MAX_FILES:
        raise UserInputError(
            f"{source} holds more than {MAX_FILES} files; a v0 export has far fewer. "
            "Remove dependencies and build output and try again."
        )
    if total > MAX_TOTAL_BYTES:
        raise _too_big_total(total, source)


def _too_big_file(name: str, size: int) -> UserInputError:
    return UserInputError(
        f"{name} is {size / MB:.1f} MB; project files can be at most "
        f"{MAX_FILE_BYTES // MB} MB each. Move large media to a CDN and import again."
    )


def _too_big_total(total: int, source: str) -> UserInputError:
    return UserInputError(
        f"{source} unpacks to more than {MAX_TOTAL_BYTES // MB} MB (at least "
        f"{total / MB:.1f} MB). Remove node_modules, build output and large media, "
        "then import again."
    )


def _total(files: dict[str, bytes]) -> int:
    return sum(len(v) for v in files.values())


def _strip_common_root(files: dict[str, bytes]) -> tuple[dict[str, bytes], str | None]:
    """Drop a single top-level folder that wraps everything (how zips are often made)."""
    if not files:
        return files, None
    tops = {path.split("/", 1)[0] for path in files}
    if len(tops) != 1 or any("/" not in path for path in files):
        return files, None
    (top,) = tops
    stripped = {path.split("/", 1)[1]: data for path, data in files.items()}
    return stripped, top


def _decode_texts(files: dict[str, bytes]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for path, data in files.items():
        text = check_text_blocking(path, data)
        if text is not None:
            texts[path] = text
    return texts


def _check_looks_like_project(files: dict[str, bytes], texts: dict[str, str], source: str) -> None:
    if not files:
        raise UserInputError(f"{source} is empty: there are no project files in it.")
    has_sources = any(
        path.startswith(SOURCE_HINTS) and path.endswith((".tsx", ".jsx", ".ts", ".js"))
        for path in files
    )
    if "package.json" not in files and not has_sources:
        raise UserInputError(
            f"{source} does not look like a v0 export: it has no package.json and no "
            "app/, pages/ or components/ folder with source files."
        )
    if "package.json" in texts:
        try:
            data = json.loads(texts["package.json"])
        except json.JSONDecodeError as error:
            raise UserInputError(
                f"package.json is not valid JSON (line {error.lineno}: {error.msg}). "
                "Fix it and import again."
            ) from error
        if not isinstance(data, dict):
            raise UserInputError("package.json must hold a JSON object.")
