"""Steps 1-7 of the publish wizard: each page edits part of the draft `PublishConfig`.

A page `load()`s the draft, `collect()`s its fields into a config, emits
`changed` while the user types or clicks, and shows the problems of its own
fields inline (`show_problems`); a page with an error is not complete, so
Next stays disabled until it is fixed. The wizard only orchestrates.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from enum import StrEnum

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from console.services.deploy.env import user_env
from console.services.projects.models import EnvVar as CodeEnvVar
from console.services.publish import CustomEnvVar, Draft, Plan, custom_env_problems
from console.services.scaffold import (
    Architecture,
    AuthProvider,
    Backend,
    Category,
    ConfigProblem,
    Payments,
    PublishConfig,
    env_vars,
)
from console.views.publish.models import (
    CodeEnvColumn,
    CodeEnvModel,
    CustomEnvModel,
    EnvColumn,
    ScaffoldEnvModel,
)

logger = logging.getLogger(__name__)


#: Rows of the code's variables shown in step 7 before that table scrolls.
CODE_ROWS_SHOWN = 5


def problem_text(problems: Sequence[ConfigProblem]) -> str:
    return "\n".join(("⚠ " if p.severity == "warning" else "") + p.message for p in problems)


class ConfigPage(QWizardPage):
    """A wizard step over some `PublishConfig` fields.

    Signals:
        changed(): the user edited something on this page.
    """

    changed = Signal()
    #: The `ConfigProblem.field`s this page owns and shows.
    fields: frozenset[str] = frozenset()

    def __init__(self, title: str, subtitle: str) -> None:
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self._has_errors = False
        self.problem_label = QLabel()
        self.problem_label.setObjectName("ResultError")
        self.problem_label.setWordWrap(True)

    def load(self, draft: Draft) -> None:
        raise NotImplementedError

    def collect(self, config: PublishConfig) -> PublishConfig:
        raise NotImplementedError

    def show_problems(self, problems: Sequence[ConfigProblem]) -> None:
        """Show this page's problems; errors make the page incomplete."""
        mine = [p for p in problems if p.field in self.fields]
        self.problem_label.setText(problem_text(mine))
        self._set_errors(any(p.severity == "error" for p in mine))

    def isComplete(self) -> bool:
        """Override QWizardPage.isComplete: no error on this page."""
        return not self._has_errors

    def _set_errors(self, has_errors: bool) -> None:
        if has_errors != self._has_errors:
            self._has_errors = has_errors
            self.completeChanged.emit()

    @Slot()
    def _on_edited(self) -> None:
        self.changed.emit()


