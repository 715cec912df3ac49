"""English and Spanish: the catalog is complete and current, the language choice, locale-aware
formatting on pages (and locale-neutral exports and URLs), and the same journeys in both."""

import csv
import html
import io
import re
import shlex
import subprocess
import sys
from collections import Counter
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from growth.config import Defaults
from growth.i18n import day, hours, moment, number, percent, week_name, week_span
from growth.labels import RATINGS
from growth.models import Activity, DevDay, Role, User

from .conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "growth" / "translations"
SPANISH_PO = CATALOGS / "es" / "LC_MESSAGES" / "messages.po"
# Every language Growth offers besides English, the source language.
TRANSLATED = [language for language in Defaults.LANGUAGES if language != "en"]

EN = {"Accept-Language": "en-US,en;q=0.9"}
ES = {"Accept-Language": "es-ES,es;q=0.9"}

# %(name)s placeholders (with their conversion), and %% escapes.
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%%")


def read_catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def extract_from_code(tmp_path: Path):
    """Run the extraction of `make i18n` (read from the Makefile, so the two cannot drift
    apart) into a temporary .pot and return that catalog."""
    makefile = (ROOT / "Makefile").read_text()
    line = next(text for text in makefile.splitlines()
                if "pybabel" in text and " extract " in text)
    args = shlex.split(line.strip().replace("$(CATALOGS)", str(CATALOGS)))
    assert args[0].endswith("pybabel") and args[-1] == "."
    args[args.index("-o") + 1] = str(tmp_path / "messages.pot")
    command = [sys.executable, "-m", "babel.messages.frontend", *args[1:]]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return read_catalog(tmp_path / "messages.pot")


def messages(catalog):
    return {message.id: message for message in catalog if message.id}


def as_text(message_id) -> str:
    return " / ".join(message_id) if isinstance(message_id, tuple) else message_id


def forms_of(text) -> tuple:
    """A message's text as a tuple: one item, or the plural forms."""
    return tuple(text) if isinstance(text, (list, tuple)) else (text,)


def percent_tokens(text: str) -> Counter:
    """The placeholders and %% escapes of a string, and how many other % signs it has."""
    tokens = PLACEHOLDER.findall(text)
    return Counter(tokens) + Counter({"bare %": PLACEHOLDER.sub("", text).count("%")})


# --- The catalog ---------------------------------------------------------------------------


def po_path(language: str) -> Path:
    return CATALOGS / language / "LC_MESSAGES" / "messages.po"


@pytest.fixture(scope="module")
def spanish():
    return read_catalog(SPANISH_PO)


@pytest.fixture(scope="module")
def marked_in_code(tmp_path_factory):
    return set(messages(extract_from_code(tmp_path_factory.mktemp("extract"))))


@pytest.fixture(scope="module", params=TRANSLATED)
def catalog(request):
    path = po_path(request.param)
    assert path.exists(), f"no catalog for {request.param!r}: see 'Adding a language'"
    return read_catalog(path)


def test_spanish_is_offered():
    assert "es" in TRANSLATED


def test_catalog_holds_exactly_the_strings_marked_in_the_code(marked_in_code, catalog):
    in_catalog = set(messages(catalog))
    new = sorted(map(as_text, marked_in_code - in_catalog))
    gone = sorted(map(as_text, in_catalog - marked_in_code))
    name = catalog.locale_identifier
    assert not new, f"marked in the code but not in the {name} catalog (make i18n): {new}"
    assert not gone, f"in the {name} catalog but no longer in the code (make i18n): {gone}"
    assert not catalog.obsolete, "obsolete entries in the catalog (run make i18n)"


def test_every_string_is_translated_and_none_is_fuzzy(catalog):
    untranslated, fuzzy = [], []
    for message in messages(catalog).values():
        if not all(form.strip() for form in forms_of(message.string)):
            untranslated.append(as_text(message.id))
        if message.fuzzy:
            fuzzy.append(as_text(message.id))
    assert not untranslated, f"no translation yet: {untranslated}"
    assert not fuzzy, f"fuzzy (unchecked) translations: {fuzzy}"
    assert not catalog.fuzzy, "the catalog header is still marked fuzzy"


