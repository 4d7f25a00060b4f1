"""The Credits section: balance and tier, usage charts and tables, history, buying."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QFont, QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.changes import ChangeSet
from console.errors import ConsoleError
from console.services.credits import (
    CheckoutProgress,
    CheckoutStage,
    CreditsService,
    CreditState,
    PurchaseResult,
    pack_label,
    tier_label,
    write_csv,
)
from console.services.platform.models import LicensingLimits, UsageLimit
from console.services.stripe.models import CheckoutSession, Invoice, Price, PriceCatalog
from console.views.bridge import StoreBridge
from console.views.credits.banner import CreditWall, LowCreditController
from console.views.credits.chart import UsageChartView
from console.views.messages import MessageBridge
from console.views.models.credits import (
    KIND_LABELS,
    InvoiceTableModel,
    TransactionColumn,
    TransactionsProxy,
    TransactionsTableModel,
    UsageTableModel,
)
from console.views.tasks import TaskRunner
from console.views.widgets.tables import record_table

logger = logging.getLogger(__name__)

#: Opens a URL in the browser (QDesktopServices in production); False if none opened.
OpenUrl = Callable[[str], bool]
#: Asks where to save a file: (parent, suggested name) -> path or None.
AskSavePath = Callable[[QWidget, str], str | None]
WATCHED = ("credit_balance", "credit_transactions", "settings", "organizations", "agents")
FULL_RELOAD = ("credit_transactions", "agents")
AUTO_REFRESH_S = 60.0
REFRESH_DELAY_MS = 200
TIER_ORDER = {"free": 0, "pro": 1, "agency": 2, "enterprise": 3}
CANCEL_TIP = "Cancel the purchase: the checkout link stops working and nothing is charged"
#: Checkout stages after which nothing more happens in the panel.
FINAL_STAGES: tuple[CheckoutStage, ...] = (
    "granted",
    "failed",
    "expired",
    "cancelled",
    "timed_out",
)


def open_in_browser(url: str) -> bool:
    return QDesktopServices.openUrl(QUrl(url))


def ask_csv_path(parent: QWidget, suggested: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, "Export transactions", suggested, "CSV (*.csv)")
    return path or None


def _scaled(widget: QWidget, factor: float, *, bold: bool = False) -> QFont:
    font = QFont(widget.font())
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    return font


def _tall(view: QTableView) -> QTableView:
    # Usage tables are the point of this page: a few rows are always visible.
    view.setMinimumHeight(220)
    return view


class CreditsPage(QWidget):
    """Balance, tier and limits, usage over time, per agent/client, history, buying.

    Args:
        service: the credits service.
        bridge: store change notifications.
        tasks: the ViewTask runner.
        messages: where errors and notices go.
        controller: the low-credit controller (drives the credit wall here).
        open_url: opens checkout and portal pages in the browser.
        ask_save_path: the CSV export's file dialog.

    Signals:
        purchase_finished(object): a checkout ended (a `PurchaseResult`).
    """

    purchase_finished = Signal(object)

    def __init__(
        self,
        service: CreditsService,
        bridge: StoreBridge,
        tasks: TaskRunner,
        messages: MessageBridge,
        controller: LowCreditController,
        *,
        open_url: OpenUrl = open_in_browser,
        ask_save_path: AskSavePath = ask_csv_path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._bridge = bridge
        self._tasks = tasks
        self._messages = messages
        self._controller = controller
        self._open_url = open_url
        self._ask_save_path = ask_save_path
        self._catalog: PriceCatalog | None = None
        self._pack_buttons: dict[int, QPushButton] = {}
        self._tier_buttons: dict[str, QPushButton] = {}
        self._full_reload = False
        self._invoices_requested = False
        self._last_auto_refresh: float | None = None
        self.buy_task: asyncio.Task[PurchaseResult] | None = None
        self.cancel_task: asyncio.Task[CheckoutSession] | None = None
        self._checkout: CheckoutSession | None = None
        self._checkout_stage: CheckoutStage | None = None
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._setup_ui()
        self._connect_signals()
        controller.attach(self.wall)
        self.reload()

    # --- public API -------------------------------------------------------------
    def reload(self) -> None:
        """Re-read everything shown from the store."""
        state = self._service.state()
        self._show_balance(state)
        self._show_limits(self._service.limits(), state)
        days = int(self.usage_period_combo.currentData() or 14)
        self.chart.set_days(self._service.usage_by_day(days))
        self.agents_model.set_rows(self._service.usage_by("agent", days))
        self.clients_model.set_rows(self._service.usage_by("org", days))
        self.tabs.setTabText(0, f"Per agent ({days} days)")
        self.tabs.setTabText(1, f"Per client ({days} days)")
        rows = self._service.transactions()
        self.transactions_model.set_rows(rows)
        self._fill_client_filter(rows)
        self._update_transaction_count()
        self._show_tier_buttons(state)

    def refresh(self) -> asyncio.Task[CreditState | None]:
        """Fetch balance, limits and transactions from the platform."""
        return self._tasks.start(
            self, self._service.refresh(), key="refresh", busy=[self.refresh_button]
        )

    def load_catalog(self) -> asyncio.Task[PriceCatalog]:
        """Fetch what can be bought from Stripe (packs and tiers)."""
        return self._tasks.start(
            self,
            self._service.catalog(),
            key="catalog",
            on_success=self._on_catalog_loaded,
        )

    def load_invoices(self) -> asyncio.Task[tuple[Invoice, ...]]:
        """Fetch the agency's Stripe invoices."""
        self._invoices_requested = True
        return self._tasks.start(
            self,
            self._service.invoices(),
            key="invoices",
            busy=[self.invoices_button],
            on_success=self._on_invoices_loaded,
        )

    def buy(self, price: Price) -> asyncio.Task[PurchaseResult]:
        """Start buying `price`; the task ends when the checkout is over."""
        self._checkout = None
        self._checkout_stage = None
        self.checkout_box.show()
        self.checkout_link_row.hide()
        self.checkout_note.hide()
        self.checkout_bar.setRange(0, 0)
        self.checkout_bar.show()
        self.cancel_button.show()
        self.cancel_button.setText("Cancel purchase")
        self.cancel_button.setToolTip(CANCEL_TIP)
        self.cancel_button.setEnabled(False)
        self.buy_task = self._tasks.start(
            self,
            self._service.buy(price, self._on_checkout_progress),
            key="buy",
            busy=[*self._buy_buttons(), self.wall.pack_button, self.wall.upgrade_button],
            on_success=self._on_purchase_done,
            on_error=self._on_purchase_failed,
            on_done=self._on_buy_task_done,
        )
        return self.buy_task

    def pack_button(self, credits: int) -> QPushButton | None:
        return self._pack_buttons.get(credits)

    def tier_button(self, tier: str) -> QPushButton | None:
        return self._tier_buttons.get(tier)

    def export_csv(self) -> int:
        """Ask for a file and write the visible transactions; returns how many."""
        suggested = f"credit-transactions-{QDate.currentDate().toString('yyyy-MM-dd')}.csv"
        path = self._ask_save_path(self, suggested)
        if not path:
            return 0
        try:
            count = write_csv(Path(path), self.transactions_proxy.visible_rows())
        except OSError as error:
            self._messages.show_error(ConsoleError(f"Could not write {path}: {error.strerror}"))
            return 0
        self._messages.show_info(f"Exported {count} transactions to {path}")
        return count

    def showEvent(self, event: QShowEvent) -> None:
        """Override QWidget.showEvent: fetch fresh figures and prices when shown.

        Live events move only the balance; usage and history come with a
        refresh, so showing the page refreshes them (at most once a minute).
        """
        super().showEvent(event)
        now = time.monotonic()
        if self._last_auto_refresh is None or now - self._last_auto_refresh > AUTO_REFRESH_S:
            self._last_auto_refresh = now
            self.refresh()
        if self._catalog is None:
            self.load_catalog()

    # --- slots ------------------------------------------------------------------
    @Slot(object)
    def _on_bridge_changed(self, changes: ChangeSet) -> None:
        if not changes.touches(*WATCHED):
            return
        # Live traffic moves only the balance; the tables change on refresh.
        self._full_reload = self._full_reload or changes.touches(*FULL_RELOAD)
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    @Slot()
    def _on_refresh_timer_timeout(self) -> None:
        if self._full_reload:
            self.reload()
        else:
            state = self._service.state()
            self._show_balance(state)
            self._show_limits(self._service.limits(), state)
        self._full_reload = False

    @Slot(object)
    def _on_controller_state_changed(self, state: CreditState | None) -> None:
        # The banner and the wall follow the controller at once; so does the balance card.
        self._show_balance(state)
        self._show_tier_buttons(state)

    @Slot()
    def _on_usage_period_changed(self) -> None:
        self.reload()

    @Slot(int)
    def _on_tabs_current_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.invoices_tab and not self._invoices_requested:
            self._invoices_requested = True
            self.load_invoices()

    @Slot()
    def _on_refresh_clicked(self) -> None:
        self.refresh()

    @Slot()
    def _on_portal_clicked(self) -> None:
        self._tasks.start(
            self,
            self._service.portal_url(),
            busy=[self.portal_button],
            on_success=self._on_portal_url,
        )

    @Slot()
    def _on_invoices_clicked(self) -> None:
        self.load_invoices()

    @Slot()
    def _on_export_clicked(self) -> None:
        self.export_csv()

    @Slot()
    def _on_filters_changed(self) -> None:
        self.transactions_proxy.set_filters(
            kind=str(self.kind_combo.currentData() or ""),
            org_id=str(self.client_combo.currentData() or ""),
            days=int(self.period_combo.currentData() or 0),
            text=self.search_edit.text(),
        )
        self._update_transaction_count()

    @Slot()
    def _on_buy_clicked(self) -> None:
        button = self.sender()
        price = button.property("price") if isinstance(button, QPushButton) else None
        if isinstance(price, Price):
            self.buy(price)

    @Slot()
    def _on_cancel_clicked(self) -> None:
        if self.buy_task is None or self.buy_task.done():
            return
        if self._checkout_stage == "processing":
            # The bank debit is submitted and cannot be undone: only the watching stops.
            self.buy_task.cancel()
            return
        if self._checkout is None:
            return
        self.cancel_button.setEnabled(False)
        self._set_checkout_text("Cancelling the purchase…")
        self.cancel_task = self._tasks.start(
            self,
            self._service.cancel_checkout(self._checkout.id),
            key="cancel-checkout",
            on_error=self._on_cancel_failed,
        )

    @Slot()
    def _on_open_again_clicked(self) -> None:
        if self._checkout is not None and self._checkout.url:
            self._show_browser_note(self._open_url(self._checkout.url))

    @Slot()
    def _on_copy_clicked(self) -> None:
        if self._checkout is not None and self._checkout.url:
            QGuiApplication.clipboard().setText(self._checkout.url)
            self.checkout_note.setText("Link copied. Paste it into a browser to pay.")
            self.checkout_note.show()

    @Slot()
    def _on_wall_buy_pack_requested(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.scroll_area.ensureWidgetVisible(self.buy_box)
        first = next(iter(self._pack_buttons.values()), None)
        if first is not None:
            first.setFocus()

    def _on_catalog_loaded(self, catalog: PriceCatalog) -> None:
        self._catalog = catalog
        for button in self._buy_buttons():
            button.deleteLater()
        self._pack_buttons = {}
        self._tier_buttons = {}
        for i, price in enumerate(catalog.packs):
            button = QPushButton(pack_label(price))
            button.setProperty("price", price)
            button.setToolTip(f"One-time payment through Stripe Checkout ({price.id})")
            button.clicked.connect(self._on_buy_clicked)
            self.packs_grid.addWidget(button, i // 2, i % 2)
            self._pack_buttons[price.credits or 0] = button
        for price in catalog.tiers:
            button = QPushButton(f"Upgrade to {tier_label(price)}")
            button.setProperty("price", price)
            button.clicked.connect(self._on_buy_clicked)
            self.tiers_layout.addWidget(button)
            self._tier_buttons[price.tier or ""] = button
        self.catalog_label.setVisible(not catalog.packs)
        self._show_tier_buttons(self._service.state())

    def _on_invoices_loaded(self, invoices: tuple[Invoice, ...]) -> None:
        self.invoice_model.set_rows(invoices)
        self.invoices_label.setText(
            f"{len(invoices)} invoice{'s' if len(invoices) != 1 else ''}"
            if invoices
            else "No invoices yet."
        )

    def _on_portal_url(self, url: str) -> None:
        if not self._open_url(url):
            self._messages.show_info(f"No browser opened. The billing portal is at {url}")

    def _on_checkout_progress(self, progress: CheckoutProgress) -> None:
        self._checkout_stage = progress.stage
        self._set_checkout_text(progress.text)
        if progress.stage == "opened" and progress.session is not None:
            self._checkout = progress.session
            url = progress.session.url or ""
            self.checkout_link.setText(url)
            self.checkout_link.setToolTip(url)
            self.checkout_link.setCursorPosition(0)
            self.checkout_link_row.show()
            self.cancel_button.setEnabled(True)
            self._show_browser_note(self._open_url(url))
        elif progress.stage == "waiting":
            self.cancel_button.setEnabled(True)
        elif progress.stage == "processing":
            # Completed: the link shows only the session's state now, and it
            # can no longer be cancelled; the wait can still be left.
            self.checkout_link_row.hide()
            self.checkout_note.hide()
            self.cancel_button.setText("Stop watching")
            self.cancel_button.setToolTip(
                "Stop following here; the bank's answer still decides, and the credits "
                "arrive when it confirms"
            )
            self.cancel_button.setEnabled(True)
        else:
            self.checkout_link_row.hide()
            self.checkout_note.hide()
            self.cancel_button.setEnabled(False)
        if progress.stage in FINAL_STAGES:
            self._end_checkout_panel()

    def _on_cancel_failed(self, error: ConsoleError) -> None:
        # Too late (paid meanwhile) or Stripe failed: the purchase goes on.
        if self._checkout_stage in ("opened", "waiting"):
            self._set_checkout_text("Waiting for payment in the browser…")
            self.cancel_button.setEnabled(True)
        self._messages.show_error(error)

    def _on_purchase_done(self, result: PurchaseResult) -> None:
        if result.granted:
            self._messages.show_info(
                f"Credits updated: {result.balance_before:,.0f} → {result.balance_after:,.0f}"
            )
        self.reload()
        if result.granted or result.session.status == "expired":
            self.load_invoices()
        self.purchase_finished.emit(result)

    def _on_purchase_failed(self, error: ConsoleError) -> None:
        self._set_checkout_text(f"Checkout failed: {error.user_text()}")
        self._end_checkout_panel()
        self._messages.show_error(error)

    def _on_buy_task_done(self, task: asyncio.Task[PurchaseResult]) -> None:
        if task.cancelled():
            self._set_checkout_text(
                "Stopped watching. The payment is still processing: the credits arrive "
                "when the bank confirms it, and show up in the balance then."
            )
            self._end_checkout_panel()

    # --- helpers ----------------------------------------------------------------
    def _set_checkout_text(self, text: str) -> None:
        self.checkout_label.setText(text)
        # The cards row does not pass height-for-width down to a wrapped label:
        # reserve the lines this text needs at the label's width, or it is clipped.
        width = max(self.checkout_label.width(), self.checkout_label.minimumSizeHint().width())
        self.checkout_label.setMinimumHeight(self.checkout_label.heightForWidth(width))

    def _end_checkout_panel(self) -> None:
        # Only the outcome stays: no link to pay, nothing left to cancel or wait for.
        self.checkout_link_row.hide()
        self.checkout_note.hide()
        self.cancel_button.hide()
        self.checkout_bar.hide()

    def _show_browser_note(self, opened: bool) -> None:
        self.checkout_note.setText(
            "Opened in your browser. Pay there; this panel follows the payment."
            if opened
            else "No browser opened. Use Open again, or Copy the link into a browser."
        )
        self.checkout_note.setObjectName("EmptyText" if opened else "ResultError")
        self.checkout_note.style().unpolish(self.checkout_note)
        self.checkout_note.style().polish(self.checkout_note)
        self.checkout_note.show()

    def _buy_buttons(self) -> list[QPushButton]:
        return [*self._pack_buttons.values(), *self._tier_buttons.values()]

    def _show_balance(self, state: CreditState | None) -> None:
        if state is None:
            self.total_label.setText("–")
            self.parts_label.setText("No balance synced yet. Press Refresh.")
            self.allocation_bar.setValue(0)
            return
        self.total_label.setText(f"{state.total:,.0f}")
        allocation = (
            f"of {state.allocation:,.0f} monthly allocation"
            if state.allocation
            else "no monthly allocation on this tier"
        )
        self.allocation_label.setText(f"credits · {allocation}")
        self.parts_label.setText(
            f"Daily {state.daily:,.1f}  ·  Monthly {state.monthly:,.1f}  ·  "
            f"Purchased {state.purchased:,.1f}"
        )
        maximum = max(state.allocation, 1.0)
        self.allocation_bar.setRange(0, int(maximum))
        self.allocation_bar.setValue(int(min(state.monthly, maximum)))
        self.allocation_bar.setFormat(
            f"Monthly credits left: {state.monthly:,.0f} / {state.allocation:,.0f}"
        )
        level_text = {
            "ok": ("Healthy", "ResultOk"),
            "low": (f"Low: below {state.low_threshold:,.0f} (20% of allocation)", "ResultError"),
            "empty": ("Out of credits", "ResultError"),
        }[state.level]
        self.level_label.setText(level_text[0])
        self.level_label.setObjectName(level_text[1])
        self.level_label.style().unpolish(self.level_label)
        self.level_label.style().polish(self.level_label)
        self.updated_label.setText(
            f"as of {state.taken_at.astimezone().strftime('%Y-%m-%d %H:%M')}"
        )

    def _show_limits(self, limits: LicensingLimits | None, state: CreditState | None) -> None:
        tier = limits.tier if limits is not None else (state.tier if state else "")
        self.tier_label.setText(tier.capitalize() if tier else "–")
        if limits is None:
            for bar in self._limit_bars.values():
                bar.setFormat("not fetched yet")
                bar.setValue(0)
            self.badge_label.setText("")
            return
        for key, usage in (
            ("builder_apps", limits.builder_apps),
            ("checkout_instances", limits.checkout_instances),
            ("custom_domains", limits.custom_domains),
        ):
            self._set_limit(self._limit_bars[key], usage)
        badge = "Badge required" if limits.badge_required else "No badge"
        label = "white label" if limits.white_label else "l4yercak3 branding"
        credits = (
            f"{limits.monthly_credits:,.0f} credits/month"
            if limits.monthly_credits is not None
            else "unlimited credits"
        )
        self.badge_label.setText(f"{badge} · {label} · {credits}")

    @staticmethod
    def _set_limit(bar: QProgressBar, usage: UsageLimit) -> None:
        if usage.limit is None:
            bar.setRange(0, 1)
            bar.setValue(0)
            bar.setFormat(f"{usage.used} used · unlimited")
            return
        bar.setRange(0, max(usage.limit, 1))
        bar.setValue(min(usage.used, max(usage.limit, 1)))
        bar.setFormat(
            f"{usage.used} / {usage.limit}" + (" · limit reached" if usage.reached else "")
        )

    def _show_tier_buttons(self, state: CreditState | None) -> None:
        current = TIER_ORDER.get(state.tier if state else "free", 0)
        for tier, button in self._tier_buttons.items():
            above = TIER_ORDER.get(tier, 0) > current
            button.setEnabled(above)
            if not above:
                button.setToolTip("Your tier already includes this.")

    def _fill_client_filter(self, rows: list[Any]) -> None:
        current = self.client_combo.currentData()
        clients = sorted({(r.org_name, r.org_id) for r in rows})
        self.client_combo.blockSignals(True)
        self.client_combo.clear()
        self.client_combo.addItem("All clients", "")
        for name, org_id in clients:
            self.client_combo.addItem(name, org_id)
        index = self.client_combo.findData(current)
        self.client_combo.setCurrentIndex(max(index, 0))
        self.client_combo.blockSignals(False)

    def _update_transaction_count(self) -> None:
        shown = self.transactions_proxy.rowCount()
        total = self.transactions_model.rowCount()
        self.transactions_count.setText(f"{shown:,} of {total:,} transactions")

    def _card(self, title: str) -> tuple[QGroupBox, QVBoxLayout]:
        box = QGroupBox(title)
        layout = QVBoxLayout(box)
        layout.setSpacing(4)
        return box, layout

    def _setup_ui(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        title = QLabel("Credits")
        title.setObjectName("PageTitle")
        header.addWidget(title)
        header.addStretch(1)
        self.usage_period_combo = QComboBox()
        self.usage_period_combo.setToolTip(
            "Period of the usage chart and the per agent/client tables"
        )
        for label, days in (
            ("Last 7 days", 7),
            ("Last 14 days", 14),
            ("Last 30 days", 30),
            ("Last 90 days", 90),
        ):
            self.usage_period_combo.addItem(label, days)
        self.usage_period_combo.setCurrentIndex(1)
        header.addWidget(self.usage_period_combo)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Fetch balance, limits and transactions from the platform")
        header.addWidget(self.refresh_button)
        outer.addLayout(header)

        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 8, 0)
        self.scroll_area.setWidget(body)
        outer.addWidget(self.scroll_area, 1)

        self.wall = CreditWall()
        layout.addWidget(self.wall)

        cards = QHBoxLayout()
        balance_box, balance = self._card("Balance")
        self.total_label = QLabel("–")
        self.total_label.setFont(_scaled(self, 2.4, bold=True))
        self.allocation_label = QLabel()
        self.allocation_label.setObjectName("EmptyText")
        self.parts_label = QLabel()
        self.allocation_bar = QProgressBar()
        self.allocation_bar.setTextVisible(True)
        self.level_label = QLabel()
        self.updated_label = QLabel()
        self.updated_label.setObjectName("EmptyText")
        total_row = QHBoxLayout()
        total_row.addWidget(self.total_label)
        total_row.addWidget(self.allocation_label, 1, Qt.AlignmentFlag.AlignBottom)
        balance.addLayout(total_row)
        balance.addWidget(self.parts_label)
        balance.addWidget(self.allocation_bar)
        status_row = QHBoxLayout()
        status_row.addWidget(self.level_label)
        status_row.addStretch(1)
        status_row.addWidget(self.updated_label)
        balance.addLayout(status_row)
        balance.addStretch(1)
        cards.addWidget(balance_box, 3)

        tier_box, tier = self._card("Tier and limits")
        self.tier_label = QLabel("–")
        self.tier_label.setFont(_scaled(self, 1.6, bold=True))
        tier.addWidget(self.tier_label)
        grid = QGridLayout()
        self._limit_bars: dict[str, QProgressBar] = {}
        for row, (key, name) in enumerate(
            (
                ("builder_apps", "Builder apps"),
                ("checkout_instances", "Checkout instances"),
                ("custom_domains", "Custom domains"),
            )
        ):
            bar = QProgressBar()
            bar.setTextVisible(True)
            grid.addWidget(QLabel(name), row, 0)
            grid.addWidget(bar, row, 1)
            self._limit_bars[key] = bar
        tier.addLayout(grid)
        self.badge_label = QLabel()
        self.badge_label.setObjectName("EmptyText")
        tier.addWidget(self.badge_label)
        tier.addStretch(1)
        cards.addWidget(tier_box, 3)

        self.buy_box, buy = self._card("Buy credits")
        self.packs_grid = QGridLayout()
        buy.addLayout(self.packs_grid)
        self.catalog_label = QLabel("Loading prices from Stripe…")
        self.catalog_label.setObjectName("EmptyText")
        buy.addWidget(self.catalog_label)
        self.tiers_layout = QVBoxLayout()
        buy.addLayout(self.tiers_layout)
        self.portal_button = QPushButton("Billing portal (invoices, cards)…")
        buy.addWidget(self.portal_button)
        self.checkout_box = QWidget()
        checkout = QVBoxLayout(self.checkout_box)
        checkout.setContentsMargins(0, 4, 0, 0)
        self.checkout_label = QLabel()
        self.checkout_label.setWordWrap(True)
        self.checkout_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        # The session's link stays at hand: the browser may not have opened,
        # or the tab may have been closed.
        self.checkout_link_row = QWidget()
        link_box = QVBoxLayout(self.checkout_link_row)
        link_box.setContentsMargins(0, 0, 0, 0)
        self.checkout_link = QLineEdit()
        self.checkout_link.setReadOnly(True)
        self.open_again_button = QPushButton("Open again")
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the checkout link to the clipboard")
        link_buttons = QHBoxLayout()
        link_buttons.addWidget(self.open_again_button)
        link_buttons.addWidget(self.copy_button)
        link_buttons.addStretch(1)
        link_box.addWidget(self.checkout_link)
        link_box.addLayout(link_buttons)
        self.checkout_note = QLabel()
        self.checkout_note.setWordWrap(True)
        bar_row = QHBoxLayout()
        self.checkout_bar = QProgressBar()
        self.checkout_bar.setTextVisible(False)
        self.checkout_bar.setMaximumHeight(10)
        self.cancel_button = QPushButton("Cancel purchase")
        self.cancel_button.setToolTip(CANCEL_TIP)
        bar_row.addWidget(self.checkout_bar, 1)
        bar_row.addWidget(self.cancel_button)
        checkout.addWidget(self.checkout_label)
        checkout.addWidget(self.checkout_link_row)
        checkout.addWidget(self.checkout_note)
        checkout.addLayout(bar_row)
        self.checkout_box.hide()
        buy.addWidget(self.checkout_box)
        buy.addStretch(1)
        cards.addWidget(self.buy_box, 3)
        layout.addLayout(cards)

        usage_box, usage = self._card("Usage per day")
        self.chart = UsageChartView()
        self.chart.setMinimumHeight(260)
        usage.addWidget(self.chart)
        layout.addWidget(usage_box)

        self.tabs = QTabWidget()
        self.agents_model = UsageTableModel("Agent", self)
        self.clients_model = UsageTableModel("Client", self)
        self.tabs.addTab(_tall(record_table(self.agents_model, stretch=0)), "Per agent")
        self.tabs.addTab(_tall(record_table(self.clients_model, stretch=0)), "Per client")

        history = QWidget()
        history_layout = QVBoxLayout(history)
        filters = QHBoxLayout()
        self.kind_combo = QComboBox()
        self.kind_combo.addItem("All kinds", "")
        for kind, label in KIND_LABELS.items():
            self.kind_combo.addItem(label, kind)
        self.client_combo = QComboBox()
        self.client_combo.addItem("All clients", "")
        self.period_combo = QComboBox()
        for label, days in (("All time", 0), ("Last 7 days", 7), ("Last 30 days", 30)):
            self.period_combo.addItem(label, days)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search description, agent, client…")
        self.search_edit.setClearButtonEnabled(True)
        self.export_button = QPushButton("Export CSV…")
        self.transactions_count = QLabel()
        self.transactions_count.setObjectName("EmptyText")
        for widget in (self.kind_combo, self.client_combo, self.period_combo):
            filters.addWidget(widget)
        filters.addWidget(self.search_edit, 1)
        filters.addWidget(self.transactions_count)
        filters.addWidget(self.export_button)
        history_layout.addLayout(filters)
        self.transactions_model = TransactionsTableModel(self)
        self.transactions_proxy = TransactionsProxy(self)
        self.transactions_proxy.setSourceModel(self.transactions_model)
        self.transactions_table = _tall(
            record_table(self.transactions_proxy, stretch=TransactionColumn.DESCRIPTION)
        )
        self.transactions_table.setSortingEnabled(True)
        self.transactions_table.sortByColumn(TransactionColumn.DATE, Qt.SortOrder.DescendingOrder)
        history_layout.addWidget(self.transactions_table, 1)
        self.tabs.addTab(history, "Transactions")

        self.invoices_tab = invoices = QWidget()
        invoices_layout = QVBoxLayout(invoices)
        invoice_row = QHBoxLayout()
        self.invoices_label = QLabel("Invoices come from Stripe.")
        self.invoices_label.setObjectName("EmptyText")
        self.invoices_button = QPushButton("Load invoices")
        invoice_row.addWidget(self.invoices_label, 1)
        invoice_row.addWidget(self.invoices_button)
        invoices_layout.addLayout(invoice_row)
        self.invoice_model = InvoiceTableModel(self)
        invoices_layout.addWidget(_tall(record_table(self.invoice_model, stretch=0)), 1)
        self.tabs.addTab(invoices, "Invoices")
        self.tabs.setMinimumHeight(320)
        layout.addWidget(self.tabs, 1)

    def _connect_signals(self) -> None:
        self._bridge.changed.connect(self._on_bridge_changed)
        self._controller.state_changed.connect(self._on_controller_state_changed)
        self._refresh_timer.timeout.connect(self._on_refresh_timer_timeout)
        self.refresh_button.clicked.connect(self._on_refresh_clicked)
        self.portal_button.clicked.connect(self._on_portal_clicked)
        self.invoices_button.clicked.connect(self._on_invoices_clicked)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.open_again_button.clicked.connect(self._on_open_again_clicked)
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self.kind_combo.currentIndexChanged.connect(self._on_filters_changed)
        self.client_combo.currentIndexChanged.connect(self._on_filters_changed)
        self.period_combo.currentIndexChanged.connect(self._on_filters_changed)
        self.search_edit.textChanged.connect(self._on_filters_changed)
        self.usage_period_combo.currentIndexChanged.connect(self._on_usage_period_changed)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.wall.buy_pack_requested.connect(self._on_wall_buy_pack_requested)
        self.wall.upgrade_requested.connect(self._on_wall_buy_pack_requested)