class AppInfoPage(ConfigPage):
    """Step 1: name, repository name, description, visibility."""

    fields = frozenset({"app_name", "repo_name", "description"})

    def __init__(self) -> None:
        super().__init__("App info", "What the app is called and where on GitHub it goes.")
        self._setup_ui()
        self._connect_signals()

    def load(self, draft: Draft) -> None:
        config = draft.config
        for widget in (self.name_edit, self.repo_edit, self.description_edit):
            widget.blockSignals(True)
        self.name_edit.setText(config.app_name)
        self.repo_edit.setText(config.repo_name)
        self.description_edit.setText(config.description)
        self.private_radio.setChecked(config.private)
        self.public_radio.setChecked(not config.private)
        for widget in (self.name_edit, self.repo_edit, self.description_edit):
            widget.blockSignals(False)
        if draft.repo_url:
            self.repo_note.setText(f"Published before to {draft.repo_url}: pushes go there.")
        self.show_plan(draft.plan)

    def show_plan(self, plan: Plan) -> None:
        """The organization's plan (not a choice here): the publish rechecks it online."""
        self.plan_label.setText(plan.describe())

    def collect(self, config: PublishConfig) -> PublishConfig:
        return config.with_changes(
            app_name=self.name_edit.text(),
            repo_name=self.repo_edit.text().strip(),
            description=self.description_edit.text(),
            private=self.private_radio.isChecked(),
        )

    def show_problems(self, problems: Sequence[ConfigProblem]) -> None:
        """Each field's message goes right under it."""
        labels = {
            "app_name": self.name_error,
            "repo_name": self.repo_error,
            "description": self.description_error,
        }
        for field, label in labels.items():
            label.setText(problem_text([p for p in problems if p.field == field]))
        self._set_errors(any(p.severity == "error" and p.field in self.fields for p in problems))

    def _setup_ui(self) -> None:
        layout = QGridLayout(self)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Flower Shop")
        self.repo_edit = QLineEdit()
        self.repo_edit.setPlaceholderText("flower-shop")
        self.description_edit = QLineEdit()
        self.description_edit.setPlaceholderText("One line shown on GitHub")
        self.name_error, self.repo_error, self.description_error = (QLabel(), QLabel(), QLabel())
        self.repo_note = QLabel()
        self.repo_note.setWordWrap(True)
        self.plan_label = QLabel()
        self.plan_label.setWordWrap(True)
        self.plan_label.setToolTip(
            "Your organization's plan decides the “Powered by l4yercak3” badge; "
            "the publish checks it with the platform."
        )
        self.private_radio = QRadioButton("Private repository")
        self.public_radio = QRadioButton("Public repository")
        self._visibility = QButtonGroup(self)
        self._visibility.addButton(self.private_radio)
        self._visibility.addButton(self.public_radio)
        rows: list[tuple[str, QWidget, QLabel | None]] = [
            ("App name", self.name_edit, self.name_error),
            ("Repository name", self.repo_edit, self.repo_error),
            ("", self.repo_note, None),
            ("Description", self.description_edit, self.description_error),
        ]
        row = 0
        for text, widget, error in rows:
            layout.addWidget(QLabel(text), row, 0)
            layout.addWidget(widget, row, 1)
            row += 1
            if error is not None:
                error.setObjectName("ResultError")
                error.setWordWrap(True)
                layout.addWidget(error, row, 1)
                row += 1
        visibility = QHBoxLayout()
        visibility.addWidget(self.private_radio)
        visibility.addWidget(self.public_radio)
        visibility.addStretch(1)
        layout.addWidget(QLabel("Visibility"), row, 0)
        layout.addLayout(visibility, row, 1)
        layout.addWidget(QLabel("Plan"), row + 1, 0)
        layout.addWidget(self.plan_label, row + 1, 1)
        layout.setRowStretch(row + 2, 1)

    def _connect_signals(self) -> None:
        for edit in (self.name_edit, self.repo_edit, self.description_edit):
            edit.textEdited.connect(self._on_edited)
        self.private_radio.toggled.connect(self._on_edited)


CATEGORY_TEXT: dict[Category, str] = {
    Category.PRODUCTS: "Products: catalogue, cart and checkout pages",
    Category.EVENTS: "Events: event list and detail pages",
    Category.CRM: "Contacts (CRM): staff pages over the contacts",
    Category.FORMS: "Forms: forms that submit to l4yercak3",
    Category.INVOICES: "Invoices: invoice list and detail",
    Category.TICKETS: "Tickets: support tickets",
    Category.BOOKINGS: "Bookings: availability and booking",
    Category.WORKFLOWS: "Workflows: trigger workflows",
    Category.CHECKOUT: "Checkout: hosted l4yercak3 checkout",
    Category.CONVERSATIONS: "Conversations: web chat with the AI agent",
}


class CapabilitiesPage(ConfigPage):
    """Step 2: the API categories, prefilled from what the import detected."""

    fields = frozenset({"categories"})

    def __init__(self) -> None:
        super().__init__(
            "Capabilities",
            "Which l4yercak3 APIs the app uses. Detected in the imported files: marked.",
        )
        layout = QVBoxLayout(self)
        self.boxes: dict[Category, QCheckBox] = {}
        for category in Category:
            box = QCheckBox(CATEGORY_TEXT[category])
            box.toggled.connect(self._on_edited)
            self.boxes[category] = box
            layout.addWidget(box)
        layout.addWidget(self.problem_label)
        layout.addStretch(1)

    def load(self, draft: Draft) -> None:
        for category, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(category in draft.config.categories)
            suffix = "  (detected)" if category in draft.detected else ""
            box.setText(CATEGORY_TEXT[category] + suffix)
            box.blockSignals(False)

    def collect(self, config: PublishConfig) -> PublishConfig:
        return config.with_changes(
            categories=tuple(c for c, box in self.boxes.items() if box.isChecked())
        )


