"""How the views write moments for people: relative when recent, a date after."""

from __future__ import annotations

from datetime import UTC, datetime


def relative_time(moment: datetime, now: datetime | None = None) -> str:
    """ "just now", "5 min ago", "3 h ago", "yesterday", "12 days ago", "14 Mar 2025"."""
    now = now or datetime.now(UTC)
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    if days == 1:
        return "yesterday"
    if days < 45:
        return f"{days} days ago"
    return f"{moment.day} {moment.strftime('%b %Y')}"
