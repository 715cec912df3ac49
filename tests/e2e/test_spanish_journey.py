"""A person whose browser speaks English switches Growth to Spanish and works in Spanish;
someone whose browser speaks Spanish gets a Spanish sign-in page and can switch it."""

import re
from datetime import date

import pytest

from growth.models import Role, Team, User
from growth.passwords import hash_password
from growth.weeks import monday_of

from ..conftest import PASSWORD
from .conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def ana(live_server):
    team = Team.create(name="Soporte Nivel 1")
    return User.create(email="ana@example.com", name="Ana Ruiz", role=Role.AGENT.value,
                       team=team, hired_on=date(2022, 5, 2),
                       password_hash=hash_password(PASSWORD))


def test_switch_to_spanish_on_the_account_page_and_work_in_spanish(page, ana):
    sign_in(page, "ana@example.com", PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="My week").wait_for()

    # The account page: pick Español and save.
    nav.get_by_role("link", name="Ana Ruiz").click()
    page.get_by_label("Language").select_option(label="Español")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Tu cuenta está guardada.").wait_for()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", name="Tu cuenta").is_visible()

    # The navigation speaks Spanish, and nothing of it is left in English.
    nav = page.get_by_role("navigation", name="Principal")
    links = {text.strip() for text in nav.get_by_role("link").all_inner_texts()}
    assert {"Mi semana", "Historial", "Objetivos", "Coaching"} <= links
    assert not {"My week", "History", "Goals"} & links
    assert nav.get_by_role("button", name="Cerrar sesión").is_visible()

    # The week page: title, week name with a Spanish month, the form's labels.
    nav.get_by_role("link", name="Mi semana").click()
    page.get_by_role("heading", name="Mi semana").wait_for()
    today = date.today()
    week_number = monday_of(today).isocalendar()[1]
    assert page.get_by_text(re.compile(rf"^Semana {week_number} · ")).is_visible()
    assert page.get_by_role("heading", name="Tiempo de desarrollo").is_visible()
    log = page.get_by_role("region", name="Registra lo que hiciste")
    assert log.get_by_label("Qué hiciste").is_visible()

    # A rejected entry explains itself in Spanish, next to the field, input kept.
    log.get_by_label("Minutos").fill("0")
    log.get_by_label("Nota").fill("Leí la guía de reembolsos")
    log.get_by_role("button", name="Registrar", exact=True).click()
    page.get_by_text("Escribe los minutos, de 1 a 720.").wait_for()
    log = page.get_by_role("region", name="Registra lo que hiciste")
    assert log.get_by_label("Nota").input_value() == "Leí la guía de reembolsos"

    # And a good one is confirmed in Spanish, with hours written the Spanish way.
    log.get_by_label("Minutos").fill("90")
    log.get_by_role("button", name="Registrar", exact=True).click()
    page.get_by_text("Registrado: 1,5 h.").wait_for()

    # Signed out and back in on this browser (still English), Growth stays in Spanish.
    page.get_by_role("button", name="Cerrar sesión").click()
    page.get_by_role("heading", name="Sign in to Growth").wait_for()
    sign_in(page, "ana@example.com", PASSWORD)
    page.get_by_role("navigation", name="Principal").get_by_role(
        "link", name="Mi semana").wait_for()
    assert User.get_by_id(ana.id).locale == "es"


def test_a_spanish_browser_gets_spanish_and_the_sign_in_switch_changes_it(page_for, ana):
    page = page_for("es-ES")
    page.goto("/login")
    page.get_by_role("heading", name="Inicia sesión en Growth").wait_for()

    # A wrong password is refused in Spanish.
    page.get_by_label("Correo electrónico").fill("ana@example.com")
    page.get_by_label("Contraseña").fill("no es la contraseña")
    page.get_by_role("button", name="Iniciar sesión").click()
    page.get_by_text("Ese correo y esa contraseña no corresponden a ninguna cuenta").wait_for()

    # The switch on the sign-in page turns it to English, and back.
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Sign in to Growth").wait_for()
    page.get_by_role("button", name="Español").click()
    page.get_by_role("heading", name="Inicia sesión en Growth").wait_for()

    page.get_by_label("Correo electrónico").fill("ana@example.com")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.get_by_role("navigation", name="Principal").get_by_role(
        "link", name="Mi semana").wait_for()
