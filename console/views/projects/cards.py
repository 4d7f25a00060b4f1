"""Painted project cards for the grid mode, and the small stat cards above the list.

Cards are painted by a delegate (no widget per project), so the grid stays
smooth with 100,000 projects: the list view asks for one fixed size hint and
paints only what is visible, from the item's precomputed strings.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLabel,
    QListView,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from console.services.projects.models import CATEGORY_LABELS, ProjectState
from console.views.models.projects import STATE_TOKENS, ProjectItem, Role

logger = logging.getLogger(__name__)

CARD_SIZE = QSize(292, 146)
_CATEGORIES: dict[str, str] = {str(k): v for k, v in CATEGORY_LABELS.items()}
_ITEM = int(Role.ITEM)


def state_colors(tokens: dict[str, str]) -> dict[ProjectState, QColor]:
    """The colour of each project state from the theme tokens."""
    return {state: QColor(tokens[token]) for state, token in STATE_TOKENS.items()}


class CardGridView(QListView):
    """A list view laid out as a grid of equal cards that fill the width.

    ListMode with wrapping and uniform item sizes (not IconMode): Qt then lays
    out 100,000 items from one size hint instead of asking for each.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.ListMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(400)
        self.setMouseTracking(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        self._card = QSize(CARD_SIZE)
        self.setGridSize(self._card)

    def card_size(self) -> QSize:
        return QSize(self._card)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Override QListView.resizeEvent: as many columns as fit, cards widened to fill."""
        width = max(self.viewport().width() - 1, CARD_SIZE.width())
        columns = max(1, width // CARD_SIZE.width())
        card = QSize(width // columns, CARD_SIZE.height())
        if card != self._card:
            self._card = card
            self.setGridSize(card)
        super().resizeEvent(event)


class ProjectCardDelegate(QStyledItemDelegate):
    """Paints a project as a card: status, name, client and URL, data needs, update time."""

    def __init__(self, tokens: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tokens = tokens
        self._colors = state_colors(tokens)

    def set_tokens(self, tokens: dict[str, str]) -> None:
        self._tokens = tokens
        self._colors = state_colors(tokens)

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        """Override QStyledItemDelegate.sizeHint: every card has the same size."""
        view = self.parent()
        return view.card_size() if isinstance(view, CardGridView) else CARD_SIZE

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """Override QStyledItemDelegate.paint."""
        item = index.data(_ITEM)
        if not isinstance(item, ProjectItem):
            return
        palette = option.palette
        rect: QRect = option.rect.adjusted(6, 6, -6, -6)
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        hovered = bool(state & QStyle.StateFlag.State_MouseOver)
        accent = QColor(self._tokens["accent"])
        muted = QColor(self._tokens["muted"])
        border = QColor(self._tokens["border"])
        text = palette.text().color()

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        background = palette.base().color()
        if selected:
            tint = QColor(accent)
            tint.setAlpha(22)
            painter.setBrush(background)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(QRectF(rect), 10, 10)
            background = tint
        painter.setBrush(background)
        pen = QPen(accent if (selected or hovered) else border)
        pen.setWidthF(2.0 if selected else 1.0)
        painter.setPen(pen)
        painter.drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), 10, 10)

        inner = rect.adjusted(14, 12, -14, -12)
        base_font = QFont(option.font)
        small = QFont(base_font)
        small.setPointSizeF(max(7.0, base_font.pointSizeF() * 0.86))
        title = QFont(base_font)
        title.setPointSizeF(base_font.pointSizeF() * 1.12)
        title.setWeight(QFont.Weight.DemiBold)

        # Status pill and source badge.
        color = self._colors.get(item.state, muted)
        top = inner.top()
        pill_text = item.state.label
        fm_small = QFontMetrics(small)
        pill = QRect(inner.left(), top, fm_small.horizontalAdvance(pill_text) + 24, 20)
        soft = QColor(color)
        soft.setAlpha(32)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(soft)
        painter.drawRoundedRect(QRectF(pill), 10, 10)
        painter.setBrush(color)
        painter.drawEllipse(QRectF(pill.left() + 8, pill.center().y() - 3, 6, 6))
        painter.setFont(small)
        painter.setPen(color.darker(115) if palette.base().color().lightness() > 128 else color)
        painter.drawText(pill.adjusted(18, 0, 0, 0), int(Qt.AlignmentFlag.AlignVCenter), pill_text)
        badge = _source_badge(item)
        if badge:
            painter.setPen(muted)
            painter.drawText(
                QRect(inner.left(), top, inner.width(), 20),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                badge,
            )

        # Name and subtitle.
        painter.setFont(title)
        painter.setPen(text)
        fm_title = QFontMetrics(title)
        name_top = top + 28
        painter.drawText(
            QRect(inner.left(), name_top, inner.width(), fm_title.height()),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            fm_title.elidedText(item.row.name, Qt.TextElideMode.ElideRight, inner.width()),
        )
        painter.setFont(small)
        painter.setPen(muted)
        sub_top = name_top + fm_title.height() + 2
        painter.drawText(
            QRect(inner.left(), sub_top, inner.width(), fm_small.height()),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            fm_small.elidedText(item.subtitle, Qt.TextElideMode.ElideMiddle, inner.width()),
        )

        # Data-need chips.
        chip_top = sub_top + fm_small.height() + 10
        x = inner.left()
        chip_h = fm_small.height() + 6
        labels = [_CATEGORIES.get(c, c) for c in item.row.categories]
        for n, label in enumerate(labels):
            width = fm_small.horizontalAdvance(label) + 16
            after = len(labels) - n - 1
            reserve = fm_small.horizontalAdvance(f"+{after}") + 22 if after else 0
            if x + width + reserve > inner.right():
                more = f"+{len(labels) - n}"
                chip = QRect(x, chip_top, fm_small.horizontalAdvance(more) + 16, chip_h)
                _chip(painter, chip, more, border, muted)
                break
            _chip(painter, QRect(x, chip_top, width, chip_h), label, border, text)
            x += width + 6
        if not labels:
            painter.setPen(muted)
            painter.drawText(
                QRect(inner.left(), chip_top, inner.width(), chip_h),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                "No data needs detected yet",
            )

        # Footer: architecture and update time.
        painter.setPen(muted)
        footer = QRect(
            inner.left(), inner.bottom() - fm_small.height(), inner.width(), fm_small.height()
        )
        painter.drawText(
            footer, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), item.texts[3]
        )
        painter.drawText(
            footer,
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            f"Updated {item.updated_text}",
        )
        painter.restore()


def _chip(painter: QPainter, rect: QRect, label: str, border: QColor, color: QColor) -> None:
    painter.setPen(border)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
    painter.setPen(color)
    painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), label)


def _source_badge(item: ProjectItem) -> str:
    if item.row.remote_id is None:
        return "v0 import · local" if item.row.source == "v0" else "local draft"
    return ""


class StatCard(QFrame):
    """A number with a caption (and optional detail lines), clickable as a filter shortcut.

    Signals:
        clicked(): the card was clicked.
    """

    clicked = Signal()

    def __init__(
        self,
        caption: str,
        tokens: dict[str, str],
        *,
        accent_token: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._tokens = tokens
        self._accent_token = accent_token
        self._active = False
        self.setObjectName("StatCard")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(78)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(0)
        self.value_label = QLabel("0")
        value_font = self.value_label.font()
        value_font.setPointSizeF(value_font.pointSizeF() * 1.7)
        value_font.setWeight(QFont.Weight.DemiBold)
        self.value_label.setFont(value_font)
        self.caption_label = QLabel(caption)
        self.detail_label = QLabel("")
        self.detail_label.setVisible(False)
        for label in (self.caption_label, self.detail_label):
            font = label.font()
            font.setPointSizeF(font.pointSizeF() * 0.92)
            label.setFont(font)
        layout.addWidget(self.value_label)
        layout.addWidget(self.caption_label)
        layout.addWidget(self.detail_label)
        layout.addStretch(1)  # numbers line up across cards whatever their detail lines
        self._apply_colors()

    def set_value(self, value: int | str, detail: str = "") -> None:
        self.value_label.setText(f"{value:,}" if isinstance(value, int) else value)
        self.detail_label.setText(detail)
        self.detail_label.setVisible(bool(detail))

    def set_active(self, active: bool) -> None:
        self._active = active
        self.update()

    def set_tokens(self, tokens: dict[str, str]) -> None:
        self._tokens = tokens
        self._apply_colors()
        self.update()

    def _apply_colors(self) -> None:
        muted = QColor(self._tokens["muted"])
        for label in (self.caption_label, self.detail_label):
            palette = label.palette()
            palette.setColor(label.foregroundRole(), muted)
            label.setPalette(palette)
        if self._accent_token:
            palette = self.value_label.palette()
            palette.setColor(
                self.value_label.foregroundRole(), QColor(self._tokens[self._accent_token])
            )
            self.value_label.setPalette(palette)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Override QWidget.paintEvent: a rounded card in the theme's colours."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(self.palette().base())
        pen = QPen(QColor(self._tokens["accent" if self._active else "border"]))
        pen.setWidthF(2.0 if self._active else 1.0)
        painter.setPen(pen)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 10, 10)
        painter.end()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """Override QWidget.mouseReleaseEvent: a click anywhere on the card."""
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.clicked.emit()
        super().mouseReleaseEvent(event)
