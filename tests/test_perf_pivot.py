"""自助分析 pivot labels (issue 17): each distinct value is labelled once, with the same labels as
labelling every row."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboard.analysis.pivot import EMPTY, _label, _labels


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["KCK", None, "KCK", "CHK"], ["KCK", "（空）", "KCK", "CHK"]),
        ([True, False, True], ["是", "否", "是"]),
        ([2.0, 2.5, np.nan, 2.0], ["2", "2.5", "（空）", "2"]),
        ([date(2026, 1, 2), None, date(2026, 1, 2)], ["2026-01-02", "（空）", "2026-01-02"]),
        (
            pd.to_datetime(["2026-03-01 00:00", None, "2026-03-01 08:30"]),
            ["2026-03-01", "（空）", "2026-03-01T08:30:00"],
        ),
        ([["a"], None, ["a", "b"]], ["['a']", "（空）", "['a', 'b']"]),  # lists: one by one
    ],
)
def test_labels_of_distinct_values_equal_the_row_by_row_labels(values, expected):
    series = pd.Series(values, index=[10 + i for i in range(len(values))])
    got = _labels(series)
    assert EMPTY == "（空）"
    assert list(got) == expected
    assert list(got) == list(series.map(_label))
    assert list(got.index) == list(series.index)
