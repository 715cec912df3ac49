"""Rules on input that hold for every form and URL: dates within 1900–2200, page numbers
within bounds, emails that fit once normalised, one rule on characters for every text
field, and names compared as text, never as LIKE patterns. Bad input is a 4xx with the
message next to the field and changes nothing; never a 5xx."""

import importlib
import inspect
import pkgutil
from datetime import date, timedelta

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import DateTimeField, PasswordField, StringField, TextAreaField

import growth
from growth.forms import (
    DATE_RANGE_MESSAGE,
    PAGE_MAX,
    REFUSED_TEXT_MESSAGES,
    BaseForm,
    date_in_range,
    multi_line_text,
    page_number,
    single_line_text,
)
from growth.models import (
    ActionItem,
    Activity,
    AgendaItem,
    DevDay,
    Goal,
    OneOnOne,
    Review,
    ReviewCycle,
    Role,
    Team,
    User,
)
from growth.text import Refused, refused_character
from growth.weeks import parse_week

from .test_auth import sign_in

OUT_OF_RANGE = ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01"]
CONTROL = Refused.CONTROL
LINE_BREAK = Refused.LINE_BREAK


def rows_of_every_table() -> dict:
    return {model.__name__: model.select().count()
            for model in (User, Team, Goal, DevDay, Activity, OneOnOne, ActionItem,
                          AgendaItem, Review, ReviewCycle)}


# Item 10: dates, pages and emails never answer 5xx -----------------------------------------

def test_weeks_outside_1900_to_2200_are_not_weeks():
    assert parse_week("1900-W01") == date(1900, 1, 1)
    assert parse_week("2200-W52") == date(2200, 12, 22)
    for week in ("9999-W52", "0001-W01", "1899-W52", "2201-W01"):
        assert parse_week(week) is None


@pytest.mark.parametrize("week", ["9999-W52", "0001-W01", "1899-W52", "2201-W01"])
def test_week_pages_and_posts_outside_the_range_answer_404(world, client_for, week):
    agent = client_for(world.agent_a)
    before = rows_of_every_table()
    assert agent.get(f"/week/{week}").status_code == 404
    for action, data in [("plan", {"day": "2026-01-05", "plan": "x"}),
                         ("activities", {"kind": "docs", "minutes": "30"}),
                         ("skip", {"reason": "away"}), ("take-back", {}),
                         ("rating", {"rating": "3"})]:
        assert agent.post(f"/week/{week}/{action}", data=data).status_code == 404, action
    assert rows_of_every_table() == before


@pytest.mark.parametrize("week", ["1900-W01", "2200-W52"])
def test_the_first_and_last_weeks_in_range_show(world, client_for, week):
    assert client_for(world.agent_a).get(f"/week/{week}").status_code == 200


@pytest.mark.parametrize("page", ["100000000000000000", "9" * 30, "-5", "0", "abc", "1e9",
                                  str(PAGE_MAX + 1)])
def test_audit_page_numbers_are_bounded(world, client_for, page):
    response = client_for(world.admin).get(f"/admin/audit?page={page}")
    assert response.status_code == 200


def test_page_number_stays_between_one_and_the_maximum():
    assert page_number(MultiDict({"page": "100000000000000000"})) == PAGE_MAX
    assert page_number(MultiDict({"page": "-3"})) == 1
    assert page_number(MultiDict({"page": "x"})) == 1
    assert page_number(MultiDict({"page": "7"})) == 7


@pytest.mark.parametrize("start, end", [("9999-01-01", "9999-12-31"), ("0001-01-01", "0001-12-31"),
                                        ("1899-01-01", "1900-06-30"), ("2200-06-01", "2201-01-01")])
def test_hr_periods_outside_the_range_are_refused(world, client_for, start, end):
    hr = client_for(world.hr)
    response = hr.get(f"/hr?from={start}&to={end}")
    assert response.status_code == 400
    assert "Enter a date between 1900-01-01 and 2200-12-31." in response.get_data(as_text=True)
    for path in ("/hr/retention.csv", "/hr/retention.xlsx", "/hr/employees.csv",
                 "/hr/employees.xlsx"):
        assert hr.get(f"{path}?from={start}&to={end}").status_code == 400, path


