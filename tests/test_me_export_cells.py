"""The formula-escaping rule every CSV and XLSX the app writes follows."""

from datetime import date

import pytest

from growth.exports import safe_cell


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx",
                                  "=HYPERLINK(\"http://x\")"])
def test_text_that_a_spreadsheet_would_run_gets_a_leading_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["plain", "", "a=b", " =x", 42, -3, 1.5, None,
                                   date(2026, 1, 1)])
def test_everything_else_passes_through(value):
    assert safe_cell(value) == value
