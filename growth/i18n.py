"""English and Spanish: the locale choice and locale-aware formatting for pages."""

import os
from datetime import date, datetime, timedelta
from functools import cache

from babel import dates, numbers
from flask import current_app, has_request_context, request, session
from flask_babel import Babel, format_date, format_datetime, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.i18n import get_translations

from .weeks import week_label

babel = Babel()

# Read in this order, as command-line tools read them; the first one set decides.
LOCALE_VARIABLES = ("GROWTH_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG")


def environment_locale(languages) -> str:
    """The command line's language: the first of LOCALE_VARIABLES that is set, as a POSIX
    locale name ('es_ES.UTF-8' → 'es') or a language tag; `languages[0]` (English) for 'C',
    'POSIX', nothing set, or a language Growth does not speak."""
    value = next((os.environ[name] for name in LOCALE_VARIABLES if os.environ.get(name)), "")
    tag = value.split(".")[0].split("@")[0].replace("-", "_")
    for candidate in (tag, tag.split("_")[0].lower()):
        if candidate in languages:
            return candidate
    return languages[0]


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return environment_locale(languages)  # the command line; never a web request
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


@cache
def _wtforms_translations(locale: str):
    return get_translations([locale])


def wtforms_translations():
    return _wtforms_translations(str(get_locale()))


@cache
def _number_pattern(pattern: str) -> numbers.NumberPattern:
    # Babel parses a number pattern on every call; a parsed pattern never changes.
    return numbers.parse_pattern(pattern)


def _format_number(value, pattern: str) -> str:
    """Babel's format_decimal / format_percent, with the pattern parsed once per process."""
    return _number_pattern(pattern).apply(value, get_locale() or numbers.LC_NUMERIC)


# One way of writing a date in both languages, day first with a short month: "3 Dec 2026",
# "3 dic 2026"; with its weekday "Thursday, 3 Dec 2026", "jueves, 3 dic 2026". Babel's own
# styles differ by locale ("Dec 3, 2026" next to "3 December 2026" in English), so the
# named styles map to these patterns; any other pattern ("MMM y", "EEEE") passes through.
DATE_STYLES = {
    "short": "d MMM y",
    "medium": "d MMM y",
    "long": "d MMM y",
    "full": "EEEE, d MMM y",
}
DAY_MONTH = "d MMM"
TIME = "HH:mm"


def day(value: date | None, style: str = "medium") -> str:
    if not value:
        return ""
    pattern = DATE_STYLES.get(style, style)
    if isinstance(value, datetime):
        return format_date(value, pattern)  # Flask-Babel moves it to the person's time zone
    # A plain date straight to Babel (which keeps its parsed patterns), skipping
    # Flask-Babel's per-call lookups of the same request's locale and formats.
    return dates.format_date(value, pattern, locale=get_locale() or dates.LC_TIME)


def moment(value: datetime | None, *, seconds: bool = False) -> str:
    """A date with its time of day, as `day` writes dates: "3 Dec 2026, 14:05"."""
    if not value:
        return ""
    time_pattern = TIME + (":ss" if seconds else "")
    return format_datetime(value, f"{DATE_STYLES['medium']}, {time_pattern}")


def number(value, digits: int = 1) -> str:
    if value is None:
        return ""
    return _format_number(value, "#,##0." + "#" * digits if digits else "#,##0")


def percent(value) -> str:
    return "" if value is None else _format_number(value, "#,##0%")


def hours(minutes: int | None) -> str:
    """Minutes as hours for people: 90 → '1.5 h' ('1,5 h' in Spanish); under six minutes,
    which would round to '0 h', as minutes: 1 → '1 min'."""
    minutes = minutes or 0
    if 0 < minutes < 6:
        return _("%(minutes)s min", minutes=minutes)
    return _("%(hours)s h", hours=number(minutes / 60, 1))


def week_span(monday: date) -> str:
    """'23 Nov – 29 Nov 2026'; a week across a year's end names both years:
    '31 Dec 2029 – 6 Jan 2030'."""
    locale = get_locale() or dates.LC_TIME
    sunday = monday + timedelta(days=6)
    first = DAY_MONTH if monday.year == sunday.year else DATE_STYLES["medium"]
    return _("%(start)s – %(end)s", start=dates.format_date(monday, first, locale=locale),
             end=dates.format_date(sunday, DATE_STYLES["medium"], locale=locale))


def week_name(monday: date) -> str:
    """'Week 48 · 23 Nov – 29 Nov 2026' in the page's language."""
    return _("Week %(number)s · %(span)s", number=monday.isocalendar()[1],
             span=week_span(monday))


class PageFormats:
    """One page's weeks and durations in its language, each distinct value formatted once:
    the team grid names 12 weeks in 720 cells and repeats a few dozen durations. Made per
    request by the view, so nothing in it outlives the page."""

    def __init__(self):
        self._week_names: dict[date, str] = {}
        self._hours: dict[int, str] = {}

    def week_name(self, monday: date) -> str:
        name = self._week_names.get(monday)
        if name is None:
            name = self._week_names[monday] = week_name(monday)
        return name

    def hours(self, minutes: int | None) -> str:
        minutes = minutes or 0
        text = self._hours.get(minutes)
        if text is None:
            text = self._hours[minutes] = hours(minutes)
        return text


def translated(labels: dict) -> dict:
    """A mapping of lazily translated labels, translated once for this page."""
    return {value: str(label) for value, label in labels.items()}


def init_app(app):
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path + "/translations"),
    )
    app.jinja_env.filters.update(day=day, moment=moment, number=number, percent=percent,
                                 hours=hours, week_name=week_name, week_span=week_span,
                                 week_label=week_label)
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    app.jinja_env.globals["translated"] = translated
