"""Painting the inbox rows and the message bubbles (no widgets per item).

Colours come from the palette plus the theme tokens (accent, muted, error,
ok); fonts and metrics are built once per delegate, since `paint()` runs for
every visible row on every frame while scrolling.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from functools import cache

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from console import resources
from console.services.conversations import InboxRow, Label, MessageItem
from console.views.models.conversations import InboxRole, MessageRole
from console.views.timefmt import relative_time

logger = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

CHANNEL_NAMES = {"whatsapp": "WhatsApp", "webchat": "Webchat", "sms": "SMS"}
#: Amber, as the "waiting for a human" chip: a held reply waits for its author.
HELD_COLOUR = "#D97706"
#: Deliveries that get a reason line under the bubble.
EXPLAINED = ("failed", "held")
AVATAR_COLOURS = ("#6366F1", "#0EA5E9", "#10B981", "#F59E0B", "#EC4899", "#8B5CF6", "#14B8A6")


def label_text(label: Label, handled_by: str | None) -> str:
    """The plain label: AI, waiting for a human, you, a named colleague."""
    if label == "you":
        return "You"
    if label == "colleague":
        return handled_by or "A colleague"
    if label == "waiting":
        return "Waiting for a human"
    if label == "closed":
        return "Closed"
    return "AI"


def label_colour(label: Label, tokens: dict[str, str]) -> QColor:
    return QColor(
        {
            "you": tokens["accent"],
            "colleague": "#0EA5E9",
            "waiting": HELD_COLOUR,
            "closed": tokens["muted"],
            "ai": tokens["ok"],
        }[label]
    )


def initials(name: str) -> str:
    parts = [p for p in name.split() if p[:1].isalnum()]
    if not parts:
        return "?"
    return (parts[0][0] + (parts[1][0] if len(parts) > 1 else "")).upper()


@cache
def avatar_colour(key: str) -> QColor:
    digest = hashlib.blake2s(key.encode(), digest_size=2).digest()
    return QColor(AVATAR_COLOURS[digest[0] % len(AVATAR_COLOURS)])


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def _blend(a: QColor, b: QColor, t: float) -> QColor:
    return QColor(
        round(a.red() * (1 - t) + b.red() * t),
        round(a.green() * (1 - t) + b.green() * t),
        round(a.blue() * (1 - t) + b.blue() * t),
    )


class InboxDelegate(QStyledItemDelegate):
    """Avatar, customer, time, preview, label chip, channel and unread badge."""

    ROW_HEIGHT = 74
    # About five screenfuls: a full-row pixmap is ~100 KB, and 300 of them were
    # a third of the console's memory with a long inbox, for no faster scroll.
    CACHE_SIZE = 60

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fonts_for: int | None = None
        self._cache: dict[tuple[object, ...], QPixmap] = {}
        self._name_font = QFont()
        self._small_font = QFont()
        self._badge_font = QFont()
        self._name_fm = QFontMetrics(self._name_font)
        self._small_fm = QFontMetrics(self._small_font)
        self._badge_fm = QFontMetrics(self._badge_font)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        """Override QStyledItemDelegate.sizeHint: fixed height rows."""
        return QSize(option.rect.width(), self.ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """Override QStyledItemDelegate.paint: from a per-row pixmap cache.

        A row is painted once per (content, state, width, relative time) and
        blitted afterwards, so scrolling, hovering and selecting repaint
        mostly cached pixmaps.
        """
        row = index.data(InboxRole.OBJECT)
        if not isinstance(row, InboxRow):
            return
        rect: QRect = option.rect
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        hovered = bool(state & QStyle.StateFlag.State_MouseOver) and not selected
        when = relative_time(row.last_message_at) if row.last_message_at else ""
        ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
        key = (row, selected, hovered, rect.width(), rect.height(), when, ratio)
        pixmap = self._cache.pop(key, None)
        if pixmap is None:
            pixmap = QPixmap(round(rect.width() * ratio), round(rect.height() * ratio))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            target = QPainter(pixmap)
            self._paint_row(target, option, row, QRect(0, 0, rect.width(), rect.height()), when)
            target.end()
            if len(self._cache) >= self.CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
        self._cache[key] = pixmap  # most recently used last
        painter.drawPixmap(rect.topLeft(), pixmap)

    def _paint_row(
        self, painter: QPainter, option: QStyleOptionViewItem, row: InboxRow, rect: QRect, when: str
    ) -> None:
        palette: QPalette = option.palette
        state = option.state
        self._ensure_fonts(option.font)
        tokens = resources.theme_tokens(is_dark(palette))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = bool(state & QStyle.StateFlag.State_Selected)
        base = palette.color(QPalette.ColorRole.Base)
        accent = QColor(tokens["accent"])
        if selected:
            painter.fillRect(rect, _blend(base, accent, 0.14))
            painter.fillRect(QRect(rect.left(), rect.top(), 3, rect.height()), accent)
        elif state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, _blend(base, palette.color(QPalette.ColorRole.Text), 0.04))
        text = palette.color(QPalette.ColorRole.Text)
        muted = QColor(tokens["muted"])
        left = rect.left() + 14
        top = rect.top() + 12
        # avatar
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(avatar_colour(row.id))
        painter.drawEllipse(left, top, 38, 38)
        painter.setPen(QColor("#FFFFFF"))
        painter.setFont(self._badge_font)
        painter.drawText(
            QRect(left, top, 38, 38), Qt.AlignmentFlag.AlignCenter, initials(row.customer_name)
        )
        # time, top right
        x = left + 50
        right = rect.right() - 12
        painter.setFont(self._small_font)
        small = self._small_fm
        when_w = small.horizontalAdvance(when)
        painter.setPen(accent if row.unread else muted)
        painter.drawText(
            QRect(right - when_w, top, when_w, 18), Qt.AlignmentFlag.AlignVCenter, when
        )
        # name
        painter.setFont(self._name_font)
        painter.setPen(text)
        name_fm = self._name_fm
        name = name_fm.elidedText(
            row.customer_name, Qt.TextElideMode.ElideRight, right - when_w - 8 - x
        )
        painter.drawText(
            QRect(x, top, right - when_w - 8 - x, 18), Qt.AlignmentFlag.AlignVCenter, name
        )
        # preview, with unread badge
        badge_w = 0
        if row.unread:
            count = str(min(row.unread, 99))
            painter.setFont(self._badge_font)
            badge_w = max(18, self._badge_fm.horizontalAdvance(count) + 10)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(accent)
            badge = QRect(right - badge_w, top + 21, badge_w, 18)
            painter.drawRoundedRect(badge, 9, 9)
            painter.setPen(QColor(tokens["accent_fg"]))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, count)
            badge_w += 6
        painter.setFont(self._small_font)
        painter.setPen(text if row.unread else muted)
        preview = small.elidedText(row.preview, Qt.TextElideMode.ElideRight, right - badge_w - x)
        painter.drawText(
            QRect(x, top + 21, right - badge_w - x, 18), Qt.AlignmentFlag.AlignVCenter, preview
        )
        # chips: label, channel, client
        chip_y = top + 42
        label = label_text(row.label, row.handled_by)
        colour = label_colour(row.label, tokens)
        cx = self._chip(painter, x, chip_y, label, colour, filled=row.label in ("waiting", "you"))
        cx = self._chip(painter, cx + 6, chip_y, CHANNEL_NAMES.get(row.channel, row.channel), muted)
        if row.org_name:
            painter.setPen(muted)
            org = small.elidedText(
                row.org_name, Qt.TextElideMode.ElideRight, max(0, right - cx - 8)
            )
            painter.drawText(
                QRect(cx + 8, chip_y, right - cx - 8, 16), Qt.AlignmentFlag.AlignVCenter, org
            )
        # separator
        painter.setPen(_blend(base, text, 0.08))
        painter.drawLine(x, rect.bottom(), rect.right(), rect.bottom())
        painter.restore()

    def _chip(
        self, painter: QPainter, x: int, y: int, text: str, colour: QColor, *, filled: bool = False
    ) -> int:
        width = self._small_fm.horizontalAdvance(text) + 12
        chip = QRect(x, y, width, 16)
        painter.setPen(Qt.PenStyle.NoPen)
        back = QColor(colour)
        back.setAlpha(255 if filled else 38)
        painter.setBrush(back)
        painter.drawRoundedRect(chip, 8, 8)
        painter.setPen(QColor("#FFFFFF") if filled else colour)
        painter.setFont(self._small_font)
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, text)
        return x + width

    def _ensure_fonts(self, base: QFont) -> None:
        key = base.pointSize() * 1000 + base.pixelSize()
        if self._fonts_for == key:
            return
        self._fonts_for = key
        self._name_font = QFont(base)
        self._name_font.setBold(True)
        self._small_font = QFont(base)
        size = base.pointSizeF()
        if size > 0:
            self._small_font.setPointSizeF(size * 0.88)
        self._badge_font = QFont(self._small_font)
        self._badge_font.setBold(True)
        self._name_fm = QFontMetrics(self._name_font)
        self._small_fm = QFontMetrics(self._small_font)
        self._badge_fm = QFontMetrics(self._badge_font)


class MessageDelegate(QStyledItemDelegate):
    """Chat bubbles: customer left, AI agent and staff right, system lines centred.

    Our own messages show their delivery state: sending, sent, failed with
    the reason (select it to edit and resend), or held because the
    conversation moved on before it was sent (send anyway, edit or discard).
    """

    MAX_BUBBLE = 520
    PAD = 10
    # Row-wide pixmaps (~300 KB each): 60 is several screenfuls; 200 cost 65 MB.
    CACHE_SIZE = 60

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sizes: dict[tuple[int, str, str, int], QSize] = {}
        self._pixmaps: dict[tuple[object, ...], QPixmap] = {}

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        """Override QStyledItemDelegate.sizeHint: wrapped text height plus meta line."""
        message = index.data(MessageRole.OBJECT)
        width = option.rect.width()
        if width <= 0 and isinstance(option.widget, QWidget):
            width = option.widget.width()
        if not isinstance(message, MessageItem):
            return QSize(width, 0)
        # Keyed by the wrap limit, not the width: above ~720 px the limit is
        # fixed, so a scrollbar appearing does not re-measure every message.
        key = (message.id, message.text, message.delivery + (message.error or ""), _limit(width))
        cached = self._sizes.get(key)
        if cached is not None:
            return QSize(width, cached.height())
        fm = QFontMetrics(option.font)
        if message.role == "system":
            size = QSize(width, fm.height() + 18)
        else:
            text_rect = self._text_rect(fm, message, width)
            extra = fm.height() + 4 if message.delivery in EXPLAINED else 0
            size = QSize(width, text_rect.height() + 2 * self.PAD + 2 * fm.height() + 16 + extra)
        if len(self._sizes) > 5000:
            self._sizes.clear()
        self._sizes[key] = size
        return size

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """Override QStyledItemDelegate.paint: from a per-message pixmap cache."""
        message = index.data(MessageRole.OBJECT)
        if not isinstance(message, MessageItem):
            return
        rect: QRect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
        key = (
            message.id,
            message.text,
            message.delivery,
            message.error,
            message.author_name,
            message.created_at,
            selected,
            rect.width(),
            rect.height(),
            ratio,
        )
        pixmap = self._pixmaps.pop(key, None)
        if pixmap is None:
            pixmap = QPixmap(round(rect.width() * ratio), round(rect.height() * ratio))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            target = QPainter(pixmap)
            self._paint_message(
                target, option, message, QRect(0, 0, rect.width(), rect.height()), selected
            )
            target.end()
            if len(self._pixmaps) >= self.CACHE_SIZE:
                self._pixmaps.pop(next(iter(self._pixmaps)))
        self._pixmaps[key] = pixmap
        painter.drawPixmap(rect.topLeft(), pixmap)

    def _paint_message(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        message: MessageItem,
        rect: QRect,
        selected: bool,
    ) -> None:
        palette: QPalette = option.palette
        font: QFont = option.font
        fm = QFontMetrics(font)
        tokens = resources.theme_tokens(is_dark(palette))
        base = palette.color(QPalette.ColorRole.Base)
        text_colour = palette.color(QPalette.ColorRole.Text)
        muted = QColor(tokens["muted"])
        small = QFont(font)
        if font.pointSizeF() > 0:
            small.setPointSizeF(font.pointSizeF() * 0.85)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if message.role == "system":
            painter.setFont(small)
            painter.setPen(muted)
            line = f"{message.text}  ·  {_clock(message.created_at)}"
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, line)
            painter.restore()
            return
        text_rect = self._text_rect(fm, message, rect.width())
        bubble_w = text_rect.width() + 2 * self.PAD
        bubble_h = text_rect.height() + 2 * self.PAD
        mine_side = message.role in ("agent", "human")
        x = rect.right() - 16 - bubble_w if mine_side else rect.left() + 16
        meta_h = fm.height()
        bubble = QRect(x, rect.top() + 6 + meta_h, bubble_w, bubble_h)
        accent = QColor(tokens["accent"])
        if message.role == "human":
            fill, ink = accent, QColor(tokens["accent_fg"])
        elif message.role == "agent":
            fill, ink = _blend(base, accent, 0.12), text_colour
        else:
            fill, ink = _blend(base, text_colour, 0.07), text_colour
        if message.delivery == "failed":
            fill = QColor(tokens["error_bg"])
            ink = QColor(tokens["error_fg"])
        elif message.delivery == "held":
            fill, ink = _blend(base, QColor(HELD_COLOUR), 0.18), text_colour
        if selected:
            painter.setPen(accent)
        else:
            painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(bubble, 12, 12)
        painter.setPen(ink)
        painter.setFont(font)
        painter.drawText(
            bubble.adjusted(self.PAD, self.PAD, -self.PAD, -self.PAD),
            int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft),
            _body(message),
        )
        # meta above: author · role
        painter.setFont(small)
        painter.setPen(muted)
        who = message.author_name or {"customer": "Customer", "agent": "AI agent"}.get(
            message.role, "You"
        )
        if message.role == "agent":
            who = f"{who} · AI"
        meta_rect = QRect(bubble.left(), rect.top() + 4, max(bubble_w, 260), meta_h)
        if mine_side:
            meta_rect.moveRight(bubble.right())
        painter.drawText(
            meta_rect,
            (Qt.AlignmentFlag.AlignRight if mine_side else Qt.AlignmentFlag.AlignLeft)
            | Qt.AlignmentFlag.AlignVCenter,
            who,
        )
        # below: time and delivery
        status = _clock(message.created_at)
        if message.role == "human":
            status += {
                "pending": "  ·  Sending…",
                "failed": "  ·  Not sent",
                "held": "  ·  Held, not sent",
                "sent": "  ·  ✓ Sent",
            }.get(message.delivery, "")
        if message.role == "agent" and message.credits:
            status += f"  ·  {message.credits:g} credit{'' if message.credits == 1 else 's'}"
        below = QRect(rect.left() + 16, bubble.bottom() + 2, rect.width() - 32, meta_h)
        pen = {"failed": QColor(tokens["error_fg"]), "held": QColor(HELD_COLOUR)}
        painter.setPen(pen.get(message.delivery, muted))
        align = Qt.AlignmentFlag.AlignRight if mine_side else Qt.AlignmentFlag.AlignLeft
        painter.drawText(below, align | Qt.AlignmentFlag.AlignVCenter, status)
        if message.delivery in EXPLAINED:
            reason = (
                f"{message.error or 'Rejected by the platform.'} Select to edit and resend."
                if message.delivery == "failed"
                else f"{message.error or 'The conversation moved on.'} Your choices are below."
            )
            painter.drawText(
                below.translated(0, meta_h + 2), align | Qt.AlignmentFlag.AlignVCenter, reason
            )
        painter.restore()

    def _text_rect(self, fm: QFontMetrics, message: MessageItem, width: int) -> QRect:
        return fm.boundingRect(
            QRect(0, 0, _limit(width), 100000),
            int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft),
            _body(message),
        )


def _limit(width: int) -> int:
    """Text width of a bubble in a thread `width` pixels wide."""
    return max(120, min(MessageDelegate.MAX_BUBBLE, int(width * 0.72)) - 2 * MessageDelegate.PAD)


def _body(message: MessageItem) -> str:
    if message.template_name and not message.text:
        return f"[template: {message.template_name}]"
    return message.text


def _clock(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    local = aware.astimezone()
    if (datetime.now(UTC) - aware).total_seconds() < 20 * 3600:
        return local.strftime("%H:%M")
    return local.strftime("%d %b %H:%M")
