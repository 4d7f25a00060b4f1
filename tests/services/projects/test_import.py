"""Importing v0 exports: zips and folders, and every kind of bad input refused cleanly."""

from __future__ import annotations

import os
import shutil
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from console.changes import ChangeSet
from console.errors import UserInputError
from console.services.projects import ProjectService
from console.services.projects.importer import (
    MAX_ARCHIVE_BYTES,
    MAX_FILE_BYTES,
    is_env_template,
    read_export_blocking,
)
from console.store.db import Store
from console.store.models import Blob, ProjectFile
from tests.services.projects.conftest import V0, snapshot, zip_folder


def test_import_zip_strips_wrapping_folder_and_leaves_out_junk(tmp_path: Path) -> None:
    target = zip_folder(V0 / "booking-chat", tmp_path / "studio.zip", prefix="studio-flow/")
    with zipfile.ZipFile(target, "a") as archive:
        archive.writestr("studio-flow/node_modules/react/index.js", "module.exports = {}")
        archive.writestr("studio-flow/.next/cache/x.json", "{}")
        archive.writestr("studio-flow/.DS_Store", b"\x00\x01junk")
        archive.writestr("__MACOSX/studio-flow/._page.tsx", b"\x00\x05")

    export = read_export_blocking(target)

    assert "package.json" in export.files
    assert "app/page.tsx" in export.texts
    assert not any(p.startswith(("node_modules/", ".next/")) for p in export.files)
    assert ".env.local" not in export.files  # secrets stay out of the store
    assert export.source_name == "studio-flow"
    notes = " ".join(export.skipped)
    assert "node_modules/" in notes
    assert ".env.local" in notes


def test_import_folder_equals_zip(tmp_path: Path) -> None:
    from_folder = read_export_blocking(V0 / "shop")
    from_zip = read_export_blocking(zip_folder(V0 / "shop", tmp_path / "shop.zip"))
    assert from_folder.files == from_zip.files
    assert "public/logo.png" in from_folder.files
    assert "public/logo.png" not in from_folder.texts  # a binary asset, kept as bytes


async def test_import_same_content_stored_once(
    service: ProjectService, store: Store, export_zip: Callable[[str], Path]
) -> None:
    first = await service.import_export(export_zip("shop"), name="Crumb shop")
    after_first = snapshot(store)
    second = await service.import_export(V0 / "shop", name="Crumb shop, second try")
    after_second = snapshot(store)

    assert first != second
    assert after_second.files == 2 * after_first.files
    assert after_second.blobs == after_first.blobs  # content-addressed: nothing new
    with store.read() as session:
        shas = set(session.scalars(select(ProjectFile.sha256)))
        assert shas <= set(session.scalars(select(Blob.sha256)))


# --- bad input -------------------------------------------------------------------------


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _not_a_zip(tmp: Path) -> Path:
    return _write(tmp / "export.zip", b"PK\x05 this is not really a zip archive\n" * 50)


def _binary_junk(tmp: Path) -> Path:
    return _write(tmp / "download.zip", os.urandom(64 * 1024))


def _zip_slip(tmp: Path) -> Path:
    return _zip(
        tmp / "slip.zip",
        {
            "app/page.tsx": b"export default function P() { return null }\n",
            "../../.bashrc": b"rm -rf ~\n",
        },
    )


def _absolute_path(tmp: Path) -> Path:
    return _zip(
        tmp / "abs.zip", {"/etc/cron.d/evil": b"* * * * * root sh\n", "package.json": b"{}"}
    )


def _huge_upload(tmp: Path) -> Path:
    path = tmp / "huge.zip"
    with path.open("wb") as handle:  # sparse: 200 MB on paper, nothing on disk
        handle.truncate(200 * 1024 * 1024)
    return path


def _zip_bomb_member(tmp: Path) -> Path:
    return _zip(
        tmp / "bomb.zip",
        {"package.json": b"{}", "public/video.mp4": b"\x00" * (MAX_FILE_BYTES + 1024)},
    )


def _invalid_utf8(tmp: Path) -> Path:
    page = "export default function Page() { return <p>Café crème</p> }\n".encode("latin-1")
    return _zip(tmp / "latin1.zip", {"package.json": b"{}", "app/page.tsx": page})


def _utf16(tmp: Path) -> Path:
    page = "export const x = 1\n".encode("utf-16")
    return _zip(tmp / "utf16.zip", {"package.json": b"{}", "lib/x.ts": page})


def _binary_in_source(tmp: Path) -> Path:
    return _zip(tmp / "junk.zip", {"package.json": b"{}", "app/page.tsx": os.urandom(4096)})


def _empty_zip(tmp: Path) -> Path:
    return _zip(tmp / "empty.zip", {})


def _not_a_project(tmp: Path) -> Path:
    return _zip(tmp / "photos.zip", {"notes.txt": b"holiday list\n", "img/a.png": b"\x89PNG\r\n"})


