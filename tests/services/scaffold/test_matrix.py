"""Generated apps type-check and build (slow: needs Node.js 20 and npm).

- One `node_modules` with every package any scaffold uses is installed once into
  the user cache (`~/.cache/l4yercak3-console/npm/<hash of pins + node major>/`,
  override with L4_SCAFFOLD_NPM_CACHE) and symlinked into each app.
- The apps of `MATRIX` are kept beside it (`.../<hash>/apps/<name>/`), rewritten in
  place so unchanged files keep their times: `tsc -b` re-checks only what changed.
- `next build` runs for `BUILT`; a build is skipped when the exact same files were
  built successfully before (stamp in `.next/`); L4_SCAFFOLD_REBUILD=1 forces it.
- The built thin client is started with `next start` on loopback, and its webhook
  route is fed signed, badly signed and unsigned requests.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from console.services.scaffold import versions, webhook
from console.services.scaffold.generator import render_scaffold
from tests.services.scaffold import shared_modules as preflight
from tests.services.scaffold.matrix import BUILT, MATRIX

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

NO_NPM = (
    "npm is not installed: the type-check/build matrix needs Node.js >= 20 with npm "
    "(Debian: nodejs npm, or NodeSource's nodejs)"
)
#: Parallel tsc processes (this machine has 2 cores; tsc is single-threaded).
TSC_JOBS = 2
REBUILD_ENV = "L4_SCAFFOLD_REBUILD"
WEBHOOK_SECRET = "whsec_matrix_test_secret"


@dataclass(frozen=True)
class Toolchain:
    tools: preflight.NodeTools
    node_modules: Path
    apps: Path


@pytest.fixture(scope="module")
def toolchain() -> Iterator[Toolchain]:
    tools = preflight.NodeTools.find()
    if tools is None:
        pytest.skip(NO_NPM)
    assert tools.node_major >= 20, f"generated apps need Node.js >= 20, found {tools.node_major}"
    node_modules = asyncio.run(preflight.ensure_node_modules(versions.all_packages(), tools))
    apps = node_modules.parent / "apps"
    apps.mkdir(exist_ok=True)
    # The app folders are shared by every test run on this machine: one at a time.
    with (apps / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield Toolchain(tools, node_modules, apps)


@pytest.fixture(scope="module")
def app_dirs(toolchain: Toolchain) -> dict[str, Path]:
    dirs: dict[str, Path] = {}
    for name, config in MATRIX.items():
        dirs[name] = toolchain.apps / name
        preflight.write_app(render_scaffold(config), dirs[name], toolchain.node_modules)
    return dirs


@pytest.fixture(scope="module")
def type_checks(
    toolchain: Toolchain, app_dirs: dict[str, Path]
) -> dict[str, preflight.CheckResult]:
    async def run_all() -> dict[str, preflight.CheckResult]:
        gate = asyncio.Semaphore(TSC_JOBS)

        async def one(name: str) -> tuple[str, preflight.CheckResult]:
            async with gate, asyncio.timeout(600):
                return name, await preflight.type_check(app_dirs[name], toolchain.tools)

        return dict(await asyncio.gather(*(one(n) for n in app_dirs)))

    return asyncio.run(run_all())


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix_type_checks(name: str, type_checks: dict[str, preflight.CheckResult]) -> None:
    result = type_checks[name]
    assert result.ok, result.summary()


def _files_digest(app: Path, node_modules: Path) -> str:
    digest = hashlib.sha256(str(node_modules.resolve()).encode())
    for path in sorted(p for p in app.rglob("*") if p.is_file() and _source(app, p)):
        digest.update(path.relative_to(app).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _source(app: Path, path: Path) -> bool:
    top = path.relative_to(app).parts[0]
    return top not in {"node_modules", ".next", "tsconfig.tsbuildinfo", "next-env.d.ts"}


@pytest.fixture(scope="module")
def builds(toolchain: Toolchain, app_dirs: dict[str, Path]) -> dict[str, preflight.CheckResult]:
    results: dict[str, preflight.CheckResult] = {}
    for name in BUILT:
        app = app_dirs[name]
        digest = _files_digest(app, toolchain.node_modules)
        stamp = app / ".next" / "l4-build-stamp"
        fresh = (app / ".next" / "BUILD_ID").is_file() and stamp.is_file()
        if fresh and stamp.read_text() == digest and not os.environ.get(REBUILD_ENV):
            results[name] = preflight.CheckResult(
                True,
                0.0,
                f"up to date: built before from identical files ({REBUILD_ENV}=1 rebuilds)",
                ("next", "build"),
            )
            continue

        async def build(app: Path = app) -> preflight.CheckResult:
            async with asyncio.timeout(900):
                return await preflight.next_build(app, toolchain.tools)

        result = asyncio.run(build())
        if result.ok:
            stamp.write_text(digest)
        results[name] = result
    return results


@pytest.mark.parametrize("name", BUILT)
def test_matrix_next_build(name: str, builds: dict[str, preflight.CheckResult]) -> None:
    result = builds[name]
    assert result.ok, result.summary(80)


# --- the webhook route of a built app, served by `next start` -----------------------------
class Server:
    """A `next start` process: its URL and its output, with a way to wait for a line."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.output: list[str] = []
        self._changed = threading.Condition()

    def append(self, line: str) -> None:
        with self._changed:
            self.output.append(line)
            self._changed.notify_all()

    def wait_for(self, text: str, timeout: float) -> bool:
        """Block until a line containing `text` was printed (woken by each new line)."""
        with self._changed:
            return self._changed.wait_for(
                lambda: any(text in line for line in self.output), timeout
            )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def served_app(
    toolchain: Toolchain, app_dirs: dict[str, Path], builds: dict[str, preflight.CheckResult]
) -> Iterator[Server]:
    name = BUILT[0]
    assert builds[name].ok, builds[name].summary(80)
    app = app_dirs[name]
    port = _free_port()
    env = {
        **os.environ,
        "NEXT_TELEMETRY_DISABLED": "1",
        "L4YERCAK3_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "NEXT_PUBLIC_L4YERCAK3_URL": "http://127.0.0.1:9",
        "L4YERCAK3_API_KEY": "unused",
    }
    next_bin = app / "node_modules" / "next" / "dist" / "bin" / "next"
    proc = subprocess.Popen(
        [toolchain.tools.node, str(next_bin), "start", "-p", str(port), "-H", "127.0.0.1"],
        cwd=app,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # `next start` runs its server in a child process: end the group, not just the parent.
        start_new_session=True,
    )
    server = Server(f"http://127.0.0.1:{port}")

    def drain() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            server.append(line)
        server.append("<exited>")

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        assert server.wait_for("Ready", 60), "next start failed:\n" + "".join(server.output)
        assert proc.poll() is None, "next start exited:\n" + "".join(server.output)
        yield server
    finally:
        _end_group(proc)
        reader.join(10)


