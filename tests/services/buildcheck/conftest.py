"""Fixtures of the build check tests: where their sample data lives."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data" / "buildcheck"
