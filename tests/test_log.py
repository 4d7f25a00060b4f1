"""Secrets never reach the log file, registered or merely token-shaped."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from console import log


def test_log_redacts_registered_and_token_shaped_values(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "console.log"
    log.setup(path, to_stderr=False)
    log.register_secret("plain-looking-secret-value")
    logger = logging.getLogger("console.test")
    logger.info("platform key plain-looking-secret-value in use")
    logger.info("header Authorization: Bearer abcdefghijklmnop1234")
    logger.info("stripe sk_live_51HxYzAbCdEfGh and whsec_AbCdEfGh12345678")
    try:
        raise ValueError("token ghp_abcdefghijklmnopqrstuvwxyz012345 refused")
    except ValueError:
        logger.exception("failed")
    log.shutdown()
    caplog.clear()  # the logged exception above is expected
    content = path.read_text()
    for secret in (
        "plain-looking-secret-value",
        "abcdefghijklmnop1234",
        "sk_live_51HxYzAbCdEfGh",
        "whsec_AbCdEfGh12345678",
        "ghp_abcdefghijklmnopqrstuvwxyz012345",
    ):
        assert secret not in content
    assert content.count(log.REDACTED) >= 5


def test_log_failure_keeps_tracebacks_for_bugs_only(caplog: pytest.LogCaptureFixture) -> None:
    from console.errors import NetworkError

    logger = logging.getLogger("console.test")
    log.log_failure(logger, NetworkError("no route", remote="vercel"), "deploy run %d failed", 7)
    try:
        raise KeyError("project_id")
    except KeyError as error:
        log.log_failure(logger, error, "deploy run %d: step %s failed", 7, "push")

    expected, bug = caplog.records
    assert (expected.levelname, expected.getMessage()) == (
        "INFO",
        "deploy run 7 failed: vercel: no route (NetworkError)",
    )
    assert expected.exc_info is None
    assert (bug.levelname, bug.getMessage()) == (
        "ERROR",
        "deploy run 7: step push failed: unexpected KeyError",
    )
    assert bug.exc_info is not None
    assert bug.exc_info[1] is not None
    caplog.clear()
