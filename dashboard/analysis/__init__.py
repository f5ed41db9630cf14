"""Ad-hoc analysis: scoped analysis views, the locked-down SQL console, the pivot and saved analyses."""

from .console import EXAMPLE_QUERIES, ConsoleError, QueryResult, SqlConsole, check_sql
from .pivot import CHART_KINDS, DATASETS, MEASURES, PivotError, figure, figure_html, pivot
from .saved import (
    SavedAnalysis,
    SavedAnalysisError,
    delete_analysis,
    list_analyses,
    load_analysis,
    save_analysis,
)
from .views import VIEW_DOCS, AnalysisView, analysis_views

__all__ = [
    "CHART_KINDS",
    "DATASETS",
    "EXAMPLE_QUERIES",
    "MEASURES",
    "VIEW_DOCS",
    "AnalysisView",
    "ConsoleError",
    "PivotError",
    "QueryResult",
    "SavedAnalysis",
    "SavedAnalysisError",
    "SqlConsole",
    "analysis_views",
    "check_sql",
    "delete_analysis",
    "figure",
    "figure_html",
    "list_analyses",
    "load_analysis",
    "pivot",
    "save_analysis",
]
