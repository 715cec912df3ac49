"""Helpers shared by every file the app writes for spreadsheets (CSV, XLSX)."""

# A spreadsheet runs a cell beginning with one of these as a formula (ASVS5 1.2.10 lists
# tab and carriage return too, which defusedcsv misses; SECURITY.md EXP-01 adds NUL).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")


def safe_cell(value):
    """`value` made safe for a spreadsheet cell: text that a spreadsheet would run as a
    formula gets a leading `'`; numbers, dates and None pass through unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
