"""Usage over time: credits per day, stacked LLM messages vs tool calls (QtCharts)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QWidget

from console.services.credits import UsageDay

logger = logging.getLogger(__name__)

LLM_COLOR = QColor("#4F46E5")
TOOL_COLOR = QColor("#F59E0B")


def _nice_ceiling(value: float) -> float:
    if value <= 0:
        return 5.0
    for step in (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2500, 5000):
        if value <= step * 5:
            return float(step * ((int(value) // step) + 1))
    return value * 1.1


class UsageChartView(QChartView):
    """A stacked bar per day; `set_days()` replaces the data.

    The series and axes are built once and refilled: removing and re-adding
    axes on a live QChart leaves stale axis items painted (PySide6 6.11).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(240)
        chart = QChart()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.setBackgroundRoundness(0)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignTop)
        chart.legend().setMarkerShape(chart.legend().MarkerShape.MarkerShapeCircle)
        self.llm_set = QBarSet("LLM messages")
        self.llm_set.setColor(LLM_COLOR)
        self.llm_set.setBorderColor(LLM_COLOR)
        self.tool_set = QBarSet("Tool calls")
        self.tool_set.setColor(TOOL_COLOR)
        self.tool_set.setBorderColor(TOOL_COLOR)
        self.series = QStackedBarSeries()
        self.series.append(self.llm_set)
        self.series.append(self.tool_set)
        self.series.setBarWidth(0.7)
        chart.addSeries(self.series)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.85))
        self.x_axis = QBarCategoryAxis()
        self.x_axis.setGridLineVisible(False)
        self.x_axis.setLabelsFont(small)
        self.y_axis = QValueAxis()
        self.y_axis.setLabelFormat("%.0f")
        self.y_axis.setTickCount(5)
        self.y_axis.setLabelsFont(small)
        chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        self.series.attachAxis(self.x_axis)
        self.series.attachAxis(self.y_axis)
        self.setChart(chart)
        self._chart = chart
        self.days: list[UsageDay] = []

    def set_days(self, days: Sequence[UsageDay]) -> None:
        self.days = list(days)
        self.llm_set.remove(0, self.llm_set.count())
        self.tool_set.remove(0, self.tool_set.count())
        # Label about 12 days at most so the labels never collide or elide.
        every = max(1, -(-len(self.days) // 12))
        categories = []
        for i, day in enumerate(self.days):
            self.llm_set.append(day.llm_messages)
            self.tool_set.append(day.tool_calls)
            label = day.day.strftime("%d %b") if (len(self.days) - 1 - i) % every == 0 else ""
            # Categories must be unique: blank ones differ by their width.
            categories.append(label or "\u2009" * (i + 1))
        self.x_axis.clear()
        self.x_axis.append(categories)
        self.y_axis.setRange(0, _nice_ceiling(max((d.total for d in self.days), default=0.0)))
        total = sum(d.total for d in self.days)
        self._chart.setTitle(f"Last {len(self.days)} days · {total:,.1f} credits spent")

    def series_count(self) -> int:
        return len(self._chart.series())