def _end_group(proc: subprocess.Popen[str]) -> None:
    """TERM the process group, then KILL what is left after a grace period."""
    for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            continue
        try:  # the parent is gone; its children may still hold the port
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break


def _event(event_id: str) -> bytes:
    body = {
        "id": event_id,
        "type": "form.submitted",
        "createdAt": "2026-02-05T10:11:12.345Z",
        "orgId": "org_matrix",
        "data": {
            "id": "sub_1",
            "formId": "form_1",
            "data": {"email": "a@example.com"},
            "submittedAt": "2026-02-05T10:11:12.345Z",
        },
    }
    return json.dumps(body).encode()


def _post(server: Server, body: bytes, headers: dict[str, str]) -> httpx.Response:
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        return client.post(
            webhook.WEBHOOK_PATH,
            content=body,
            headers={"Content-Type": "application/json", **headers},
        )


def test_webhook_route_accepts_a_correct_signature(served_app: Server) -> None:
    body = _event("evt_good")
    response = _post(
        served_app, body, {webhook.SIGNATURE_HEADER: webhook.sign(body, WEBHOOK_SECRET)}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"received": True, "id": "evt_good"}


def test_webhook_route_accepts_one_good_signature_among_several(served_app: Server) -> None:
    body = _event("evt_rotated")
    t = int(time.time())
    old = webhook.signature(body, "whsec_old", t)
    header = f"t={t},v1={old},v1={webhook.signature(body, WEBHOOK_SECRET, t)}"
    assert _post(served_app, body, {webhook.SIGNATURE_HEADER: header}).status_code == 200


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong secret", "signature mismatch"),
        ("missing header", "signature missing"),
        ("stale timestamp", "signature expired"),
        ("future timestamp", "signature expired"),
        ("body changed", "signature mismatch"),
        ("malformed header", "signature malformed"),
        ("truncated signature", "signature malformed"),
    ],
)
def test_webhook_route_rejects_bad_signatures(served_app: Server, case: str, expected: str) -> None:
    event_id = "evt_bad_" + case.replace(" ", "_")
    body = _event(event_id)
    now = int(time.time())
    header = {
        "wrong secret": webhook.sign(body, "whsec_someone_else"),
        "missing header": None,
        "stale timestamp": webhook.sign(body, WEBHOOK_SECRET, now - webhook.TOLERANCE_SECONDS - 5),
        "future timestamp": webhook.sign(body, WEBHOOK_SECRET, now + webhook.TOLERANCE_SECONDS + 5),
        "body changed": webhook.sign(_event("evt_other"), WEBHOOK_SECRET),
        "malformed header": "sha256=abc",
        "truncated signature": webhook.sign(body, WEBHOOK_SECRET)[:-2],
    }[case]
    response = _post(served_app, body, {webhook.SIGNATURE_HEADER: header} if header else {})
    assert response.status_code == 401
    assert response.json()["error"] == {"code": "invalid_signature", "message": expected}
    assert not any(event_id in line for line in served_app.output), "a rejected event was handled"


def test_webhook_route_rejects_a_signed_body_that_is_not_an_event(served_app: Server) -> None:
    body = b"[1, 2, 3]"
    response = _post(
        served_app, body, {webhook.SIGNATURE_HEADER: webhook.sign(body, WEBHOOK_SECRET)}
    )
    assert response.status_code == 400


def test_webhook_route_ran_the_handler_for_accepted_events(served_app: Server) -> None:
    body = _event("evt_logged")
    assert (
        _post(
            served_app, body, {webhook.SIGNATURE_HEADER: webhook.sign(body, WEBHOOK_SECRET)}
        ).status_code
        == 200
    )
    assert served_app.wait_for("webhook form.submitted evt_logged", 30), "".join(served_app.output)
