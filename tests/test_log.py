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