def test_translations_keep_the_placeholders_of_the_english(catalog):
    wrong = []
    for message in messages(catalog).values():
        sources = [percent_tokens(text) for text in forms_of(message.id)]
        targets = [percent_tokens(text) for text in forms_of(message.string)]
        if len(sources) == 1:
            ok = targets == sources
        else:
            # Plural forms: each form uses the English plural's placeholders, or a subset of
            # them (a singular may spell out "one"), and together they use them all.
            allowed = sources[-1] | sources[0]
            ok = (all(+(target - allowed) == Counter() for target in targets)
                  and set(sum(targets, Counter())) >= set(sources[-1]) - {"%%"})
        if not ok:
            wrong.append((as_text(message.id), as_text(message.string)))
    assert not wrong, f"placeholders differ from the English: {wrong}"


def test_compiled_catalog_matches_the_po_file(catalog):
    compiled = po_path(catalog.locale_identifier).with_suffix(".mo")
    assert compiled.exists(), "no compiled catalog: run `make translations`"
    with compiled.open("rb") as handle:
        mo = {forms_of(m.id): forms_of(m.string) for m in read_mo(handle) if m.id}
    po = {forms_of(m.id): forms_of(m.string) for m in messages(catalog).values()}
    assert mo == po, "the compiled catalog is out of date: run `make translations`"


# The words the Spanish interface always uses for the same things.
TERMS = [
    (r"\bone-on-ones?\b", r"\buno a uno\b"),
    (r"\bdevelopment days?\b", r"\bd[ií]as? de desarrollo\b"),
    (r"\bgoals?\b", r"\bobjetivos?\b"),
    (r"\bhalf-year reviews?\b", r"\brevisi(?:ón|ones) semestral(?:es)?\b"),
    (r"\breviews?\b", r"\brevisi(?:ón|ones)\b"),
    (r"\bHR\b", r"\bRR\. HH\."),
    (r"\b[Ll]eads?\b(?!\s+(?:to|a team|the))", r"\bresponsables?\b"),
]
# Words the Spanish interface never uses: formal address, other names for the same roles.
NEVER = re.compile(r"\b(?:usted(?:es)?|l[ií]der(?:es)?|recursos humanos|metas?)\b", re.I)


def test_spanish_uses_the_same_words_for_the_same_things(spanish):
    off = []
    for message in messages(spanish).values():
        english = PLACEHOLDER.sub("", " ".join(forms_of(message.id)))
        translation = PLACEHOLDER.sub("", " ".join(forms_of(message.string)))
        for source, target in TERMS:
            if re.search(source, english) and not re.search(target, translation, re.I):
                off.append((english, translation, target))
        if NEVER.search(translation):
            off.append((english, translation, NEVER.pattern))
    assert not off, f"terminology differs from the glossary: {off}"


def test_the_four_ratings_read_naturally_in_spanish(app):
    with app.app_context(), app.test_request_context(headers=ES):
        assert [str(RATINGS[n]) for n in (1, 2, 3, 4)] == [
            "Difícil", "Bien", "Mejor que bien", "Genial"]
    with app.app_context(), app.test_request_context(headers=EN):
        assert [str(RATINGS[n]) for n in (1, 2, 3, 4)] == [
            "Rough", "Fine", "Better than fine", "Amazing"]


# --- Choosing the language -----------------------------------------------------------------


def page(response) -> str:
    """The page's HTML with entities decoded, to compare with what a person reads."""
    return html.unescape(response.get_data(as_text=True))


def test_before_sign_in_the_browser_language_decides(client):
    spanish = page(client.get("/login", headers=ES))
    assert '<html lang="es">' in spanish
    assert "Inicia sesión en Growth" in spanish
    assert "Correo electrónico" in spanish and "Contraseña" in spanish
    english = page(client.get("/login", headers=EN))
    assert '<html lang="en">' in english
    assert "Sign in to Growth" in english


def test_an_unsupported_browser_language_gets_english(client):
    body = page(client.get("/login", headers={"Accept-Language": "de-DE,fr;q=0.8"}))
    assert '<html lang="en">' in body and "Sign in to Growth" in body


