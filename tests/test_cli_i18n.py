"""The command line speaks the language of its environment: GROWTH_LOCALE, else the POSIX
LC_ALL, LC_MESSAGES and LANG; English for anything else. Web requests ignore all four."""

import csv
import io

import pytest
from flask.cli import ScriptInfo
from flask_babel import refresh

from growth import cli as growth_cli
from growth.i18n import environment_locale
from growth.models import Role, User

SPANISH = {"LANG": "es_ES.UTF-8"}
HEADER = "email,name,role,team,hired_on,left_on,leave_reason,weekly_dev_hours\n"


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def run(*args, env=None, input=None):
        # Each run of `growth` is a new process; here the test's app context is shared, and
        # Flask-Babel keeps the language it chose in it.
        refresh()
        return runner.invoke(args=list(args), env=env, input=input)

    return run


@pytest.mark.parametrize("environment, expected", [
    ({}, "en"),
    ({"LANG": "es_ES.UTF-8"}, "es"),
    ({"LANG": "es"}, "es"),
    ({"LANG": "es_MX.utf8@euro"}, "es"),
    ({"LANG": "C"}, "en"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LANG": "POSIX"}, "en"),
    ({"LANG": "de_DE.UTF-8"}, "en"),
    ({"LANG": "en_GB.UTF-8"}, "en"),
    ({"LANG": ""}, "en"),
    ({"LC_MESSAGES": "es_ES.UTF-8", "LANG": "en_US.UTF-8"}, "es"),
    ({"LC_ALL": "C", "LC_MESSAGES": "es_ES.UTF-8"}, "en"),
    ({"LC_ALL": "es_AR.UTF-8", "LANG": "en_US.UTF-8"}, "es"),
    ({"GROWTH_LOCALE": "es", "LC_ALL": "en_US.UTF-8"}, "es"),
    ({"GROWTH_LOCALE": "en", "LANG": "es_ES.UTF-8"}, "en"),
    ({"GROWTH_LOCALE": "es-ES"}, "es"),
    ({"GROWTH_LOCALE": "fr", "LANG": "es_ES.UTF-8"}, "en"),
])
def test_the_first_locale_variable_set_decides(monkeypatch, environment, expected):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert environment_locale(("en", "es")) == expected


def test_import_people_names_every_bad_line_in_spanish(cli, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(HEADER
                    + "ok@example.com,Fine,agent,,2025-01-06,,,\n"
                    + "bad,No Email,agent,,2025-01-06,,,\n"
                    + "x@example.com,X,wizard,,2025-01-06,,,\n"
                    + "y@example.com,Y,agent,,2025-13-06,,,\n"
                    + "z@example.com,Z,agent,,2025-01-06,2025-02-01,,\n")
    result = cli("import-people", str(path), env=SPANISH)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "línea 3: 'bad' no es una dirección de correo (columna email).",
        "línea 4: role tiene que ser uno de estos: agent, lead, hr, admin; no 'wizard'.",
        "línea 5: hired_on tiene que ser una fecha escrita AAAA-MM-DD, no '2025-13-06'.",
        "línea 6: leave_reason es obligatorio si hay fecha en left_on.",
        "Error: 4 filas incorrectas; no se ha importado nada.",
    ]
    assert User.select().count() == 0


def test_import_people_reports_missing_columns_in_spanish(cli, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("email,name\nx@example.com,X\n")
    result = cli("import-people", str(path), env=SPANISH)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "línea 1: faltan columnas: role, team, hired_on, left_on, leave_reason, "
        "weekly_dev_hours.")
    assert result.stderr.splitlines()[-1] == "Error: 1 fila incorrecta; no se ha importado nada."


def test_import_people_success_in_spanish(cli, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(HEADER + "ok@example.com,Fine,agent,Equipo Z,2025-01-06,,,\n")
    dry = cli("import-people", str(path), "--dry-run", env=SPANISH)
    assert dry.exit_code == 0
    assert dry.stdout == "1 fila es válida. No se ha guardado nada (--dry-run).\n"
    done = cli("import-people", str(path), env=SPANISH)
    assert done.exit_code == 0
    assert done.stdout == ("Personas creadas: 1, actualizadas: 0; equipos nuevos: 1.\n")


def test_create_user_with_a_bad_email_fails_in_spanish(cli):
    result = cli("create-user", "not-an-email", "--name", "X", "--role", "agent", env=SPANISH)
    assert result.exit_code != 0
    assert result.stderr == "Error: 'not-an-email' no es una dirección de correo.\n"
    assert result.stdout == ""
    assert User.select().count() == 0


def test_create_user_in_spanish(cli):
    result = cli("create-user", "lea@example.com", "--name", "Lea", "--role", "lead",
                 env=SPANISH)
    assert result.exit_code == 0, result.output
    first, second = result.stdout.splitlines()
    assert first.startswith("Cuenta creada: lea@example.com (Responsable). "
                            "Contraseña de un solo uso: ")
    assert second == "Elegirá su propia contraseña la primera vez que inicie sesión."


def test_a_service_error_reaches_the_command_line_in_spanish(cli, make_user):
    make_user(Role.AGENT, email="ana@example.com")
    result = cli("create-user", "ANA@example.com", "--name", "Ana", "--role", "agent",
                 env=SPANISH)
    assert result.exit_code == 1
    assert result.stderr == "Error: Ese correo ya lo tiene otra persona.\n"


def test_demo_prints_the_sign_in_table_in_spanish(cli):
    result = cli("demo", env=SPANISH)
    assert result.exit_code == 0, result.output
    assert result.stderr == "Creando la organización de demostración…\n"
    lines = result.stdout.splitlines()
    assert lines[0] == "Accesos de la demo (contraseña para todos: growth-demo-2026):"
    assert lines[1].split() == ["Rol", "Correo", "electrónico", "Nombre"]
    assert lines[2].split() == ["Agente", "agent@example.com", "Ana", "Ruiz"]
    assert lines[3].split() == ["Responsable", "lead@example.com", "Leo", "Martin"]
    # The columns line up whatever the words' lengths.
    email_columns = {line.index(next(word for word in line.split() if "@" in word))
                     for line in lines[2:]}
    assert email_columns == {lines[1].index("Correo")}
    again = cli("demo", env=SPANISH)
    assert again.exit_code == 1
    assert again.stderr == ("Error: la base de datos ya tiene personas; la demo solo llena "
                            "una vacía.\n")


@pytest.mark.parametrize("environment", [
    {"LANG": "C"},
    {"LANG": "C.UTF-8", "LC_MESSAGES": "POSIX"},
    {},
    {"LANG": "de_DE.UTF-8"},
])
def test_c_unset_or_unsupported_locales_get_english(cli, tmp_path, environment):
    path = tmp_path / "people.csv"
    path.write_text(HEADER + "bad,No Email,agent,,2025-01-06,,,\n")
    result = cli("import-people", str(path), env=environment)
    assert result.stderr.splitlines() == [
        "line 2: email 'bad' is not an email address.",
        "Error: 1 bad row; nothing was imported.",
    ]
    bad_email = cli("create-user", "nope", "--name", "X", "--role", "agent", env=environment)
    assert bad_email.stderr == "Error: 'nope' is not an email address.\n"
    demo = cli("demo", env=environment)
    assert demo.stdout.splitlines()[1].split() == ["Role", "Email", "Name"]
    assert "Lead" in demo.stdout.splitlines()[3]


def test_help_texts_are_translated(cli):
    result = cli("create-user", "--help", env=SPANISH)
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "Crea una cuenta y muestra su contraseña de un solo uso." in text
    assert "Nombre del equipo; se crea si no existe." in text
    assert "AAAA-MM-DD (por defecto: hoy)." in text
    english = " ".join(cli("create-user", "--help").stdout.split())
    assert "Team name; created when missing." in english


def test_the_growth_command_lists_its_commands_in_spanish(app, monkeypatch):
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")  # FlaskGroup sets it; restored after
    runner = app.test_cli_runner()
    refresh()
    result = runner.invoke(growth_cli.main, ["--help"], env=SPANISH,
                           obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "Growth: días de desarrollo, coaching y retención." in text
    assert "Crea una cuenta" in text and "Migraciones de la base de datos." in text


def test_exports_stay_locale_neutral_on_a_spanish_command_line(cli, world):
    result = cli("export", "employees", "--from", "2025-01-01", "--to", "2025-12-31",
                 env=SPANISH)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0])[:5] == ["email", "name", "team", "role", "hired_on"]
    agent = next(row for row in rows if row["name"] == "Agent A")
    assert agent["role"] == "agent" and agent["hired_on"] == "2020-01-06"
    assert "," not in agent["tenure_years"]
    reversed_dates = cli("export", "retention", "--from", "2026-05-01", "--to", "2026-01-01",
                         env=SPANISH)
    assert reversed_dates.stderr == "Error: --from no puede ser posterior a --to.\n"


def test_web_requests_ignore_the_servers_locale(client, client_for, make_user, monkeypatch):
    monkeypatch.setenv("LANG", "es_ES.UTF-8")
    monkeypatch.setenv("GROWTH_LOCALE", "es")
    english = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Sign in to Growth" in english.get_data(as_text=True)
    spanish = client.get("/login", headers={"Accept-Language": "es-ES,es;q=0.9"})
    assert "Inicia sesión en Growth" in spanish.get_data(as_text=True)
    person = make_user(Role.AGENT, locale="en")
    account = client_for(person).get("/account", headers={"Accept-Language": "es"})
    assert '<html lang="en">' in account.get_data(as_text=True)
