"""The Conversations section: a live inbox, the thread, takeover and the composer.

Data flow: the inbox query runs in a worker thread
through a ViewTask (latest wins), the thread re-reads its session on each
store change (an indexed read of a few dozen rows), and every action goes
through `ConversationService`; what the user sees afterwards comes from the
store, as the service or the sync engine wrote it.

Safe sending has two layers. Before queuing, the page holds a reply if the
customer wrote or a colleague replied since the user started typing (a
courtesy: only what this console has synced). Every queued reply carries
what its author had seen, and the platform refuses it if the conversation
moved on meanwhile; such a reply is *held* in the store and shown in the
thread with what arrived, to send anyway, edit or discard.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console import resources
from console.changes import ChangeSet
from console.errors import ConsoleError, UserInputError
from console.services.conversations import (
    ConversationService,
    ConversationTaken,
    HeldReply,
    InboxCounts,
    InboxFilter,
    InboxRow,
    MessageItem,
    ThreadHeader,
    filter_options,
    held_replies,
    inbox_counts,
    inbox_ids,
    inbox_rows,
    thread_header,
    thread_messages,
    thread_messages_after,
    waiting_sessions,
)
from console.services.platform.models import StaffRef, Template
from console.services.reads import StoreHandle
from console.views.bridge import StoreBridge
from console.views.conversations.composer import CheatSheet, Composer, HandBackDialog
from console.views.conversations.delegates import (
    CHANNEL_NAMES,
    InboxDelegate,
    MessageDelegate,
    label_text,
)
from console.views.conversations.notify import (
    AttentionTracker,
    Notifier,
    RecordingNotifier,
    TrayNotifier,
)
from console.views.messages import MessageBridge
from console.views.models.conversations import PAGE, InboxListModel, ThreadListModel
from console.views.tasks import TaskRunner
from console.views.widgets.empty_state import EmptyState

logger = logging.getLogger(__name__)

#: Coalesce bursts of store changes.
INBOX_THROTTLE_MS = 150
THREAD_THROTTLE_MS = 15
SEARCH_DEBOUNCE_MS = 200

SHORTCUTS: tuple[tuple[str, str, str], ...] = (
    ("next", "Alt+Down", "Next conversation"),
    ("previous", "Alt+Up", "Previous conversation"),
    ("take_over", "Ctrl+Shift+T", "Take over"),
    ("hand_back", "Ctrl+Shift+H", "Hand back to the agent"),
    ("close", "Ctrl+Shift+X", "Close the conversation"),
    ("compose", "Ctrl+R", "Focus the reply box"),
    ("canned", "Ctrl+.", "Insert a canned response"),
    ("search", "Ctrl+F", "Search messages"),
    ("help", "F1", "This cheat sheet (also Ctrl+/)"),
)
EXTRA_KEYS = (("Enter", "Send"), ("Shift+Enter", "New line"))

DATE_CHOICES = (("Any time", None), ("Today", 1), ("Last 7 days", 7), ("Last 30 days", 30))


@dataclass(frozen=True)
class _QueryResult:
    ids: list[str]
    rows: list[InboxRow]
    counts: InboxCounts
    waiting: dict[str, str]


class ConversationsPage(QWidget):
    """Inbox on the left, the open thread on the right.

    Args:
        store: the local store (read only here; writes go through `service`).
        store_bridge: store changes as a Qt signal.
        service: conversation actions (take over, send, ...).
        tasks: the ViewTask runner.
        messages: where errors are shown.
        staff: who "you" are; None: learnt from the platform (or the store's
            cached copy when offline).
        notifier: desktop notifications; None: the system tray if there is
            one, else notifications are only recorded.
        repeat_seconds: how often a waiting session is notified again.
        sound: the tray notifier also beeps (ignored with `notifier`).

    Signals:
        handoffs_waiting_changed(int): sessions waiting for a human (badge, title).
        unread_changed(int): unread customer messages in sessions you handle.
        notification_clicked(str): a notification was clicked; its session is
            open, the window should come to the front on this section.
    """

    handoffs_waiting_changed = Signal(int)
    unread_changed = Signal(int)
    notification_clicked = Signal(str)

    def __init__(
        self,
        store: StoreHandle,
        store_bridge: StoreBridge,
        service: ConversationService,
        tasks: TaskRunner,
        messages: MessageBridge,
        *,
        staff: StaffRef | None = None,
        notifier: Notifier | None = None,
        repeat_seconds: float = 30.0,
        sound: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._bridge = store_bridge
        self._service = service
        self._tasks = tasks
        self._messages = messages
        self._staff = staff or service.cached_staff()
        if notifier is None:
            notifier = (
                TrayNotifier(resources.icon("conversations"), sound=sound, parent=self)
                if TrayNotifier.available()
                else RecordingNotifier(self)
            )
        self.notifier = notifier
        self.attention = AttentionTracker(notifier, repeat_seconds=repeat_seconds, parent=self)
        self._open_id: str | None = None
        self._header: ThreadHeader | None = None
        self._drafts: dict[str, str] = {}
        #: Safe sending: the last message shown when the user started typing.
        self._seen_up_to: int | None = None
        #: The courtesy hold: the text held before queuing, and the newest
        #: message the hold showed.
        self._held_text: str | None = None
        self._held_seen = 0
        #: The reply the platform held that the held bar is about.
        self._held_message_id: int | None = None
        #: A failed or held reply being edited in the composer.
        self._editing: int | None = None
        self._discarding: int | None = None
        self._templates: tuple[Template, ...] = ()
        self._waiting_count = -1
        self._unread_count = -1
        self.last_task: asyncio.Task[object] | None = None
        self.query_task: asyncio.Task[_QueryResult] | None = None
        self.close_dialog: QMessageBox | None = None
        self.discard_dialog: QMessageBox | None = None
        self.hand_back_dialog: HandBackDialog | None = None
        self.cheat_sheet: CheatSheet | None = None
        self.canned_menu: QMenu | None = None
        self._setup_ui()
        self._connect_signals()
        self._load_filter_options()
        self.refresh(reset=True)
        if self._staff is None:
            self._learn_staff()

    # --- public API -------------------------------------------------------------
    @property
    def staff(self) -> StaffRef | None:
        return self._staff

    @property
    def open_session_id(self) -> str | None:
        return self._open_id

    def refresh(self, *, reset: bool = False) -> asyncio.Task[_QueryResult]:
        """Re-run the inbox query in a worker thread (latest wins)."""
        flt = self.current_filter()
        keep = max(PAGE, self.inbox_model.rowCount()) if not reset else PAGE
        me = self._staff.id if self._staff else None
        task = self._tasks.start(
            self,
            asyncio.to_thread(_query_blocking, self._store, flt, keep, me),
            key="inbox",
            on_success=lambda result: self._on_query_done(result, reset),
        )
        self.query_task = task
        return task

    def current_filter(self) -> InboxFilter:
        days = self.date_combo.currentData()
        since = datetime.now(UTC) - timedelta(days=days) if days else None
        return InboxFilter(
            status=self.status_combo.currentData() or "",
            channel=self.channel_combo.currentData() or "",
            org_id=self.client_combo.currentData() or "",
            agent_id=self.agent_combo.currentData() or "",
            since=since,
            unread_only=self.unread_check.isChecked(),
            needs_human=self.needs_human_check.isChecked(),
            search=self.search_edit.text(),
        )

    def open_session(self, session_id: str) -> None:
        """Select and show a session (it must match the inbox filter to be selected)."""
        row = self.inbox_model.row_of(session_id)
        if row >= 0:
            index = self.inbox_model.index(row)
            if self.inbox_view.currentIndex() != index:
                self.inbox_view.setCurrentIndex(index)
                self.inbox_view.scrollTo(index)
                return
        self._show_session(session_id)

    def focus_search(self) -> None:
        """Ctrl+F from the main window."""
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def select_next(self, step: int = 1) -> None:
        model = self.inbox_model
        current = self.inbox_view.currentIndex().row()
        target = 0 if current < 0 else current + step
        if target >= model.rowCount() and model.canFetchMore(QModelIndex()):
            model.fetchMore(QModelIndex())
        target = max(0, min(target, model.rowCount() - 1))
        if model.rowCount():
            self.inbox_view.setCurrentIndex(model.index(target))

    def take_over(self) -> None:
        if self._open_id is None or not self.take_over_button.isEnabled():
            return
        self._run_action(
            self._service.take_over(self._open_id),
            self.take_over_button,
            then=self._on_taken_over,
        )

    def hand_back(self) -> None:
        """Ask for an optional reason, then hand the session back to the agent."""
        if self._open_id is None or self._header is None or not self.hand_back_button.isEnabled():
            return
        dialog = HandBackDialog(self._header.customer_name, self)
        dialog.accepted.connect(self._on_hand_back_dialog_accepted)
        _replace(self.hand_back_dialog)
        self.hand_back_dialog = dialog
        dialog.open()

    def close_session(self) -> None:
        """Ask for confirmation, then close the session (final)."""
        if self._open_id is None or self._header is None or not self.close_button.isEnabled():
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Close conversation",
            f"Close the conversation with {self._header.customer_name}? "
            "This is final: the customer has to start a new conversation.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.button(QMessageBox.StandardButton.Yes).setText("Close conversation")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(self._on_close_dialog_finished)
        _replace(self.close_dialog)
        self.close_dialog = box
        box.open()

    def send(self) -> None:
        """Send what the composer holds (held first if something arrived meanwhile)."""
        if self._open_id is None or not self.composer.isEnabled():
            return
        text = self.composer.toPlainText().strip()
        if not text:
            return
        if self._seen_up_to is not None and self._staff is not None:
            arrived = self._service.arrived_since(self._open_id, self._seen_up_to, self._staff.name)
            if arrived:
                self._hold(text, arrived)
                return
        self._submit(text, self.thread_model.last_message_id())

    def show_cheat_sheet(self) -> None:
        if self.cheat_sheet is None:
            keys = [(k, what) for _, k, what in SHORTCUTS] + list(EXTRA_KEYS)
            self.cheat_sheet = CheatSheet(keys, self)
        self.cheat_sheet.show()
        self.cheat_sheet.raise_()

    def insert_canned(self) -> None:
        if not self.composer.isEnabled():
            return
        menu = self._canned_menu()
        _replace(self.canned_menu)
        self.canned_menu = menu
        menu.popup(self.composer.mapToGlobal(self.composer.rect().topLeft()))

    # --- slots -----------------------------------------------------------------------
    @Slot(object)
    def _on_bridge_changed(self, changes: ChangeSet) -> None:
        inbox = changes.touches("conversations", "messages", "organizations", "agents")
        if inbox and not self._inbox_timer.isActive():
            self._inbox_timer.start()
        thread = self._open_id is not None and self._concerns_open_thread(changes)
        if thread and not self._thread_timer.isActive():
            self._thread_timer.start()
        if changes.touches("organizations", "agents"):
            self._load_filter_options()
            if self._staff is None:
                self._learn_staff()  # the platform answered again

    @Slot()
    def _on_filters_changed(self) -> None:
        self.refresh(reset=True)

    @Slot()
    def _on_search_edited(self) -> None:
        self._search_timer.start()

    @Slot()
    def _on_inbox_timer_timeout(self) -> None:
        self.refresh()

    @Slot()
    def _on_thread_timer_timeout(self) -> None:
        self._reload_thread()

    @Slot(QItemSelection, QItemSelection)
    def _on_inbox_selection_changed(self, _selected: QItemSelection, _old: QItemSelection) -> None:
        index = self.inbox_view.currentIndex()
        row = self.inbox_model.row_at(index.row()) if index.isValid() else None
        if row is not None and row.id != self._open_id:
            self._show_session(row.id)

    @Slot(QItemSelection, QItemSelection)
    def _on_thread_selection_changed(self, _selected: QItemSelection, _old: QItemSelection) -> None:
        message = self._selected_message()
        failed = message is not None and message.delivery == "failed"
        self.failed_bar.setVisible(failed)
        if failed and message is not None:
            self.failed_label.setText(f"Not sent: {message.error or 'rejected by the platform.'}")
            self.resend_button.setEnabled(self._can_reply())
            self.edit_resend_button.setEnabled(self._can_reply())
        if message is not None and message.delivery == "held":
            self._update_held(prefer=message.id)

    @Slot()
    def _on_resend_clicked(self) -> None:
        message = self._selected_message()
        if message is not None:
            self._guard(lambda: self._service.retry_message(message.id))
            self.failed_bar.hide()

    @Slot()
    def _on_edit_resend_clicked(self) -> None:
        message = self._selected_message()
        if message is not None and self._edit(message, "Resend"):
            self.failed_bar.hide()

    @Slot()
    def _on_discard_failed_clicked(self) -> None:
        message = self._selected_message()
        if message is not None:
            self._confirm_discard(message)

    @Slot()
    def _on_send_anyway_clicked(self) -> None:
        if self._held_text is not None:
            # The courtesy hold: what it showed is seen now.
            text = self._held_text
            self.held_bar.hide()
            self._held_text = None
            self._submit(text, max(self._held_seen, self.thread_model.last_message_id()))
            return
        held = self._held_message_id
        if held is not None:
            # The platform held it: what arrived meanwhile is on screen, so the
            # newest message shown is the new precondition.
            seen = self.thread_model.last_message_id()
            self._guard(lambda: self._service.retry_message(held, seen_up_to=seen))
            self._reload_thread()
            self.thread_view.scrollToBottom()

    @Slot()
    def _on_edit_held_clicked(self) -> None:
        if self._held_text is not None:
            self.held_bar.hide()
            self._held_text = None
            self._seen_up_to = self.thread_model.last_message_id()
            self.composer.setFocus()
            return
        message = self._held_message()
        if message is not None and self._edit(message, "Send"):
            self.held_bar.hide()

    @Slot()
    def _on_discard_held_clicked(self) -> None:
        message = self._held_message()
        if message is not None:
            self._confirm_discard(message)

    @Slot(int)
    def _on_discard_dialog_finished(self, result: int) -> None:
        message_id, self._discarding = self._discarding, None
        if result != QMessageBox.StandardButton.Yes or message_id is None:
            return
        if self._editing == message_id:
            self._editing = None
            self.send_button.setText("Send")
        self._guard(lambda: self._service.discard_message(message_id))
        self.failed_bar.hide()
        self._reload_thread()

    @Slot()
    def _on_composer_typing_started(self) -> None:
        self._seen_up_to = self.thread_model.last_message_id()

    @Slot()
    def _on_hand_back_dialog_accepted(self) -> None:
        if self._open_id is None or self.hand_back_dialog is None:
            return
        reason = self.hand_back_dialog.reason() or None
        self._run_action(self._service.hand_back(self._open_id, reason), self.hand_back_button)

    @Slot(int)
    def _on_close_dialog_finished(self, result: int) -> None:
        if result == QMessageBox.StandardButton.Yes and self._open_id is not None:
            self._run_action(self._service.close(self._open_id), self.close_button)

    @Slot()
    def _on_send_template_clicked(self) -> None:
        if self._open_id is None or self._staff is None:
            return
        index = self.template_combo.currentIndex()
        if index < 0 or index >= len(self._templates):
            return
        template = self._templates[index]
        params = [p.strip() for p in self.template_params_edit.text().split(",") if p.strip()]
        if len(params) != template.param_count:
            self.window_label.setText(
                f"The template “{template.name}” needs {template.param_count} value(s), "
                "separated by commas."
            )
            return
        self._guard(
            lambda: self._service.queue_message(
                self._open_id or "",
                "",
                author_name=self._staff.name if self._staff else "",
                template_name=template.name,
                template_params=params,
                seen_up_to=self.thread_model.last_message_id(),
            )
        )
        self.template_params_edit.clear()

    @Slot(int)
    def _on_template_combo_current_index_changed(self, index: int) -> None:
        count = self._templates[index].param_count if 0 <= index < len(self._templates) else 0
        self.template_params_edit.setEnabled(count > 0)
        self.template_params_edit.setPlaceholderText(
            f"{count} value{'s' if count != 1 else ''}, comma separated" if count else "No values"
        )

    @Slot(str)
    def _on_notifier_activated(self, session_id: str) -> None:
        self.open_session(session_id)
        self.notification_clicked.emit(session_id)

    def _concerns_open_thread(self, changes: ChangeSet) -> bool:
        # Synced messages also touch their conversation (apply_messages), so
        # traffic in other sessions does not re-read a long open thread;
        # local writes (queue, delivery, retry) touch messages only.
        touched = changes.ids("conversations")
        if self._open_id in touched or (changes.touches("conversations") and not touched):
            return True
        return changes.touches("messages") and not changes.touches("conversations")

    def _learn_staff(self) -> None:
        self._tasks.start(
            self,
            self._service.current_staff(),
            key="staff",
            on_success=self._on_staff_learned,
            on_error=self._on_staff_unknown,
        )

    def _on_staff_unknown(self, error: ConsoleError) -> None:
        # Offline on a first start: "you" is learnt when the platform answers.
        logger.info("staff identity not known yet: %s", type(error).__name__)

    def _on_staff_learned(self, staff: StaffRef) -> None:
        self._staff = staff
        self.refresh()
        if self._open_id is not None:
            self._reload_thread()

    def _on_query_done(self, result: _QueryResult, reset: bool) -> None:
        current = self._open_id
        if reset:
            self.inbox_model.set_result(result.ids, result.rows)
        else:
            self.inbox_model.update_result(result.ids, result.rows)
        if current is not None:
            row = (
                self.inbox_model.row_of(current)
                if current in result.ids[: len(result.rows)]
                else -1
            )
            if row >= 0 and self.inbox_view.currentIndex().row() != row:
                selection = self.inbox_view.selectionModel()
                selection.blockSignals(True)
                self.inbox_view.setCurrentIndex(self.inbox_model.index(row))
                selection.blockSignals(False)
                self.inbox_view.viewport().update()
        total = self.inbox_model.total
        self.count_label.setText(f"{total:,} conversation{'s' if total != 1 else ''}")
        self.inbox_stack.setCurrentWidget(self.inbox_view if total else self.inbox_empty)
        if result.counts.handoffs_waiting != self._waiting_count:
            self._waiting_count = result.counts.handoffs_waiting
            self.notifier.set_waiting(self._waiting_count)
            self.handoffs_waiting_changed.emit(self._waiting_count)
        if result.counts.unread != self._unread_count:
            self._unread_count = result.counts.unread
            self.unread_changed.emit(self._unread_count)
        self.attention.update(result.waiting, self._open_id if self.isVisible() else None)

    def _on_taken_over(self) -> None:
        self._reload_thread()
        if self.composer.isEnabled():
            self.composer.setFocus()  # taking over is for replying

    def _on_action_error(self, error: ConsoleError) -> None:
        if isinstance(error, ConversationTaken):
            self.notice_label.setText(error.user_text())
            self.notice_label.show()
        self._messages.show_error(error)
        self._reload_thread()

    # --- helpers -------------------------------------------------------------------
    def _run_action(
        self,
        coro: Coroutine[Any, Any, None],
        button: QWidget,
        then: Callable[[], None] | None = None,
    ) -> None:
        self.notice_label.hide()
        self.last_task = self._tasks.start(
            self,
            coro,
            busy=[button],
            on_error=self._on_action_error,
            on_success=lambda _r: (then or self._reload_thread)(),
        )

    def _guard(self, action: Callable[[], object]) -> None:
        try:
            action()
        except ConsoleError as error:
            self._messages.show_error(error)

    def _submit(self, text: str, seen_up_to: int) -> None:
        """Queue the composer's text (or the edited reply) with what the user has seen."""
        if self._open_id is None:
            return
        editing = self._editing
        author = self._staff.name if self._staff else ""
        try:
            if editing is not None:
                self._service.retry_message(editing, text, seen_up_to=seen_up_to)
            else:
                self._service.queue_message(
                    self._open_id, text, author_name=author, seen_up_to=seen_up_to
                )
        except ConsoleError as error:
            self._messages.show_error(error)  # the text stays in the composer
            return
        self._editing = None
        self._after_sent()

    def _after_sent(self) -> None:
        self.composer.clear()
        self._seen_up_to = None
        self.send_button.setText("Send")
        if self._open_id is not None:
            self._drafts.pop(self._open_id, None)
        self._reload_thread()
        self.thread_view.scrollToBottom()

    def _hold(self, text: str, arrived: list[MessageItem]) -> None:
        self._held_text = text
        self._held_seen = max(m.id for m in arrived)
        lines = "\n".join(f"{m.author_name or m.role}: {m.text[:160]}" for m in arrived[-3:])
        count = len(arrived)
        self.held_label.setText(
            f"Held: {count} new message{'s' if count != 1 else ''} arrived while you were typing.\n"
            f"{lines}"
        )
        self.send_anyway_button.setEnabled(True)
        self.edit_held_button.setEnabled(True)
        self.discard_held_button.hide()
        self.held_bar.show()
        self.thread_view.scrollToBottom()

    def _update_held(self, prefer: int | None = None) -> None:
        """Show the held bar for a reply the platform held (the selected one first)."""
        if self._open_id is None or self._held_text is not None:
            return  # the courtesy hold has the bar until the user answers it
        held = [
            h for h in held_replies(self._store, self._open_id) if h.message.id != self._editing
        ]
        wanted = (prefer, self._held_message_id)
        shown = next(
            (h for key in wanted for h in held if key is not None and h.message.id == key),
            held[0] if held else None,
        )
        if shown is None:
            self._held_message_id = None
            self.held_bar.hide()
            return
        self._held_message_id = shown.message.id
        can_reply = self._can_reply()
        self.held_label.setText(_held_text(shown, can_reply))
        self.send_anyway_button.setEnabled(can_reply)
        self.edit_held_button.setEnabled(can_reply)
        self.discard_held_button.show()
        self.held_bar.show()

    def _held_message(self) -> MessageItem | None:
        held = self._held_message_id
        return next((m for m in self.thread_model.messages() if m.id == held), None)

    def _edit(self, message: MessageItem, button: str) -> bool:
        """Put a failed or held reply into the composer to edit and send it."""
        typed = self.composer.toPlainText().strip()
        if typed and typed != message.text:
            self._messages.show_error(
                UserInputError("Send or clear what you are typing before editing another reply.")
            )
            return False
        self._editing = message.id
        self.composer.setPlainText(message.text)
        self.composer.moveCursor(QTextCursor.MoveOperation.End)
        self.composer.setFocus()
        self.send_button.setText(button)
        return True

    def _confirm_discard(self, message: MessageItem) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Discard reply",
            f"Discard your reply “{_snippet(message.text)}”? It was never sent, "
            "and it cannot be brought back.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.button(QMessageBox.StandardButton.Yes).setText("Discard reply")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(self._on_discard_dialog_finished)
        self._discarding = message.id
        _replace(self.discard_dialog)
        self.discard_dialog = box
        box.open()

    def _show_session(self, session_id: str) -> None:
        if self._open_id is not None and self._open_id != session_id:
            self._drafts[self._open_id] = self.composer.toPlainText()
        self._open_id = session_id
        self._seen_up_to = None
        self._editing = None
        self._held_text = None
        self._held_message_id = None
        self.send_button.setText("Send")
        self.held_bar.hide()
        self.failed_bar.hide()
        self.notice_label.hide()
        self.thread_model.set_session(session_id, thread_messages(self._store, session_id))
        draft = self._drafts.get(session_id, "")
        self.composer.blockSignals(True)
        self.composer.setPlainText(draft)
        self.composer.blockSignals(False)
        self._templates = ()
        self._update_header()
        self.thread_stack.setCurrentWidget(self.thread_panel)
        self.thread_view.scrollToBottom()
        # A kept draft was started before what the thread shows now.
        self._seen_up_to = self.thread_model.last_message_id() if draft else None
        self._update_held()
        self.attention.opened(session_id)
        self._guard(lambda: self._service.mark_read(session_id))

    def _reload_thread(self) -> None:
        if self._open_id is None:
            return
        at_bottom = self._at_bottom()
        model = self.thread_model
        unsettled = model.unsettled_ids()
        fresh = thread_messages_after(
            self._store, self._open_id, model.last_message_id(), unsettled
        )
        if unsettled <= {m.id for m in fresh}:
            model.update_messages(model.merged(fresh))
        else:
            # One of ours vanished (its echo from the platform replaced it).
            model.update_messages(thread_messages(self._store, self._open_id))
        self._update_header()
        self._update_held()
        if at_bottom:
            self.thread_view.scrollToBottom()
        if self.isVisible() and self._header is not None and self._header.label == "you":
            # Looking at it is reading it.
            self._guard(lambda: self._service.mark_read(self._open_id or ""))

    def _at_bottom(self) -> bool:
        bar = self.thread_view.verticalScrollBar()
        return bar.value() >= bar.maximum() - 8

    def _update_header(self) -> None:
        if self._open_id is None:
            return
        me = self._staff.id if self._staff else None
        header = thread_header(self._store, self._open_id, me)
        self._header = header
        if header is None:
            return
        self.header_name.setText(header.customer_name)
        channel = CHANNEL_NAMES.get(header.channel, header.channel)
        handle = f" ({header.customer_handle})" if header.customer_handle else ""
        self.header_meta.setText(
            f"{header.org_name or 'Agency'}  ·  {channel}{handle}  ·  Agent: "
            f"{header.agent_name or '-'}  ·  {header.credits_spent:g} "
            f"credit{'' if header.credits_spent == 1 else 's'} spent"
        )
        self.label_pill.setText(label_text(header.label, header.handled_by))
        closed = header.status == "closed"
        mine = header.label == "you"
        self.take_over_button.setEnabled(header.label in ("ai", "waiting"))
        self.hand_back_button.setEnabled(mine)
        self.close_button.setEnabled(not closed and header.label != "colleague")
        self.take_over_button.setVisible(not mine and not closed)
        self.hand_back_button.setVisible(mine)
        window = mine and header.window_closed
        self.composer.setEnabled(mine and not window)
        self.send_button.setEnabled(mine and not window)
        self.canned_button.setEnabled(mine and not window)
        self.template_bar.setVisible(window)
        if window:
            when = (
                header.window_expires_at.astimezone().strftime("%d %b %H:%M")
                if header.window_expires_at
                else "-"
            )
            self.window_label.setText(
                f"The WhatsApp 24-hour window closed ({when}). Free text would not be "
                "delivered; send an approved template instead."
            )
            if not self._templates:
                session_id = self._open_id
                self._tasks.start(
                    self,
                    self._service.templates(session_id),
                    key="templates",
                    on_success=self._on_templates_loaded,
                )
        if closed:
            self.composer.setPlaceholderText("This conversation is closed.")
        elif header.label == "colleague":
            self.composer.setPlaceholderText(f"{header.handled_by} is handling this conversation.")
        elif window:
            self.composer.setPlaceholderText(
                "Free text cannot reach the customer now: send an approved template above."
            )
        elif not mine:
            self.composer.setPlaceholderText(
                "Take over (Ctrl+Shift+T) to reply; the AI agent is answering."
            )
        else:
            self.composer.setPlaceholderText(
                "Reply…  Enter sends, Shift+Enter new line, Ctrl+. canned responses"
            )

    def _on_templates_loaded(self, templates: tuple[Template, ...]) -> None:
        self._templates = templates
        self.template_combo.clear()
        for template in templates:
            self.template_combo.addItem(f"{template.name} - {template.body[:60]}")
            self.template_combo.setItemData(
                self.template_combo.count() - 1, template.body, Qt.ItemDataRole.ToolTipRole
            )
        self._on_template_combo_current_index_changed(self.template_combo.currentIndex())
        self.send_template_button.setEnabled(bool(templates))

    def _can_reply(self) -> bool:
        return self._header is not None and self._header.label == "you"

    def _selected_message(self) -> MessageItem | None:
        index = self.thread_view.currentIndex()
        return self.thread_model.message_at(index.row()) if index.isValid() else None

    def _canned_menu(self) -> QMenu:
        menu = QMenu(self)
        org = self._header.org_id if self._header else ""
        parent_org = self._agency_id() or org
        for number, canned in enumerate(self._service.canned_responses(parent_org), start=1):
            action = menu.addAction(f"&{number}  {canned.title}")
            action.setToolTip(canned.text)
            action.setData(canned.text)
        menu.triggered.connect(self._on_canned_triggered)
        return menu

    @Slot(QAction)
    def _on_canned_triggered(self, action: QAction) -> None:
        text = action.data()
        if isinstance(text, str):
            self.composer.insertPlainText(text)
            self.composer.setFocus()

    def _agency_id(self) -> str | None:
        items = [self.client_combo.itemData(i) for i in range(1, self.client_combo.count())]
        return str(items[0]) if items else None

    def _load_filter_options(self) -> None:
        clients, agents = filter_options(self._store)
        for combo, items, everyone in (
            (self.client_combo, clients, "All clients"),
            (self.agent_combo, agents, "All agents"),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everyone, "")
            for item_id, name in items:
                combo.addItem(name, item_id)
            found = combo.findData(current)
            combo.setCurrentIndex(max(0, found))
            combo.blockSignals(False)

    def _setup_ui(self) -> None:
        dark = False
        # --- inbox column ---
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search messages and customers  (Ctrl+F)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.addAction(
            resources.icon("search", dark), QLineEdit.ActionPosition.LeadingPosition
        )
        self.status_combo = _combo(
            ("All statuses", ""),
            ("Active", "active"),
            ("Handed off", "handed_off"),
            ("Closed", "closed"),
        )
        self.channel_combo = _combo(
            ("All channels", ""), *((v, k) for k, v in CHANNEL_NAMES.items())
        )
        self.client_combo = QComboBox()
        self.agent_combo = QComboBox()
        self.date_combo = _combo(*DATE_CHOICES)
        self.unread_check = QCheckBox("Unread")
        self.needs_human_check = QCheckBox("Needs a human")
        self.count_label = QLabel("")
        self.count_label.setObjectName("EmptyText")
        self.inbox_model = InboxListModel(self._load_rows, self)
        # A one-column table, not a QListView: with fixed row heights its
        # layout is O(1), while QListView lays out every loaded row again on
        # each fetchMore (measured: 30 ms frames at 3,000 rows).
        self.inbox_view = QTableView()
        self.inbox_view.setObjectName("InboxList")
        self.inbox_view.setModel(self.inbox_model)
        self.inbox_view.setItemDelegate(InboxDelegate(self.inbox_view))
        self.inbox_view.horizontalHeader().hide()
        self.inbox_view.horizontalHeader().setStretchLastSection(True)
        rows = self.inbox_view.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(InboxDelegate.ROW_HEIGHT)
        self.inbox_view.setShowGrid(False)
        self.inbox_view.setWordWrap(False)
        self.inbox_view.setCornerButtonEnabled(False)
        self.inbox_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.inbox_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.inbox_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.inbox_view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.inbox_view.setMouseTracking(True)
        self.inbox_view.setFrameShape(QFrame.Shape.NoFrame)
        self.inbox_empty = EmptyState("No conversations", "Nothing matches these filters.")
        self.inbox_stack = QStackedWidget()
        self.inbox_stack.addWidget(self.inbox_view)
        self.inbox_stack.addWidget(self.inbox_empty)

        inbox = QWidget()
        inbox_layout = QVBoxLayout(inbox)
        inbox_layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("Inbox")
        title.setObjectName("PageTitle")
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.count_label)
        inbox_layout.addLayout(top)
        inbox_layout.addWidget(self.search_edit)
        row1 = QHBoxLayout()
        for widget in (self.status_combo, self.channel_combo, self.date_combo):
            row1.addWidget(widget, 1)
        row2 = QHBoxLayout()
        row2.addWidget(self.client_combo, 1)
        row2.addWidget(self.agent_combo, 1)
        row3 = QHBoxLayout()
        row3.addWidget(self.unread_check)
        row3.addWidget(self.needs_human_check)
        row3.addStretch(1)
        for layout in (row1, row2, row3):
            inbox_layout.addLayout(layout)
        inbox_layout.addWidget(self.inbox_stack, 1)

        # --- thread column ---
        self.header_name = QLabel("")
        self.header_name.setObjectName("PageTitle")
        self.label_pill = QLabel("")
        self.label_pill.setObjectName("StatusPill")
        self.header_meta = QLabel("")
        self.header_meta.setObjectName("EmptyText")
        self.take_over_button = QPushButton("Take over")
        self.take_over_button.setToolTip("Mute the AI agent and reply yourself (Ctrl+Shift+T)")
        self.take_over_button.setDefault(True)
        self.hand_back_button = QPushButton("Hand back")
        self.hand_back_button.setToolTip("Let the AI agent answer again (Ctrl+Shift+H)")
        self.close_button = QPushButton("Close")
        self.close_button.setToolTip("Close the conversation (Ctrl+Shift+X)")
        self.notice_label = QLabel("")
        self.notice_label.setObjectName("ResultError")
        self.notice_label.setWordWrap(True)
        self.notice_label.hide()

        self.thread_model = ThreadListModel(self)
        self.thread_view = QListView()
        self.thread_view.setObjectName("ThreadList")
        self.thread_view.setModel(self.thread_model)
        self.thread_view.setItemDelegate(MessageDelegate(self.thread_view))
        self.thread_view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.thread_view.setResizeMode(QListView.ResizeMode.Adjust)
        self.thread_view.setWordWrap(True)
        self.thread_view.setFrameShape(QFrame.Shape.NoFrame)
        self.thread_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)

        self.held_label = QLabel("")
        self.held_label.setWordWrap(True)
        self.send_anyway_button = QPushButton("Send anyway")
        self.edit_held_button = QPushButton("Edit")
        self.discard_held_button = QPushButton("Discard…")
        self.held_bar = _bar(
            self.held_label,
            self.send_anyway_button,
            self.edit_held_button,
            self.discard_held_button,
        )
        self.failed_label = QLabel("")
        self.failed_label.setWordWrap(True)
        self.resend_button = QPushButton("Resend")
        self.edit_resend_button = QPushButton("Edit and resend")
        self.discard_failed_button = QPushButton("Discard…")
        self.failed_bar = _bar(
            self.failed_label,
            self.resend_button,
            self.edit_resend_button,
            self.discard_failed_button,
        )
        self.window_label = QLabel("")
        self.window_label.setWordWrap(True)
        self.template_combo = QComboBox()
        self.template_params_edit = QLineEdit()
        self.template_params_edit.setPlaceholderText("Template values, comma separated")
        self.send_template_button = QPushButton("Send template")
        self.send_template_button.setEnabled(False)
        self.template_bar = QFrame()
        self.template_bar.setObjectName("ErrorBanner")
        tlayout = QVBoxLayout(self.template_bar)
        tlayout.addWidget(self.window_label)
        trow = QHBoxLayout()
        trow.addWidget(self.template_combo, 2)
        trow.addWidget(self.template_params_edit, 1)
        trow.addWidget(self.send_template_button)
        tlayout.addLayout(trow)
        self.template_bar.hide()

        self.composer = Composer()
        self.composer.setObjectName("Composer")
        self.composer.setFixedHeight(84)
        self.send_button = QPushButton("Send")
        self.canned_button = QToolButton()
        self.canned_button.setText("Canned")
        self.canned_button.setToolTip("Insert a canned response (Ctrl+.)")

        header = QWidget()
        hl = QVBoxLayout(header)
        hl.setContentsMargins(0, 0, 0, 0)
        line = QHBoxLayout()
        line.addWidget(self.header_name)
        line.addWidget(self.label_pill)
        line.addStretch(1)
        line.addWidget(self.take_over_button)
        line.addWidget(self.hand_back_button)
        line.addWidget(self.close_button)
        hl.addLayout(line)
        hl.addWidget(self.header_meta)
        hl.addWidget(self.notice_label)

        compose_row = QHBoxLayout()
        compose_row.addWidget(self.composer, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.canned_button)
        buttons.addStretch(1)
        compose_row.addLayout(buttons)

        self.thread_panel = QWidget()
        tl = QVBoxLayout(self.thread_panel)
        tl.setContentsMargins(12, 0, 0, 0)
        tl.addWidget(header)
        tl.addWidget(self.thread_view, 1)
        tl.addWidget(self.held_bar)
        tl.addWidget(self.failed_bar)
        tl.addWidget(self.template_bar)
        tl.addLayout(compose_row)
        self.thread_empty = EmptyState(
            "Pick a conversation",
            "Choose a conversation on the left. Alt+Down and Alt+Up move through the inbox; "
            "F1 lists every shortcut.",
            resources.icon("conversations", dark),
        )
        self.thread_stack = QStackedWidget()
        self.thread_stack.addWidget(self.thread_empty)
        self.thread_stack.addWidget(self.thread_panel)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(inbox)
        splitter.addWidget(self.thread_stack)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([380, 720])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 12)
        layout.addWidget(splitter)

        self._inbox_timer = _timer(self, INBOX_THROTTLE_MS)
        self._thread_timer = _timer(self, THREAD_THROTTLE_MS)
        self._search_timer = _timer(self, SEARCH_DEBOUNCE_MS)
        self.shortcuts: dict[str, QShortcut] = {}
        for name, keys, _what in SHORTCUTS:
            if name == "search":
                continue
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.shortcuts[name] = shortcut
        self.shortcuts["help_alt"] = QShortcut(QKeySequence("Ctrl+/"), self)
        self.shortcuts["help_alt"].setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.shortcuts["search"] = QShortcut(QKeySequence("Ctrl+F"), self)
        self.shortcuts["search"].setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _connect_signals(self) -> None:
        self._bridge.changed.connect(self._on_bridge_changed)
        for combo in (
            self.status_combo,
            self.channel_combo,
            self.client_combo,
            self.agent_combo,
            self.date_combo,
        ):
            combo.currentIndexChanged.connect(self._on_filters_changed)
        self.unread_check.toggled.connect(self._on_filters_changed)
        self.needs_human_check.toggled.connect(self._on_filters_changed)
        self.search_edit.textEdited.connect(self._on_search_edited)
        self.search_edit.returnPressed.connect(self._on_filters_changed)
        self._search_timer.timeout.connect(self._on_filters_changed)
        self._inbox_timer.timeout.connect(self._on_inbox_timer_timeout)
        self._thread_timer.timeout.connect(self._on_thread_timer_timeout)
        self.inbox_view.selectionModel().selectionChanged.connect(self._on_inbox_selection_changed)
        self.thread_view.selectionModel().selectionChanged.connect(
            self._on_thread_selection_changed
        )
        self.take_over_button.clicked.connect(self.take_over)
        self.hand_back_button.clicked.connect(self.hand_back)
        self.close_button.clicked.connect(self.close_session)
        self.send_button.clicked.connect(self.send)
        self.canned_button.clicked.connect(self.insert_canned)
        self.composer.submitted.connect(self.send)
        self.composer.typing_started.connect(self._on_composer_typing_started)
        self.send_anyway_button.clicked.connect(self._on_send_anyway_clicked)
        self.edit_held_button.clicked.connect(self._on_edit_held_clicked)
        self.discard_held_button.clicked.connect(self._on_discard_held_clicked)
        self.resend_button.clicked.connect(self._on_resend_clicked)
        self.edit_resend_button.clicked.connect(self._on_edit_resend_clicked)
        self.discard_failed_button.clicked.connect(self._on_discard_failed_clicked)
        self.send_template_button.clicked.connect(self._on_send_template_clicked)
        self.template_combo.currentIndexChanged.connect(
            self._on_template_combo_current_index_changed
        )
        self.notifier.activated.connect(self._on_notifier_activated)
        actions = {
            "next": lambda: self.select_next(1),
            "previous": lambda: self.select_next(-1),
            "take_over": self.take_over,
            "hand_back": self.hand_back,
            "close": self.close_session,
            "compose": self.composer.setFocus,
            "canned": self.insert_canned,
            "help": self.show_cheat_sheet,
            "help_alt": self.show_cheat_sheet,
            "search": self.focus_search,
        }
        for name, shortcut in self.shortcuts.items():
            shortcut.activated.connect(actions[name])

    def _load_rows(self, ids: list[str]) -> list[InboxRow]:
        return inbox_rows(self._store, ids, self._staff.id if self._staff else None)