def test_the_sign_in_page_switch_beats_the_browser_and_survives_signing_in(
        client, make_user, db):
    person = make_user(Role.AGENT, email="ana@example.com")
    response = client.post("/language", data={"lang": "es", "next": "/login"}, headers=EN)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert "Inicia sesión en Growth" in page(client.get("/login", headers=EN))

    signed_in = client.post("/login", data={"email": "ana@example.com", "password": PASSWORD},
                            headers=EN)
    assert signed_in.status_code == 302
    account = page(client.get("/account", headers=EN))
    assert "Tu cuenta" in account and "Mi semana" in account
    assert User.get_by_id(person.id).locale is None  # a choice before sign-in is not saved


def test_the_switch_ignores_a_language_growth_does_not_speak(client):
    client.post("/language", data={"lang": "fr"}, headers=ES)
    assert "Inicia sesión en Growth" in page(client.get("/login", headers=ES))
    assert "Sign in to Growth" in page(client.get("/login", headers=EN))


def test_a_saved_choice_on_the_account_page_beats_the_browser(client_for, make_user, db):
    person = make_user(Role.AGENT, name="Ana")
    client = client_for(person)
    assert "Your account" in page(client.get("/account", headers=EN))

    saved = client.post("/account", data={"name": "Ana", "locale": "es"}, headers=EN,
                        follow_redirects=True)
    assert User.get_by_id(person.id).locale == "es"
    body = page(saved)
    assert "Tu cuenta está guardada." in body  # the confirmation is already in Spanish
    assert "Tu cuenta" in page(client.get("/account", headers=EN))

    # On another device (a new session), the browser says English: the saved choice wins.
    elsewhere = client_for(User.get_by_id(person.id))
    assert '<html lang="es">' in page(elsewhere.get("/account", headers=EN))

    client.post("/account", data={"name": "Ana", "locale": "en"}, headers=ES)
    assert User.get_by_id(person.id).locale == "en"
    assert "Your account" in page(client.get("/account", headers=ES))


def test_a_person_who_has_not_chosen_follows_the_browser(client_for, make_user, db):
    client = client_for(make_user(Role.AGENT))
    assert "Tu cuenta" in page(client.get("/account", headers=ES))
    assert "Your account" in page(client.get("/account", headers=EN))


def test_navigation_is_in_the_persons_language(client_for, world):
    world.admin.locale = "es"
    world.admin.save()
    body = page(client_for(world.admin).get("/account", headers=EN))
    # The admin reaches the audit log from the admin area's own menu.
    for label in ("Mi semana", "Historial", "Objetivos", "Coaching", "Administración",
                  "Cerrar sesión"):
        assert label in body
    for english in ("My week", "History", "Goals", "Audit log", "Sign out"):
        assert f">{english}<" not in body