@pytest.mark.parametrize("start, end", [("2200-01-01", "2200-12-31"), ("1900-01-01", "1949-12-31")])
def test_hr_periods_at_the_ends_of_the_range_work(world, client_for, start, end):
    hr = client_for(world.hr)
    assert hr.get(f"/hr?from={start}&to={end}").status_code == 200
    assert hr.get(f"/hr/retention.csv?from={start}&to={end}").status_code == 200


def _date_posts(world, review):
    """(who, path, form) for every form with a date field; `{day}` marks the date."""
    return [
        ("agent_a", f"/week/{date.today():%G-W%V}/plan", {"day": "{day}", "plan": "p"}),
        ("lead_a", f"/team/{world.agent_a.id}/one-on-ones",
         {"held_on": "{day}", "shared_notes": "s"}),
        ("lead_a", f"/team/{world.agent_a.id}/one-on-ones",
         {"held_on": date.today().isoformat(), "action_text": "Do it",
          "action_owner": "person", "action_due": "{day}"}),
        ("lead_a", f"/reviews/{review.id}/edit",
         {"version": str(review.version), "notes": "n", "held_on": "{day}"}),
        ("admin", "/admin/users/new",
         {"name": "New", "email": "new@example.com", "role": "agent", "team_id": "",
          "hired_on": "{day}", "weekly_dev_hours": "8"}),
        ("admin", f"/admin/users/{world.agent_b.id}",
         {"name": "B", "email": world.agent_b.email, "role": "agent",
          "team_id": str(world.team_b.id), "hired_on": "{day}", "weekly_dev_hours": "8"}),
        ("admin", f"/admin/users/{world.agent_b.id}/deactivate",
         {"left_on": "{day}", "leave_reason": "voluntary"}),
        ("admin", "/admin/cycles", {"name": "Far", "starts_on": "{day}",
                                    "ends_on": "{day}"}),
        ("hr", f"/hr/people/{world.agent_b.id}",
         {"hired_on": "{day}", "left_on": "", "leave_reason": "",
          "team_id": str(world.team_b.id)}),
        ("hr", f"/hr/people/{world.agent_b.id}",
         {"hired_on": "2020-01-06", "left_on": "{day}", "leave_reason": "voluntary",
          "team_id": str(world.team_b.id)}),
    ]


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_every_date_field_refuses_dates_outside_the_range(world, client_for, day):
    # Pages name the current cycle and the one that ended last, made when first needed:
    # both exist before the count, so what is counted is what the refused forms wrote.
    current = ReviewCycle.ensure_for(date.today())
    ReviewCycle.ensure_for(current.starts_on - timedelta(days=1))
    review = Review.create(person=world.agent_a, cycle=ReviewCycle.ensure_for(date.today()),
                           lead=world.lead_a)
    before = rows_of_every_table()
    people = {u.id: (u.hired_on, u.left_on, u.active) for u in User.select()}
    for who, path, form in _date_posts(world, review):
        data = {k: v.replace("{day}", day) for k, v in form.items()}
        response = client_for(getattr(world, who)).post(path, data=data)
        assert response.status_code in (400, 422), (path, response.status_code)
        assert "Enter a date between 1900-01-01 and 2200-12-31." in response.get_data(
            as_text=True), path
    assert rows_of_every_table() == before
    assert {u.id: (u.hired_on, u.left_on, u.active) for u in User.select()} == people
    assert Review.get_by_id(review.id).held_on is None


