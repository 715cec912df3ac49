"""English and Spanish: the locale choice and locale-aware formatting for pages."""

import os
from datetime import date, timedelta
from functools import cache

from flask import current_app, has_request_context, request, session
from flask_babel import Babel, format_date, format_decimal, format_percent, get_locale
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


def day(value: date | None, style: str = "medium") -> str:
    return format_date(value, style) if value else ""


def number(value, digits: int = 1) -> str:
    if value is None:
        return ""
    return format_decimal(value, format="#,##0." + "#" * digits if digits else "#,##0")


def percent(value) -> str:
    return "" if value is None else format_percent(value, format="#,##0%")


def hours(minutes: int | None) -> str:
    """Minutes as hours for people: 90 → '1.5 h' ('1,5 h' in Spanish)."""
    return _("%(hours)s h", hours=number((minutes or 0) / 60, 1))


def week_name(monday: date) -> str:
    """'Week 48 · 23 – 29 Nov 2026' in the page's language."""
    sunday = monday + timedelta(days=6)
    return _("Week %(number)s · %(start)s – %(end)s", number=monday.isocalendar()[1],
             start=format_date(monday, "d MMM"), end=format_date(sunday, "d MMM y"))


def init_app(app):
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path + "/translations"),
    )
    app.jinja_env.filters.update(day=day, number=number, percent=percent, hours=hours,
                                 week_name=week_name, week_label=week_label)
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
