"""The base form: WTForms' session CSRF, bound to request data only on POST."""

import logging
import secrets
import unicodedata
from datetime import date, datetime, timedelta

from flask import current_app, g, request, session
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from wtforms import DateField as WTFormsDateField
from wtforms import DateTimeField, Form, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.csrf.session import SessionCSRF
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError

from .models import EMAIL_MAX, ID_MAX, normalize_email
from .text import Refused, refused_character
from .weeks import EARLIEST, LATEST, in_range

log = logging.getLogger("growth.forms")


def _signed_this_request() -> str | None:
    """The CSRF token this request already signed for the session's secret, if any."""
    made = g.get("_page_csrf")
    return made[1] if made is not None and made[0] == session.get("csrf") else None


class PageCSRF(SessionCSRF):
    """WTForms' session CSRF, signing one token per request: the forms and buttons of a
    page carry the same token instead of each signing its own (a session started within
    the request gets a token of its own)."""

    def generate_csrf_token(self, csrf_token_field):
        token = _signed_this_request()
        if token is None:
            token = super().generate_csrf_token(csrf_token_field)
            g._page_csrf = (self.session["csrf"], token)
        return token


class DateField(WTFormsDateField):
    """A day, YYYY-MM-DD (what a date input sends); anything else, a day that does not
    exist included, is named in our words rather than WTForms' "Not a valid date value"."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a real date, written YYYY-MM-DD.")) from None


class BaseForm(Form):
    class Meta:
        csrf = True
        csrf_class = PageCSRF
        csrf_time_limit = timedelta(hours=12)

        @property
        def csrf_secret(self):
            return current_app.secret_key.encode()

        @property
        def csrf_context(self):
            return session

        def bind_field(self, form, unbound_field, options):
            # Text is NFC-normalised once, on the way in (ASVS5 1.1.1), and held to the one
            # rule on characters (growth.text), checked before any other validator. Passwords
            # are left exactly as typed: their hashes were made from what was typed.
            field_class = unbound_field.field_class
            first_check = None
            if issubclass(field_class, StringField) and not issubclass(field_class,
                                                                       PasswordField):
                options["filters"] = (*unbound_field.kwargs.get("filters", ()), to_nfc)
                first_check = (multi_line_text if issubclass(field_class, TextAreaField)
                               else single_line_text)
            elif issubclass(field_class, DateTimeField):
                first_check = date_in_range
            coerce = unbound_field.kwargs.get("coerce")
            if coerce is not None:
                options["coerce"] = _bounded(coerce)
            field = unbound_field.bind(form=form, **options)
            if first_check is not None:
                field.validators = [first_check, *field.validators]
            # WTForms writes label text into the HTML as it is, and Jinja trusts lazy
            # strings (they have __html__): a label naming a goal title would be markup.
            field.label.text = escape(str(field.label.text))
            return field

        def get_translations(self, form):
            from .i18n import wtforms_translations

            return wtforms_translations()

    def __init__(self, *args, **kwargs):
        if "formdata" not in kwargs:
            # An empty form on GET: binding request data there would reset checkboxes.
            kwargs["formdata"] = request.form if request.method == "POST" else None
        super().__init__(*args, **kwargs)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not valid:
            # A validation event (ASVS5 16.3.3): which fields failed where, never what was
            # typed into them.
            log.info("validation failed on %s %s: %s", request.method, request.endpoint,
                     ",".join(sorted(self.errors)))
        return valid

    def field_errors(self) -> dict:
        return {name: errors for name, errors in self.errors.items() if name != "csrf_token"}

    def show_error(self, error: Exception) -> None:
        """A service's refusal, next to the field it names (`error.field`), else above the
        form."""
        name = getattr(error, "field", None)
        target = self[name] if name and name in self else None
        (target.errors if target is not None else self.form_errors).append(str(error))


def _posted_only(field, kwargs) -> None:
    """A posted form's key or version is what was posted, never the default or the row's
    current value (which would turn a missing one into a fresh one)."""
    posted = kwargs.get("formdata", request.form if request.method == "POST" else None)
    if posted is not None:
        field.data = posted.get(field.name)


def _shown(field, value) -> str:
    """A stored value as the form shows it: a choice by its label, a date in ISO."""
    values = value if isinstance(value, (list, tuple, set)) else [value]
    labels = {str(choice.value): str(choice.label) for choice in getattr(field, "choices", None)
              or () if isinstance(choice, SelectChoice)}
    return ", ".join(labels.get(str(v), str(v)) for v in values if v not in (None, ""))


def _bounded(coerce):
    def coerce_within_range(value):
        result = coerce(value)
        if isinstance(result, int) and not -ID_MAX <= result <= ID_MAX:
            raise ValueError("out of range")
        return result

    return coerce_within_range


def to_nfc(value):
    """NFC text (the character rule is checked by the fields' first validator)."""
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFC", value)


class ConfirmForm(BaseForm):
    """A fieldless form for buttons: sign out, delete, share."""


REFUSED_TEXT_MESSAGES = {
    Refused.CONTROL: _l("Remove the invisible control characters."),
    Refused.LINE_BREAK: _l("Keep this to one line, without line breaks or tabs."),
}


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


RESUBMIT_MESSAGE = _l("This form was opened before an update of Growth or has lost a hidden "
                      "field. Check what you entered and send it again.")
STALE_MESSAGE = _l("This was changed after you opened it, perhaps in another tab. What is "
                   "saved now is shown here; your changes are still in the form: check them "
                   "and save again.")


class CreateForm(BaseForm):
    """A form that creates a row. Its one-time `submission` key is stored with the row
    (UNIQUE), so a double-clicked or retried submit makes one row. A post without a key is
    refused and the form comes back with the input kept and a new key."""

    submission = HiddenField(default=new_submission_key)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _posted_only(self.submission, kwargs)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        key = self.submission.data or ""
        if 8 <= len(key) <= 64 and key.isascii() and key.isprintable():
            return valid
        self.submission.data = new_submission_key()
        self.form_errors.append(RESUBMIT_MESSAGE)
        return False


class VersionedForm(BaseForm):
    """A form that edits a row. It carries the row's `version`; the service saves only
    while the row still has it, so a stale form answers 409 instead of wiping a later
    save (see `show_conflict`)."""

    version = HiddenField()
    saved: list = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _posted_only(self.version, kwargs)

    def validate_version(self, field):
        if self.version_number() is None:
            raise ValidationError(_l("Reload the page and try again."))

    def version_number(self) -> int | None:
        try:
            number = int(self.version.data)
        except (TypeError, ValueError):
            return None
        return number if 1 <= number <= ID_MAX else None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.version.errors:
            self.form_errors.extend(self.version.errors)
        return valid

    def show_conflict(self, version: int, saved: dict) -> None:
        """After a stale save: keep what was typed, aim the form at the current `version`
        (saving again is now a deliberate choice) and list what is saved, field by field,
        with the labels and choice names the form shows."""
        self.version.data = str(version)
        self.form_errors.append(STALE_MESSAGE)
        self.saved = [(self[name].label.text, _shown(self[name], value))
                      for name, value in saved.items() if name in self]



def text_problem(text: str, *, multiline: bool):
    """The message for text that breaks the character rule, or None."""
    refused = refused_character(text or "", multiline=multiline)
    return REFUSED_TEXT_MESSAGES[refused] if refused else None


def _text_check(multiline: bool):
    def check(form, field):
        data = field.data if isinstance(field.data, str) else ""
        problem = text_problem(data, multiline=multiline)
        if problem is not None:
            raise StopValidation(problem)

    return check


single_line_text = _text_check(multiline=False)
multi_line_text = _text_check(multiline=True)


DATE_RANGE_MESSAGE = _l("Enter a date between %(first)s and %(last)s.",
                        first=EARLIEST.isoformat(), last=LATEST.isoformat())


def date_in_range(form, field):
    """Every date field: a date outside the years Growth handles (growth.weeks) is refused."""
    day = field.data.date() if isinstance(field.data, datetime) else field.data
    if isinstance(day, date) and not in_range(day):
        raise StopValidation(DATE_RANGE_MESSAGE)


def email_address(form, field):
    """An email that still fits its column once normalised: case-folding makes "ß" "ss"."""
    if len(normalize_email(field.data or "")) > EMAIL_MAX:
        raise ValidationError(_l("Use an email address of at most %(max)s characters.",
                                 max=EMAIL_MAX))


# Pages of a list are numbered from 1 to this (a million rows at 100 a page): a larger number
# shows the last page allowed, never an offset the database can't hold.
PAGE_MAX = 10_000


def page_number(args) -> int:
    """`?page=` from 1 to PAGE_MAX: 1 when missing or not a whole number."""
    page = args.get("page", 1, type=int)
    return min(max(page, 1), PAGE_MAX)


def select_choices(mapping: dict, blank=None) -> list[SelectChoice]:
    """SelectField choices from a {stored value: label} mapping (labels may be lazy)."""
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(str(value), label) for value, label in mapping.items()]


def field_attributes(field, described: list[str], extra: dict | None = None) -> dict:
    """HTML attributes that tie a field to its hint and errors for screen readers."""
    attrs = dict(extra or {})
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return attrs


def init_app(app):
    @app.template_global()
    def csrf_token() -> str:
        return _signed_this_request() or ConfirmForm(formdata=None).csrf_token.current_token

    app.jinja_env.globals["kwargs_for"] = field_attributes