class ChoicePage(ConfigPage):
    """A step that picks one value of an enum field (architecture, backend, auth, payments)."""

    def __init__(
        self,
        title: str,
        subtitle: str,
        field: str,
        options: Sequence[tuple[StrEnum, str]],
    ) -> None:
        super().__init__(title, subtitle)
        self.fields = frozenset({field})
        self._field = field
        self._group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        layout = QVBoxLayout(self)
        for value, text in options:
            button = QRadioButton(text)
            self.buttons[value.value] = button
            self._group.addButton(button)
            layout.addWidget(button)
        layout.addWidget(self.problem_label)
        layout.addStretch(1)
        self._group.buttonToggled.connect(self._on_group_toggled)

    def load(self, draft: Draft) -> None:
        value = getattr(draft.config, self._field)
        self._group.blockSignals(True)
        self.buttons[value.value].setChecked(True)
        self._group.blockSignals(False)

    def collect(self, config: PublishConfig) -> PublishConfig:
        chosen = next((v for v, b in self.buttons.items() if b.isChecked()), None)
        return config.with_changes(**{self._field: chosen}) if chosen else config

    @Slot(QRadioButton, bool)
    def _on_group_toggled(self, _button: QRadioButton, checked: bool) -> None:
        if checked:
            self.changed.emit()


def architecture_page() -> ChoicePage:
    return ChoicePage(
        "Architecture",
        "Where the app's data lives.",
        "architecture",
        [
            (Architecture.THIN_CLIENT, "Thin client: all data stays in l4yercak3"),
            (Architecture.FULL_STACK, "Full stack: an own database, synced from l4yercak3"),
            (Architecture.HYBRID, "Hybrid: own database, l4yercak3 sign-in and CRM"),
        ],
    )


def backend_page() -> ChoicePage:
    return ChoicePage(
        "Backend",
        "The app's own database (full stack and hybrid only).",
        "backend",
        [
            (Backend.CONVEX, "Convex"),
            (Backend.SUPABASE, "Supabase"),
            (Backend.NEON_DRIZZLE, "Neon + Drizzle"),
            (Backend.NONE, "None"),
        ],
    )


def auth_page() -> ChoicePage:
    return ChoicePage(
        "Sign-in",
        "How the app's users sign in.",
        "auth",
        [
            (AuthProvider.NONE, "No sign-in"),
            (AuthProvider.L4YERCAK3_OAUTH, "l4yercak3 OAuth"),
            (AuthProvider.NEXTAUTH, "NextAuth"),
            (AuthProvider.CLERK, "Clerk"),
            (AuthProvider.SUPABASE_AUTH, "Supabase Auth"),
        ],
    )


def payments_page() -> ChoicePage:
    return ChoicePage(
        "Payments",
        "How the app takes money.",
        "payments",
        [
            (Payments.STRIPE, "Stripe checkout"),
            (Payments.INVOICING, "l4yercak3 invoicing"),
            (Payments.BOTH, "Both"),
            (Payments.NONE, "None"),
        ],
    )


