"""Make a folder hold exactly a project's file set, keeping what the tools built there.

The check must judge exactly what will be pushed: every file of the set is
written byte for byte and every other file is deleted, except the tools'
own folders (`node_modules`, with the install stamp inside it, and `.next`,
with Next's build cache) and the files `next build` writes when the project
has none of its own. Unchanged files are not rewritten, so they keep their
modification time and incremental tools (the type checker, Next's cache)
find them up to date.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

logger = logging.getLogger(__name__)

#: Top-level folders the tools own: never written from, nor cleaned against, the file set.
TOOL_FOLDERS = frozenset({"node_modules", ".next"})
#: Top-level files `next build` writes; kept unless the project has its own.
BUILD_OUTPUTS = frozenset({"next-env.d.ts", "tsconfig.tsbuildinfo"})


def write_files(files: Mapping[str, bytes], workdir: Path) -> list[str]:
    """Make `workdir` hold exactly `files` (plus the tools' folders); answer what changed.

    Args:
        files: relative POSIX path -> content.
        workdir: the folder; created when missing.

    Returns:
        The paths written or deleted, sorted.

    Raises:
        ValueError: a path is absolute, climbs out with `..`, or lies in a
            tools' folder; nothing was written then.
    """
    for rel in files:
        _check_path(rel)
    workdir.mkdir(parents=True, exist_ok=True)
    changed = _delete_others(files, workdir)
    for rel, content in files.items():
        path = workdir / rel
        _clear_way(workdir, path)
        if path.is_file() and not path.is_symlink() and path.read_bytes() == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        changed.append(rel)
    logger.debug("wrote %d of %d files into %s", len(changed), len(files), workdir)
    return sorted(set(changed))


def _check_path(rel: str) -> None:
    pure = PurePosixPath(rel)
    if (
        not rel
        or pure.is_absolute()
        or any(part in ("..", ".", "") for part in rel.split("/"))
        or "\\" in rel
        or "\x00" in rel
    ):
        raise ValueError(f"refusing a path outside the project folder: {rel!r}")
    if pure.parts[0] in TOOL_FOLDERS:
        raise ValueError(f"refusing a project file inside {pure.parts[0]}/: {rel!r}")


def _delete_others(files: Mapping[str, bytes], workdir: Path) -> list[str]:
    """Delete files and links that are not in the set, then folders left empty."""
    deleted: list[str] = []
    wanted_folders = {parent for rel in files for parent in PurePosixPath(rel).parents}
    folders: list[Path] = []
    for folder, dirs, names in os.walk(workdir):
        here = Path(folder)
        top = here == workdir
        for name in list(dirs):
            path = here / name
            if path.is_symlink():
                # A link is never part of a file set (an old shared node_modules link too).
                path.unlink()
                deleted.append(path.relative_to(workdir).as_posix())
                dirs.remove(name)
            elif top and name in TOOL_FOLDERS:
                dirs.remove(name)
        if not top:
            folders.append(here)
        for name in names:
            rel = (here / name).relative_to(workdir).as_posix()
            if rel in files or (top and name in BUILD_OUTPUTS):
                continue
            (here / name).unlink()
            deleted.append(rel)
    for here in reversed(folders):
        if PurePosixPath(here.relative_to(workdir).as_posix()) not in wanted_folders and not any(
            here.iterdir()
        ):
            here.rmdir()
    return deleted


def _clear_way(workdir: Path, path: Path) -> None:
    """Remove what stands where a file of the set goes: a folder there, a file as its parent."""
    if path.is_symlink():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
    for parent in reversed(path.relative_to(workdir).parents):
        folder = workdir / parent
        if folder != workdir and (folder.is_file() or folder.is_symlink()):
            folder.unlink()
