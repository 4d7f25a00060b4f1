"""The Credits page on served platform and Stripe sandboxes, shown as a user sees it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from console.services.credits import CreditsService
from console.views.bridge import StoreBridge
from console.views.credits.banner import LowCreditBanner, LowCreditController
from console.views.credits.page import CreditsPage
from console.views.messages import MessageBridge
from console.views.tasks import TaskRunner
from tests.views.credits.support import (
    PayingCustomer,
    PlatformClock,
    Remotes,
    close_clients,
    initial_sync,
    remotes,
)

RunAsync = Callable[..., Any]


@dataclass
class Env:
    r: Remotes
    page: CreditsPage
    banner: LowCreditBanner
    controller: LowCreditController
    customer: PayingCustomer
    messages: MessageBridge
    saved: list[str]
    clock: PlatformClock


@pytest.fixture
def env(tmp_path: Path, qtbot: QtBot, run_async: RunAsync) -> Iterator[Env]:
    clock = PlatformClock()
    with remotes(tmp_path, clock=clock) as r:
        run_async(initial_sync(r))
        bridge = StoreBridge(r.store)
        messages = MessageBridge()
        tasks = TaskRunner(messages)
        service = CreditsService(
            r.store, r.client, r.billing, poll_interval=0.05, grant_timeout=30.0
        )
        controller = LowCreditController(bridge, service.state)
        banner = LowCreditBanner()
        controller.attach(banner)
        customer = PayingCustomer(r.stripe)
        saved: list[str] = []
        target = tmp_path / "export.csv"

        def ask_save_path(_parent: Any, suggested: str) -> str:
            saved.append(suggested)
            return str(target)

        page = CreditsPage(
            service,
            bridge,
            tasks,
            messages,
            controller,
            open_url=customer,
            ask_save_path=ask_save_path,
        )
        qtbot.addWidget(page)
        qtbot.addWidget(banner)
        page.resize(1280, 1000)
        page.show()
        yield Env(r, page, banner, controller, customer, messages, saved, clock)
        tasks.cancel_all()
        bridge.detach()
        run_async(close_clients(r))