def test_no_date_or_page_parameter_answers_5xx(world, client_for):
    """A sweep of the URL parameters that hold dates or numbers, as the people they are for."""
    asks = {
        "agent_a": ["/week/9999-W52", "/week/0001-W01", "/week/2200-W53", "/week/1900-W00",
                    "/history?kind=%00", "/history?all=1&kind=\u202e"],
        "admin": ["/admin/audit?page=100000000000000000", "/admin/audit?page=-1",
                  "/admin/audit?person=" + "ß" * 200, "/admin/audit?action=%25"],
        "hr": [f"/hr?from={a}&to={b}" for a in OUT_OF_RANGE for b in OUT_OF_RANGE]
        + ["/hr?from=2026-02-30&to=2026-03-01", "/hr?from=&to=", "/hr?from=x",
           "/hr/people?q=%25", "/hr/people?q=" + "ß" * 200]
        + [f"/hr/retention.xlsx?from={a}&to=2026-01-01" for a in OUT_OF_RANGE],
    }
    failures = []
    for who, paths in asks.items():
        client = client_for(getattr(world, who))
        for path in paths:
            status = client.get(path).status_code
            if status >= 500:
                failures.append((path, status))
    assert not failures


@pytest.mark.parametrize("email", ["ß" * 200 + "@example.com", "ﬃ" * 100 + "@example.com",
                                   "x" * 250 + "ß" * 3])
def test_an_email_longer_once_case_folded_is_refused_at_sign_in_without_hashing(
        world, client, hash_verifications, email):
    response = sign_in(client, email, "any password at all")
    assert response.status_code == 400
    assert "Use an email address of at most 254 characters." in response.get_data(as_text=True)
    assert hash_verifications == []


@pytest.mark.parametrize("email", ["ß" * 200 + "@example.com", "ﬃ" * 100 + "@example.com"])
def test_an_email_longer_once_case_folded_is_refused_for_accounts(world, client_for, email):
    admin = client_for(world.admin)
    form = {"name": "Long", "email": email, "role": "agent", "team_id": "",
            "hired_on": "2024-01-08", "weekly_dev_hours": "8"}
    response = admin.post("/admin/users/new", data=form)
    assert response.status_code == 422
    assert "Use an email address of at most 254 characters." in response.get_data(as_text=True)
    assert not User.select().where(User.name == "Long").exists()
    response = admin.post(f"/admin/users/{world.agent_b.id}", data={
        **form, "team_id": str(world.team_b.id)})
    assert response.status_code == 422
    assert User.get_by_id(world.agent_b.id).email == world.agent_b.email


def test_a_sign_in_check_counts_an_overlong_address_instead_of_failing(app, world):
    from growth.auth import service as auth
    from growth.models import LoginFailure

    with app.test_request_context():
        assert auth.authenticate("ß" * 200 + "@example.com", "wrong", "10.0.0.1").user is None
    assert LoginFailure.select().count() == 1


def _one_on_one(lead, person, submission, notes="Talked"):
    return lead.post(f"/team/{person.id}/one-on-ones", data={
        "held_on": date.today().isoformat(), "shared_notes": notes, "submission": submission})


def test_a_one_on_one_key_of_another_meeting_never_answers_500(world, make_user, client_for):
    lead_a, lead_b = client_for(world.lead_a), client_for(world.lead_b)
    key = "meeting-key-0001"
    assert _one_on_one(lead_a, world.agent_a, key).status_code == 302
    # The same form sent twice (a double click) is the same meeting.
    assert _one_on_one(lead_a, world.agent_a, key).status_code == 302
    assert OneOnOne.select().count() == 1
    # The same lead's key sent for another of their people records nothing new; another
    # lead's copy of the key is theirs and records their own meeting.
    assert _one_on_one(lead_a, world.agent_a2, key, notes="Another").status_code == 302
    assert OneOnOne.select().count() == 1
    assert _one_on_one(lead_b, world.agent_b, key, notes="Lead B's").status_code == 302
    notes = {m.lead_id: m.shared_notes for m in OneOnOne.select()}
    assert notes == {world.lead_a.id: "Talked", world.lead_b.id: "Lead B's"}


# Item 11: one rule on characters for every text field ------------------------------------