def _query_blocking(
    store: StoreHandle, flt: InboxFilter, keep: int, me_id: str | None
) -> _QueryResult:
    ids = inbox_ids(store, flt)
    rows = inbox_rows(store, ids[:keep], me_id)
    return _QueryResult(ids, rows, inbox_counts(store, me_id), waiting_sessions(store, me_id))


def _snippet(text: str, length: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"


def _held_text(held: HeldReply, can_reply: bool) -> str:
    """The held bar: why the reply waits, what arrived meanwhile, what the user can do."""
    lines = [f"Your reply “{_snippet(held.message.text)}” is held. {held.headline()}"]
    lines += [f"{m.author_name or m.role}: {_snippet(m.text, 160)}" for m in held.newer[-3:]]
    if len(held.newer) > 3:
        lines.insert(1, f"… {len(held.newer) - 3} earlier")
    if can_reply:
        lines.append("Send it anyway, edit it, or discard it.")
    elif held.reason == "taken" and held.handler:
        lines.append(f"Ask {held.handler} to hand it back to send it, or discard it.")
    else:
        lines.append("Take the conversation over to send it, or discard it.")
    return "\n".join(lines)


def _replace(previous: QWidget | None) -> None:
    """A dialog or menu made afresh for each use: drop the last one (kept until now
    so tests and slots can still reach it)."""
    if previous is not None:
        previous.deleteLater()


def _combo(*items: tuple[str, object]) -> QComboBox:
    combo = QComboBox()
    for text, data in items:
        combo.addItem(text, data)
    return combo


def _bar(label: QLabel, *buttons: QPushButton) -> QFrame:
    frame = QFrame()
    frame.setObjectName("ErrorBanner")
    layout = QHBoxLayout(frame)
    layout.addWidget(label, 1)
    for button in buttons:
        layout.addWidget(button)
    frame.hide()
    return frame


def _timer(parent: QWidget, ms: int) -> QTimer:
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(ms)
    return timer
