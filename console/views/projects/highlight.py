"""Syntax highlighting for the read-only file and diff viewers: Pygments -> QSyntaxHighlighter.

The whole text is lexed once when it is set (a viewer's document does not
change afterwards); `highlightBlock` then only applies the formats already
computed for that line.
"""

from __future__ import annotations

import logging
from functools import cache

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.styles import get_style_by_name
from pygments.token import Token, _TokenType
from pygments.util import ClassNotFound
from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

logger = logging.getLogger(__name__)

#: Above this the viewer shows plain text: lexing megabytes would stall the UI.
MAX_HIGHLIGHT_CHARS = 400_000
LIGHT_STYLE = "default"
DARK_STYLE = "github-dark"
_SPECIAL = {".npmrc": "ini", ".env.example": "bash", ".gitignore": "text", "README": "text"}


def lexer_for(path: str) -> Lexer:
    """The Pygments lexer for a file name (plain text when unknown)."""
    leaf = path.rsplit("/", 1)[-1]
    if leaf in _SPECIAL:
        return get_lexer_by_name(_SPECIAL[leaf])
    try:
        return get_lexer_for_filename(leaf)
    except ClassNotFound:
        return get_lexer_by_name("text")


class PygmentsHighlighter(QSyntaxHighlighter):
    """Highlights a QTextDocument with a Pygments lexer and style.

    `set_source(text, path)` puts the text into the document and lexes it;
    the language follows the file name ("x.diff" for diffs).
    """

    def __init__(self, document: QTextDocument, *, dark: bool = False) -> None:
        super().__init__(document)
        self._dark = dark
        self._lines: list[list[tuple[int, int, QTextCharFormat]]] = []

    @property
    def language(self) -> str:
        return self._language

    def set_source(self, text: str, path: str) -> None:
        lexer = lexer_for(path)
        self._language = lexer.name
        self._lines = _lex(text, lexer, self._dark) if len(text) <= MAX_HIGHLIGHT_CHARS else []
        document = self.document()
        self.blockSignals(True)
        document.setPlainText(text)
        self.blockSignals(False)
        self.rehighlight()

    def formats_of_line(self, line: int) -> list[tuple[int, int, QTextCharFormat]]:
        """The (start, length, format) spans of a 0-based line (for tests and tools)."""
        return self._lines[line] if 0 <= line < len(self._lines) else []

    def highlightBlock(self, text: str) -> None:
        """Override QSyntaxHighlighter.highlightBlock: apply the precomputed spans."""
        for start, length, fmt in self.formats_of_line(self.currentBlock().blockNumber()):
            self.setFormat(start, length, fmt)

    _language = "Text"


def _lex(text: str, lexer: Lexer, dark: bool) -> list[list[tuple[int, int, QTextCharFormat]]]:
    lines: list[list[tuple[int, int, QTextCharFormat]]] = [[]]
    column = 0
    lexer.stripnl = False
    lexer.ensurenl = False
    for token, value in lexer.get_tokens(text):
        fmt = _format(token, dark)
        parts = value.split("\n")
        for n, part in enumerate(parts):
            if n:
                lines.append([])
                column = 0
            if part and fmt is not None:
                lines[-1].append((column, len(part), fmt))
            column += len(part)
    return lines


@cache
def _format(token: _TokenType, dark: bool) -> QTextCharFormat | None:
    style = get_style_by_name(DARK_STYLE if dark else LIGHT_STYLE)
    while not style.styles_token(token) and token.parent is not None:
        token = token.parent
    spec = style.style_for_token(token)
    if token is Token or not (spec["color"] or spec["bold"] or spec["italic"]):
        return None
    fmt = QTextCharFormat()
    if spec["color"]:
        fmt.setForeground(QColor(f"#{spec['color']}"))
    if spec["bold"]:
        fmt.setFontWeight(QFont.Weight.Bold)
    if spec["italic"]:
        fmt.setFontItalic(True)
    return fmt