class VisibleText(HTMLParser):
    """The words a person reads on a page: text, and the attributes read aloud or shown."""

    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts += [value for name, value in attrs
                       if name in ("title", "aria-label", "placeholder", "alt") and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(body: str) -> str:
    parser = VisibleText()
    parser.feed(body)
    return " ".join(" ".join(parser.parts).split())


PAGES = {
    "agent_a": ["/", "/week/2026-W48", "/history", "/goals", "/one-on-ones", "/account",
                "/account/password", "/no-such-page", "/admin/users", "/feedback", "/practice"],
    "lead_a": ["/team", "/one-on-ones", "/feedback", "/practice"],
    "hr": ["/hr", "/hr/people", "/admin/audit"],
    "admin": ["/admin/users", "/admin/users/new", "/admin/teams", "/admin/cycles",
              "/admin/audit"],
}


def test_pages_for_a_spanish_reader_hold_no_english_sentence(client_for, world, spanish):
    # Every English phrase of two words or more that reads differently in Spanish.
    english = sorted({
        text for message in messages(spanish).values()
        for text, translated in zip(forms_of(message.id), forms_of(message.string),
                                    strict=False)
        if text != translated and " " in text and "%" not in text}, key=len, reverse=True)
    leftovers = {}
    for who, urls in PAGES.items():
        person = getattr(world, who)
        person.locale = "es"
        person.save()
        client = client_for(person)
        for url in urls:
            response = client.get(url, headers=EN)
            assert response.status_code in (200, 403, 404), (url, response.status_code)
            body = page(response)
            assert '<html lang="es">' in body, url
            text = visible_text(body)
            found = [phrase for phrase in english if phrase in text]
            if found:
                leftovers[url] = found
    assert not leftovers, f"English left on Spanish pages: {leftovers}"


# --- Dates, numbers, weeks -------------------------------------------------------------------


def test_filters_format_for_the_page_language(app):
    monday = date(2026, 11, 23)
    with app.app_context(), app.test_request_context(headers=ES):
        assert day(monday) == "23 nov 2026"
        assert (hours(90), hours(6), hours(5), hours(0)) == ("1,5 h", "0,1 h", "5 min", "0 h")
        assert number(1234.5) == "1.234,5"
        assert percent(0.5) == "50%"
        assert week_name(monday) == "Semana 48 · 23 nov – 29 nov 2026"
    with app.app_context(), app.test_request_context(headers=EN):
        assert day(monday) == "23 Nov 2026"
        assert (hours(90), hours(6), hours(1), hours(None)) == ("1.5 h", "0.1 h", "1 min", "0 h")
        assert number(1234.5) == "1,234.5"
        assert week_name(monday) == "Week 48 · 23 Nov – 29 Nov 2026"


@pytest.mark.parametrize("headers, plain, full, moment_text", [
    (EN, "3 Dec 2026", "Thursday, 3 Dec 2026", "3 Dec 2026, 14:05"),
    (ES, "3 dic 2026", "jueves, 3 dic 2026", "3 dic 2026, 14:05"),
])
def test_one_way_of_writing_dates_per_language(app, headers, plain, full, moment_text):
    thursday = date(2026, 12, 3)
    with app.app_context(), app.test_request_context(headers=headers):
        assert day(thursday) == plain
        for style in ("short", "medium", "long"):
            assert day(thursday, style) == plain
        assert day(thursday, "full") == full
        assert day(datetime(2026, 12, 3, 14, 5)) == plain
        assert moment(datetime(2026, 12, 3, 14, 5)) == moment_text
        assert moment(datetime(2026, 12, 3, 14, 5, 9), seconds=True) == moment_text + ":09"


@pytest.mark.parametrize("headers, across, within", [
    (EN, "Week 1 · 31 Dec 2029 – 6 Jan 2030", "30 Nov – 6 Dec 2026"),
    (ES, "Semana 1 · 31 dic 2029 – 6 ene 2030", "30 nov – 6 dic 2026"),
])
def test_a_week_across_a_year_end_names_both_years(app, headers, across, within):
    with app.app_context(), app.test_request_context(headers=headers):
        assert week_name(date(2029, 12, 31)) == across
        assert week_span(date(2026, 11, 30)) == within


def test_pages_show_dates_in_the_persons_locale(client_for, make_user, db):
    person = make_user(Role.AGENT, hired_on=date(2026, 11, 23), locale="es")
    assert "23 nov 2026" in page(client_for(person).get("/account"))
    person.locale = "en"
    person.save()
    assert "23 Nov 2026" in page(client_for(person).get("/account"))


def test_the_csv_export_stays_locale_neutral_in_spanish(client_for, make_user, db):
    person = make_user(Role.AGENT, locale="es")
    dev_day = DevDay.create(user=person, week_start=date(2026, 11, 23),
                            planned_on=date(2026, 11, 25), minutes=90, status="logged")
    Activity.create(dev_day=dev_day, kind="docs", minutes=90, note="FAQ de reembolsos")
    response = client_for(person).get("/me/export.csv", headers=ES)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(page(response))))
    assert rows[0] == ["week", "day", "kind", "minutes", "note", "link", "goal"]
    assert rows[1][:5] == ["2026-W48", "2026-11-25", "docs", "90", "FAQ de reembolsos"]