REFUSED_ANYWHERE = {
    "RLO U+202E": "abc\u202edef", "LRI U+2066": "\u2066abc", "PDI U+2069": "abc\u2069",
    "RLM U+200F": "a\u200fb", "BEL": "ring\x07", "ESC": "\x1b[31mred", "NUL": "a\x00b",
    "NEL U+0085": "one\x85two", "CSI U+009B": "\x9b31m", "DEL": "a\x7fb",
    "lone CR": "a\rb", "FS U+001C": "\x1c",
}
REFUSED_ON_ONE_LINE = {
    "LF": "one\ntwo", "CR LF": "one\r\ntwo", "CR": "one\rtwo", "TAB": "a\tb",
    "LINE SEPARATOR": "a\u2028b", "trailing LF": "title\n",
}
FINE_ON_ONE_LINE = ["José Núñez", "成長 🌱", "O'Brien & Co. <b>", "ﬃ"]
FINE_ON_MANY_LINES = ["one\r\ntwo\r\n\tthree", "one\ntwo", "para\u2029graph", "😀\n成長"]


@pytest.mark.parametrize("name", list(REFUSED_ANYWHERE))
def test_controls_are_refused_in_any_text(name):
    text = REFUSED_ANYWHERE[name]
    assert refused_character(text, multiline=True) is CONTROL
    assert refused_character(text, multiline=False) is not None


@pytest.mark.parametrize("name", list(REFUSED_ON_ONE_LINE))
def test_line_breaks_and_tabs_are_refused_on_one_line_only(name):
    text = REFUSED_ON_ONE_LINE[name]
    assert refused_character(text, multiline=False) is LINE_BREAK
    if name != "CR":
        assert refused_character(text, multiline=True) is None