def _broken_package_json(tmp: Path) -> Path:
    return _zip(tmp / "broken.zip", {"package.json": b'{"name": "x",}', "app/page.tsx": b"x\n"})


def _symlink_member(tmp: Path) -> Path:
    path = tmp / "link.zip"
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("app/secrets.ts")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
        archive.writestr("package.json", "{}")
    return path


def _folder_link_outside(tmp: Path) -> Path:
    folder = tmp / "export"
    _write(folder / "package.json", b"{}")
    (folder / "app").mkdir()
    os.symlink("/etc/passwd", folder / "app" / "passwd.ts")
    return folder


def _missing(tmp: Path) -> Path:
    return tmp / "does-not-exist.zip"


BAD_INPUTS: list[tuple[str, Callable[[Path], Path], str]] = [
    ("not a zip", _not_a_zip, "is not a zip archive"),
    ("binary junk", _binary_junk, "is not a zip archive"),
    ("zip slip", _zip_slip, "escapes the project folder"),
    ("absolute path", _absolute_path, "escapes the project folder"),
    ("200 MB upload", _huge_upload, "200.0 MB; a v0 export can be at most 50 MB"),
    ("oversized member", _zip_bomb_member, "project files can be at most 10 MB"),
    (
        "invalid UTF-8",
        _invalid_utf8,
        r"app/page.tsx is not valid UTF-8 text \(byte 0xe9 on line 1\)",
    ),
    ("UTF-16 file", _utf16, "lib/x.ts is saved as UTF-16"),
    ("binary in a source file", _binary_in_source, "app/page.tsx contains binary data"),
    ("empty zip", _empty_zip, "is empty"),
    ("not a project", _not_a_project, "does not look like a v0 export"),
    ("broken package.json", _broken_package_json, "package.json is not valid JSON"),
    ("symlink in zip", _symlink_member, "contains a symbolic link"),
    ("link outside a folder", _folder_link_outside, "outside the project folder"),
    ("missing file", _missing, "does not exist"),
]


@pytest.mark.parametrize(
    ("make", "message"), [(m, msg) for _, m, msg in BAD_INPUTS], ids=[n for n, _, _ in BAD_INPUTS]
)
async def test_import_bad_input_is_refused_and_store_unchanged(
    service: ProjectService,
    store: Store,
    changes: list[ChangeSet],
    tmp_path: Path,
    make: Callable[[Path], Path],
    message: str,
) -> None:
    await service.import_export(V0 / "portal", name="Portal")  # the store is not empty
    before = snapshot(store)
    changes.clear()

    with pytest.raises(UserInputError, match=message) as caught:
        await service.import_export(make(tmp_path), name="Bad")

    assert caught.value.user_text()  # a sentence the UI shows as is
    assert snapshot(store) == before
    assert changes == []


def test_import_size_checked_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    real = zipfile.ZipFile

    def spy(path: Path, *args: Any, **kwargs: Any) -> zipfile.ZipFile:
        opened.append(str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(zipfile, "ZipFile", spy)
    with pytest.raises(UserInputError):
        read_export_blocking(_huge_upload(tmp_path))
    assert opened == []  # refused on its size alone
    assert (tmp_path / "huge.zip").stat().st_size > MAX_ARCHIVE_BYTES


ENV_TEMPLATES = (
    ".env.example",
    ".env.local.example",
    ".env.development.example",
    ".env.sample",
    ".env.template",
    ".env.production.template",
)
ENV_SECRETS = (".env", ".env.local", ".env.production", ".env.development.local")


async def test_import_keeps_env_templates_and_refuses_env_files(
    service: ProjectService, tmp_path: Path
) -> None:
    folder = tmp_path / "studio"
    shutil.copytree(V0 / "booking-chat", folder)
    for name in ENV_TEMPLATES:
        (folder / name).write_text("OPENAI_API_KEY=\n")
    for name in ENV_SECRETS:
        (folder / name).write_text("OPENAI_API_KEY=sk-live-secret\n")

    export = read_export_blocking(folder)

    assert {p for p in export.files if p.startswith(".env")} == set(ENV_TEMPLATES)
    notes = " ".join(export.skipped)
    assert all(name in notes for name in ENV_SECRETS)
    assert all(is_env_template(name) for name in ENV_TEMPLATES)
    assert not any(is_env_template(name) for name in ENV_SECRETS)

    project_id = await service.import_export(folder, name="Studio")
    stored = {f.path for f in (await service.detail(project_id)).files}
    assert set(ENV_TEMPLATES) <= stored
    assert not stored & set(ENV_SECRETS)
    # The export has templates of its own: the env rule writes none of its own.
    example = await service.read_file(project_id, ".env.example")
    assert (example.text, example.origin) == ("OPENAI_API_KEY=\n", "v0")
