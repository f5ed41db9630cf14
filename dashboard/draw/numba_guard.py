"""Keep numba from importing a stray ``coverage.py`` (issue 17).

numba does ``try: import coverage`` (the coverage.py package) when it is imported. When a Streamlit
page is run from its file (AppTest, or a server started on a page), the page's folder is on
``sys.path``, and ``pages/coverage.py`` (the 覆盖率 page) would be imported as that package: the
page runs inside numba's import and fails. Call :func:`hide_stray_coverage` right before
``import numba``.
"""

from __future__ import annotations

import importlib.util
import sys


def hide_stray_coverage() -> None:
    """Make ``import coverage`` fail (as when coverage.py is not installed) if it would find a plain
    module file rather than the coverage.py package; the real package is left alone."""
    if "coverage" in sys.modules:
        return
    try:
        spec = importlib.util.find_spec("coverage")
    except (ImportError, ValueError):
        return
    if spec is None or spec.submodule_search_locations is not None:
        return  # not installed, or the real package (coverage.py is a package)
    sys.modules["coverage"] = None  # type: ignore[assignment]  # numba then sees ImportError