def test_hr_exports_stay_locale_neutral_for_a_spanish_reader(client_for, world):
    world.hr.locale = "es"
    world.hr.save()
    client = client_for(world.hr)
    assert "Plantilla al inicio" in page(client.get("/hr?from=2025-01-01&to=2025-12-31"))
    response = client.get("/hr/employees.csv?from=2025-01-01&to=2025-12-31", headers=ES)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(page(response))))
    assert list(rows[0])[:5] == ["email", "name", "team", "role", "hired_on"]
    agent = next(row for row in rows if row["name"] == "Agent A")
    assert agent["team"] == "Team A" and agent["role"] == "agent"
    assert agent["hired_on"] == "2020-01-06"
    assert re.fullmatch(r"\d+\.\d{2}", agent["tenure_years"])  # a dot, never a comma
    assert next(row for row in rows if row["role"] == "hr")["team"] == "(no team)"


def test_urls_stay_locale_neutral_in_spanish(client_for, make_user, db):
    person = make_user(Role.AGENT, locale="es")
    body = page(client_for(person).get("/week/2026-W48"))
    assert "Semana 48" in body
    links = re.findall(r'(?:href|action)="([^"]+)"', body)
    week_links = [link for link in links if link.startswith("/week/")]
    assert week_links and all(re.fullmatch(r"/week/\d{4}-W\d{2}(/[a-z-]+)?", link)
                              for link in week_links), week_links


# --- The same journeys in both languages ----------------------------------------------------

JOURNEY = {
    "en": {
        "headers": EN,
        "bad_sign_in": "That email and password don't match an account that can sign in.",
        "required": "This field is required.",
        "control": "Remove the invisible control characters.",
        "short_password": "Use at least 12 characters (256 at most).",
        "not_found": "We couldn't find that page",
        "forbidden": "That area is not open to you",
        "minutes": "Enter the minutes, from 1 to 720.",
    },
    "es": {
        "headers": ES,
        "bad_sign_in": ("Ese correo y esa contraseña no corresponden a ninguna cuenta que "
                        "pueda iniciar sesión."),
        "required": "Este campo es obligatorio.",
        "control": "Quita los caracteres de control invisibles.",
        "short_password": "Usa al menos 12 caracteres (256 como máximo).",
        "not_found": "No hemos encontrado esa página",
        "forbidden": "No tienes acceso a esta zona",
        "minutes": "Escribe los minutos, de 1 a 720.",
    },
}


@pytest.fixture(params=["en", "es"])
def lang(request):
    return JOURNEY[request.param]


def test_a_wrong_password_is_refused_in_the_page_language(client, make_user, lang):
    make_user(Role.AGENT, email="ana@example.com")
    response = client.post("/login", data={"email": "ana@example.com", "password": "nope"},
                           headers=lang["headers"])
    assert response.status_code == 401
    assert lang["bad_sign_in"] in page(response)


def test_account_validation_errors_in_the_page_language(client_for, make_user, lang):
    client = client_for(make_user(Role.AGENT))
    empty = client.post("/account", data={"name": "", "locale": "en"}, headers=lang["headers"])
    assert empty.status_code == 422
    assert lang["required"] in page(empty)
    control = client.post("/account", data={"name": "Ana\x07", "locale": "en"},
                          headers=lang["headers"])
    assert control.status_code == 422
    assert lang["control"] in page(control)


def test_password_rule_in_the_page_language(client_for, make_user, lang):
    client = client_for(make_user(Role.AGENT))
    response = client.post("/account/password", headers=lang["headers"], data={
        "current_password": PASSWORD, "new_password": "short", "confirm": "short"})
    assert response.status_code == 422
    assert lang["short_password"] in page(response)


def test_error_pages_in_the_page_language(client_for, make_user, lang):
    client = client_for(make_user(Role.AGENT))
    assert lang["not_found"] in page(client.get("/no-such-page", headers=lang["headers"]))
    assert lang["forbidden"] in page(client.get("/admin/users", headers=lang["headers"]))


def test_a_rejected_activity_is_explained_in_the_page_language(client_for, make_user, lang):
    person = make_user(Role.AGENT, hired_on=date(2020, 1, 6))
    response = client_for(person).post("/week/2026-W01/activities", headers=lang["headers"],
                                       data={"kind": "docs", "minutes": "0", "note": ""})
    assert response.status_code in (400, 422)
    assert lang["minutes"] in page(response)
    assert not DevDay.select().where(DevDay.user == person, DevDay.minutes > 0).exists()
