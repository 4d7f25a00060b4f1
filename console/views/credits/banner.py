"""The low-credit banner shown across the app, the credit wall, and their controller.

`LowCreditController` watches the store (balance snapshots) and tells every
attached `LowCreditBanner` / `CreditWall` the current `CreditState`; the
widgets only render it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from console.changes import ChangeSet
from console.services.credits import CreditState
from console.views.bridge import StoreBridge

logger = logging.getLogger(__name__)

LOW_BG, LOW_FG, LOW_BORDER = "#FEF3C7", "#92400E", "#F59E0B"
EMPTY_BG, EMPTY_FG, EMPTY_BORDER = "#FDECEA", "#9B1C1C", "#F5C2C0"


def _paint(frame: QFrame, background: str, foreground: str) -> None:
    palette = frame.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor(background))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(foreground))
    frame.setPalette(palette)
    frame.setAutoFillBackground(True)


class LowCreditBanner(QFrame):
    """A one-line banner: credits low (below 20%) or exhausted; hidden when fine.

    Signals:
        buy_requested(): the user wants to buy credits (show the Credits section).
    """

    buy_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LowCreditBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        self.text_label = QLabel()
        self.text_label.setWordWrap(True)
        self.buy_button = QPushButton("Buy credits…")
        layout.addWidget(self.text_label, 1)
        layout.addWidget(self.buy_button)
        self.buy_button.clicked.connect(self.buy_requested)
        self.hide()

    def set_state(self, state: CreditState | None) -> None:
        level = state.level if state is not None else "ok"
        if state is None or level == "ok":
            self.hide()
            return
        if level == "empty":
            _paint(self, EMPTY_BG, EMPTY_FG)
            self.text_label.setText(
                f"<b>Out of credits.</b> Agents answer “unavailable” until credits are added "
                f"(short by {state.shortfall:,.0f})."
            )
        else:
            _paint(self, LOW_BG, LOW_FG)
            self.text_label.setText(
                f"<b>Credits low:</b> {state.total:,.0f} left, below 20% of the "
                f"{state.allocation:,.0f} monthly allocation."
            )
        self.show()


class CreditWall(QFrame):
    """Shown at zero credits: the shortfall and the ways to buy.

    Signals:
        buy_pack_requested(): buy a credit pack.
        upgrade_requested(): upgrade the tier.
    """

    buy_pack_requested = Signal()
    upgrade_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CreditWall")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        _paint(self, EMPTY_BG, EMPTY_FG)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.title_label = QLabel("You are out of credits")
        font = QFont(self.title_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title_label.setFont(font)
        self.text_label = QLabel()
        self.text_label.setWordWrap(True)
        buttons = QHBoxLayout()
        self.pack_button = QPushButton("Buy a credit pack…")
        self.upgrade_button = QPushButton("Upgrade tier…")
        buttons.addWidget(self.pack_button)
        buttons.addWidget(self.upgrade_button)
        buttons.addStretch(1)
        layout.addWidget(self.title_label)
        layout.addWidget(self.text_label)
        layout.addLayout(buttons)
        self.pack_button.clicked.connect(self.buy_pack_requested)
        self.upgrade_button.clicked.connect(self.upgrade_requested)
        self.hide()

    def set_state(self, state: CreditState | None) -> None:
        if state is None or state.level != "empty":
            self.hide()
            return
        allocation = (
            f"Your {state.tier.capitalize()} tier grants {state.allocation:,.0f} credits a month"
            if state.allocation
            else f"The {state.tier.capitalize()} tier includes no monthly credits"
        )
        self.text_label.setText(
            f"Balance {state.total:,.2f} credits: your agents answer “unavailable” to customers "
            f"right now. You need <b>{state.shortfall:,.0f} credits</b> to get back above the "
            f"low-credit level ({state.low_threshold:,.0f}).<br>"
            f"Ways to buy: a credit pack (100 for €19, 500 for €79, 2,000 for €249, "
            f"10,000 for €999), a tier upgrade (Pro €29/month with 200 credits, Agency "
            f"€299/month with 2,000), or wait for the 5 daily credits. {allocation}."
        )
        self.show()


class LowCreditController(QObject):
    """Keeps banners and walls in step with the balance in the store.

    Args:
        bridge: store change notifications.
        read_state: returns the current `CreditState` (CreditsService.state).

    Signals:
        state_changed(object): the credit state (a `CreditState` or None) changed.
    """

    state_changed = Signal(object)

    def __init__(
        self,
        bridge: StoreBridge,
        read_state: Callable[[], CreditState | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._read_state = read_state
        self._state: CreditState | None = None
        bridge.changed.connect(self._on_bridge_changed)
        self.refresh()

    @property
    def state(self) -> CreditState | None:
        return self._state

    def attach(self, widget: LowCreditBanner | CreditWall) -> None:
        """Show `widget` according to the state, now and on every change."""
        self.state_changed.connect(widget.set_state)
        widget.set_state(self._state)

    def refresh(self) -> None:
        state = self._read_state()
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)

    @Slot(object)
    def _on_bridge_changed(self, changes: ChangeSet) -> None:
        if changes.touches("credit_balance", "organizations"):
            self.refresh()