class EnvironmentPage(ConfigPage):
    """Step 7: every variable the scaffold reads, the publisher's own, and the code's.

    Values are never entered here: the console sets its own at deploy time,
    and the deploy asks for the others (the ones listed here, plus those the
    project's code reads, shown read-only so nothing there is a surprise).

    Signals:
        changed(): a variable was added, edited or removed.
    """

    def __init__(self) -> None:
        super().__init__(
            "Environment variables",
            "What the app reads at run time. Values are set when it is deployed; "
            "secrets never go into the repository.",
        )
        self._config: PublishConfig | None = None
        self._code_env: tuple[CodeEnvVar, ...] | None = None  # None: not read (yet)
        self.scaffold_model = ScaffoldEnvModel()
        self.custom_model = CustomEnvModel()
        self.code_model = CodeEnvModel()
        self._setup_ui()
        self._connect_signals()

    def load(self, draft: Draft) -> None:
        self.custom_model.set_rows(draft.extra_env)

    def collect(self, config: PublishConfig) -> PublishConfig:
        return config

    def extra_env(self) -> tuple[CustomEnvVar, ...]:
        return self.custom_model.rows()

    def show_problems(self, problems: Sequence[ConfigProblem]) -> None:
        """Problems here are those of the added variables (see `set_config`)."""

    def set_config(self, config: PublishConfig) -> None:
        """Follow the other steps' choices: the scaffold's list, and name clashes with it."""
        if config != self._config:
            self._config = config
            self.scaffold_model.set_rows(env_vars(config))
        self._show_code_env()
        messages = custom_env_problems(config, self.custom_model.rows())
        self.problem_label.setText("\n".join(messages))
        self._set_errors(bool(messages))

    def set_code_env(self, env: Sequence[CodeEnvVar]) -> None:
        """The variables the project's own code reads (its compatibility report)."""
        self._code_env = tuple(env)
        self._show_code_env()

    def show_code_env_error(self, text: str) -> None:
        """The project's code could not be read for variables."""
        self.code_label.setText(f"The variables the project's code reads are unknown: {text}")
        self.code_view.setVisible(False)

    def _show_code_env(self) -> None:
        if self._config is None or self._code_env is None:
            return
        # Those already listed above (scaffold, added) or set by the console are left out.
        rows = [
            v
            for v in user_env(self._config, self.custom_model.rows(), self._code_env)
            if v.source == "code"
        ]
        self.code_model.set_rows(rows)
        self.code_view.setVisible(bool(rows))
        _fit_rows(self.code_view, CODE_ROWS_SHOWN)
        self.code_label.setText(
            "Read by the project's own code: the deploy asks for these too"
            if rows
            else "The project's own code reads no other variables."
        )

    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Needed by the generated app"))
        self.scaffold_view = _table(self.scaffold_model)
        layout.addWidget(self.scaffold_view, 3)
        layout.addWidget(QLabel("Your own variables"))
        self.custom_view = _table(self.custom_model)
        self.custom_view.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.custom_view.setItemDelegate(LiveEditDelegate(self.custom_view))
        layout.addWidget(self.custom_view, 2)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add variable")
        self.remove_button = QPushButton("Remove")
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.problem_label)
        self.code_label = QLabel()
        self.code_label.setWordWrap(True)
        layout.addWidget(self.code_label)
        self.code_view = _table(self.code_model, CodeEnvColumn.FILES)
        self.code_view.setVisible(False)
        layout.addWidget(self.code_view)

    def _connect_signals(self) -> None:
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.custom_model.dataChanged.connect(self._on_edited)
        self.custom_model.rowsInserted.connect(self._on_edited)
        self.custom_model.rowsRemoved.connect(self._on_edited)

    @Slot()
    def _on_add_clicked(self) -> None:
        row = self.custom_model.add_row()
        index = self.custom_model.index(row, EnvColumn.NAME)
        self.custom_view.setCurrentIndex(index)  # opens the editor (any edit trigger)
        if self.custom_view.state() is not QAbstractItemView.State.EditingState:
            self.custom_view.edit(index)

    @Slot()
    def _on_remove_clicked(self) -> None:
        self.custom_model.remove_row(self.custom_view.currentIndex().row())


class LiveEditDelegate(QStyledItemDelegate):
    """Commits every keystroke, so a variable's name is checked as it is typed."""

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        """Override QStyledItemDelegate.createEditor."""
        editor = super().createEditor(parent, option, index)
        if isinstance(editor, QLineEdit):
            editor.textEdited.connect(self._on_editor_text_edited)
        return editor

    @Slot(str)
    def _on_editor_text_edited(self, _text: str) -> None:
        editor = self.sender()
        if isinstance(editor, QLineEdit):
            self.commitData.emit(editor)


def _fit_rows(view: QTableView, most: int) -> None:
    """As tall as its rows (at most `most`, then it scrolls): a short list takes no more."""
    rows = min(view.model().rowCount(), most)
    height = sum(view.rowHeight(r) for r in range(rows))
    view.setFixedHeight(
        height + view.horizontalHeader().sizeHint().height() + 2 * view.frameWidth()
    )


def _table(
    model: ScaffoldEnvModel | CustomEnvModel | CodeEnvModel,
    stretch: int = EnvColumn.DESCRIPTION,
) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.verticalHeader().hide()
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view