def _all_form_classes() -> list[type]:
    """Every BaseForm subclass in the app, found by importing every module of the package."""
    for module in pkgutil.walk_packages(growth.__path__, "growth."):
        importlib.import_module(module.name)
    found, todo = [], [BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("growth.") and inspect.getmodule(sub) is not None:
                found.append(sub)
    return found


def _text_fields(form):
    """(attribute name, field, multi-line?) of every text field but passwords."""
    for key, field in form._fields.items():
        kind = type(field)
        if issubclass(kind, StringField) and not issubclass(kind, PasswordField):
            yield key, field, issubclass(kind, TextAreaField)


def _bound(app, form_class, data):
    """The form bound to `data` as a POST would bind it (the review form with a goal)."""
    from growth.coaching.forms import ReviewForm, review_form

    with app.test_request_context(method="POST", data=data):
        if issubclass(form_class, ReviewForm):
            goal = type("Goal", (), {"id": 1, "title": "A goal"})()
            return review_form([goal], formdata=MultiDict(data))
        return form_class(formdata=MultiDict(data))


def test_every_form_is_found(app):
    from wtforms import Form

    forms = _all_form_classes()
    names = {cls.__name__ for cls in forms}
    # A form that is not a BaseForm would miss the rules BaseForm applies to every field.
    todo, strays = [Form], []
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("growth.") and not issubclass(sub, BaseForm):
                strays.append(sub.__qualname__)
    assert not strays
    assert {"GoalForm", "UserForm", "TeamForm", "ActivityForm", "OneOnOneForm", "LoginForm",
            "AgendaForm", "ReviewForm", "PeriodForm", "AccountForm"} <= names
    assert len(names) >= 20


def test_every_text_field_of_every_form_applies_the_rule(app):
    checked = 0
    for form_class in _all_form_classes():
        empty = _bound(app, form_class, {})
        for key, field, multiline in _text_fields(empty):
            if key == "csrf_token":
                continue
            expected = multi_line_text if multiline else single_line_text
            assert field.validators[0] is expected, (form_class.__name__, field.name)
            bad = {**REFUSED_ANYWHERE, **({} if multiline else REFUSED_ON_ONE_LINE)}
            for label, value in bad.items():
                form = _bound(app, form_class, {field.name: value})
                with app.test_request_context(method="POST"):
                    assert not form[key].validate(form), (form_class.__name__, key, label)
                    kind = refused_character(value, multiline=multiline)
                    assert form[key].errors == [REFUSED_TEXT_MESSAGES[kind]], (
                        form_class.__name__, key, label)
            fine = FINE_ON_MANY_LINES if multiline else FINE_ON_ONE_LINE
            for value in fine:
                form = _bound(app, form_class, {field.name: value})
                with app.test_request_context(method="POST"):
                    form[key].validate(form)
                    messages = {str(m) for m in REFUSED_TEXT_MESSAGES.values()}
                    assert not messages & {str(e) for e in form[key].errors}, (
                        form_class.__name__, key, value)
            checked += 1
    assert checked >= 25


def test_every_date_field_of_every_form_is_bounded(app):
    checked = 0
    for form_class in _all_form_classes():
        for key, field in _bound(app, form_class, {})._fields.items():
            if not isinstance(field, DateTimeField):
                continue
            assert field.validators[0] is date_in_range, (form_class.__name__, key)
            for day in OUT_OF_RANGE:
                form = _bound(app, form_class, {field.name: day})
                with app.test_request_context(method="POST"):
                    assert not form[key].validate(form), (form_class.__name__, key, day)
                    assert form[key].errors == [DATE_RANGE_MESSAGE]
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("title", ["Goal \u202eevil", "Goal\r\nSecond line", "Bell\x07",
                                   "Next\x85line"])
def test_a_goal_title_with_controls_is_refused_next_to_the_field(world, client_for, title):
    response = client_for(world.agent_a).post("/goals", data={"title": title, "why": "w"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert ("Remove the invisible control characters." in page
            or "Keep this to one line, without line breaks or tabs." in page)
    assert Goal.select().count() == 0


def test_http_level_text_rules(world, client_for):
    admin, agent, lead = (client_for(world.admin), client_for(world.agent_a),
                          client_for(world.lead_a))
    week = f"{date.today():%G-W%V}"
    # The one-on-one page names the current cycle and the one that ended last, made when
    # first needed: both exist before the count.
    current = ReviewCycle.ensure_for(date.today())
    ReviewCycle.ensure_for(current.starts_on - timedelta(days=1))
    before = rows_of_every_table()
    refused = [
        (admin, "/admin/teams", {"name": "Tier\n2", "lead_id": ""}),
        (admin, "/admin/users/new", {"name": "Ana \u2066x", "email": "ana@example.com",
                                     "role": "agent", "team_id": "",
                                     "hired_on": "2024-01-08", "weekly_dev_hours": "8"}),
        (admin, "/admin/users/new", {"name": "Ana", "email": "ana@example.com\r\nBcc: x",
                                     "role": "agent", "team_id": "",
                                     "hired_on": "2024-01-08", "weekly_dev_hours": "8"}),
        (agent, "/account", {"name": "Agent\x1b[31m", "locale": "en"}),
        (agent, f"/week/{week}/activities", {"kind": "docs", "minutes": "30",
                                             "link": "https://example.com/\u202eexe"}),
        (agent, f"/week/{week}/activities", {"kind": "docs", "minutes": "30",
                                             "note": "C1 \x9b here"}),
        (lead, f"/team/{world.agent_a.id}/one-on-ones",
         {"held_on": date.today().isoformat(), "action_text": "Call\nback",
          "action_owner": "person"}),
        (lead, f"/team/{world.agent_a.id}/one-on-ones",
         {"held_on": date.today().isoformat(), "action_text": "Call \u202eback",
          "action_owner": "person"}),
        (lead, f"/team/{world.agent_a.id}/agenda", {"text": "Talk\tabout"}),
    ]
    for client, path, data in refused:
        response = client.post(path, data=data)
        assert response.status_code in (400, 422), (path, data)
        page = response.get_data(as_text=True)
        assert ("Remove the invisible control characters." in page
                or "Keep this to one line, without line breaks or tabs." in page), path
    assert rows_of_every_table() == before
    assert User.get_by_id(world.agent_a.id).name == world.agent_a.name

    # Multi-line fields keep their line breaks and tabs.
    response = agent.post(f"/week/{week}/activities", data={
        "kind": "docs", "minutes": "30", "note": "line one\r\n\tline two"})
    assert response.status_code == 302
    assert Activity.get().note == "line one\r\n\tline two"


def test_import_people_applies_the_same_rule_with_line_numbers(app, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(
        "email,name,role,team,hired_on,left_on,leave_reason,weekly_dev_hours\n"
        "ok@example.com,Fine,agent,,2025-01-06,,,\n"
        "rlo@example.com,Ana \u202eevil,agent,,2025-01-06,,,\n"
        'nl@example.com,"Two\nLines",agent,,2025-01-06,,,\n'
        "tab@example.com,Tab,agent,Tier\t1,2025-01-06,,,\n"
        "bel@example.com\x07,Bell,agent,,2025-01-06,,,\n"
        "old@example.com,Old,agent,,1899-12-31,,,\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import-people", str(path)])
    assert result.exit_code == 1
    output = result.output
    assert "line 2:" not in output
    # Lines as an editor numbers them: the quoted name on line 4 runs on to line 5.
    for line, column in (("line 3:", "name"), ("line 4:", "name"), ("line 6:", "team"),
                         ("line 7:", "email"), ("line 8:", "hired_on")):
        assert f"{line} {column}:" in output, output
    assert User.select().count() == 0


# Item 12: names are compared as text, not as LIKE patterns ------------------------------

@pytest.mark.parametrize("name", ["Tier_1 Support", "%", "Tier%", "_", "Tier 1 Support!"])
def test_team_names_with_like_wildcards_are_not_taken(world, client_for, make_team, name):
    make_team("Tier 1 Support")
    response = client_for(world.admin).post("/admin/teams", data={"name": name,
                                                                  "lead_id": ""})
    assert response.status_code == 302
    assert Team.select().where(Team.name == name).count() == 1


@pytest.mark.parametrize("name", ["tier 1 support", "TIER 1 SUPPORT", " Tier 1 Support "])
def test_team_names_are_unique_ignoring_case(world, client_for, make_team, name):
    make_team("Tier 1 Support")
    before = Team.select().count()
    response = client_for(world.admin).post("/admin/teams", data={"name": name,
                                                                  "lead_id": ""})
    assert response.status_code == 422
    assert "There is already a team with that name." in response.get_data(as_text=True)
    assert Team.select().count() == before


def test_a_team_keeps_its_own_name_and_cannot_take_another(world, client_for, make_team):
    make_team("Tier_1")
    team = make_team("Tier 1")
    admin = client_for(world.admin)
    assert admin.post(f"/admin/teams/{team.id}", data={
        "name": "TIER 1", "lead_id": "", "version": "1"}).status_code == 302
    assert admin.post(f"/admin/teams/{team.id}", data={
        "name": "tier_1", "lead_id": "", "version": "2"}).status_code == 422
    assert Team.get_by_id(team.id).name == "TIER 1"


def test_people_search_takes_wildcards_literally(world, client_for, make_user):
    make_user(Role.AGENT, name="Ana 100% Lopez", email="ana_lopez@example.com")
    make_user(Role.AGENT, name="Anabel Lopez", email="anaxlopez@example.com")
    hr = client_for(world.hr)

    def found(q):
        page = hr.get("/hr/people", query_string={"q": q}).get_data(as_text=True)
        return {name for name in ("Ana 100% Lopez", "Anabel Lopez", "Agent A") if name in page}

    assert found("%") == {"Ana 100% Lopez"}
    assert found("ana_lopez") == {"Ana 100% Lopez"}
    assert found("_") == {"Ana 100% Lopez"}
    assert found("lopez") == {"Ana 100% Lopez", "Anabel Lopez"}
    assert found("!") == set()
