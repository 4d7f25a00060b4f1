"""write_files: the folder holds exactly the file set, the tools' folders stay."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from console.services.buildcheck.workspace import write_files

FILES = {
    "package.json": b'{"name": "x"}\n',
    "app/page.tsx": b"export default function Page() { return null }\n",
    "components/ui/button.tsx": b"export const Button = () => null\n",
}


def _tree(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "node_modules" not in p.parts and ".next" not in p.parts
    }


def test_write_files_writes_the_set_exactly(tmp_path: Path) -> None:
    changed = write_files(FILES, tmp_path)
    assert changed == sorted(FILES)
    assert _tree(tmp_path) == set(FILES)
    assert (tmp_path / "app/page.tsx").read_bytes() == FILES["app/page.tsx"]


def test_write_files_keeps_unchanged_files_and_their_times(tmp_path: Path) -> None:
    write_files(FILES, tmp_path)
    page = tmp_path / "app/page.tsx"
    os.utime(page, (1_000_000, 1_000_000))
    changed = write_files({**FILES, "package.json": b'{"name": "y"}\n'}, tmp_path)
    assert changed == ["package.json"]
    assert page.stat().st_mtime == 1_000_000


def test_write_files_deletes_files_not_in_the_set_but_keeps_tool_outputs(tmp_path: Path) -> None:
    write_files(FILES, tmp_path)
    (tmp_path / "node_modules/next").mkdir(parents=True)
    (tmp_path / "node_modules/next/package.json").write_text("{}")
    (tmp_path / ".next/cache").mkdir(parents=True)
    (tmp_path / ".next/cache/x").write_text("cached")
    (tmp_path / "next-env.d.ts").write_text("/// <reference types='next' />")
    (tmp_path / "tsconfig.tsbuildinfo").write_text("{}")
    (tmp_path / "app/old.tsx").write_text("gone")
    smaller = {k: v for k, v in FILES.items() if not k.startswith("components/")}
    changed = write_files(smaller, tmp_path)
    assert changed == ["app/old.tsx", "components/ui/button.tsx"]
    assert not (tmp_path / "components").exists()  # emptied folders go too
    assert (tmp_path / "node_modules/next/package.json").exists()
    assert (tmp_path / ".next/cache/x").read_text() == "cached"
    assert (tmp_path / "next-env.d.ts").exists()
    assert (tmp_path / "tsconfig.tsbuildinfo").exists()


def test_write_files_restores_a_file_the_build_rewrote(tmp_path: Path) -> None:
    files = {**FILES, "tsconfig.json": b'{"include": ["**/*.ts"]}\n'}
    write_files(files, tmp_path)
    (tmp_path / "tsconfig.json").write_text('{"include": ["**/*.ts", ".next/types/**/*.ts"]}')
    assert write_files(files, tmp_path) == ["tsconfig.json"]
    assert (tmp_path / "tsconfig.json").read_bytes() == files["tsconfig.json"]


def test_write_files_replaces_links(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("keep me")
    work = tmp_path / "work"
    work.mkdir()
    (work / "node_modules").symlink_to(outside, target_is_directory=True)
    (work / "package.json").symlink_to(outside / "secret.txt")
    write_files(FILES, work)
    assert not (work / "node_modules").exists()
    assert not (work / "package.json").is_symlink()
    assert (outside / "secret.txt").read_text() == "keep me"


def test_write_files_replaces_a_folder_with_a_file_and_back(tmp_path: Path) -> None:
    write_files({"lib/utils/index.ts": b"x"}, tmp_path)
    write_files({"lib/utils": b"now a file"}, tmp_path)
    assert (tmp_path / "lib/utils").read_bytes() == b"now a file"
    write_files({"lib/utils/index.ts": b"y"}, tmp_path)
    assert (tmp_path / "lib/utils/index.ts").read_bytes() == b"y"


@pytest.mark.parametrize(
    "path",
    ["../escape.ts", "/etc/passwd", "app/../../x", "node_modules/next/index.js", ".next/x", ""],
)
def test_write_files_refuses_paths_outside_the_project(tmp_path: Path, path: str) -> None:
    with pytest.raises(ValueError, match="refusing"):
        write_files({**FILES, path: b"x"}, tmp_path / "work")
    assert not (tmp_path / "work").exists()
    assert not (tmp_path / "escape.ts").exists()
