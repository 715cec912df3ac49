"""Growth: protected development days, coaching and retention for support teams."""

import sys

from flask import Flask

__version__ = "0.2.0"


def _run_by_the_command_line() -> bool:
    """True inside a `growth …` / `flask --app growth …` command, which may be the one
    that migrates; False under gunicorn or any other WSGI server."""
    import click

    return click.get_current_context(silent=True) is not None


def create_app(test_config: dict | None = None) -> Flask:
    """The application factory: the only place a Flask object is made."""
    from .resources import ConfigError

    try:
        return _create_app(test_config)
    except ConfigError as error:
        if _run_by_the_command_line() or test_config is not None:
            raise
        # A WSGI server (gunicorn --preload) stops with one line and status 2.
        print(f"Error: {error}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None


def _create_app(test_config: dict | None) -> Flask:
    from . import resources

    app = Flask(
        __name__,
        template_folder=str(resources.folder("templates")),
        static_folder=str(resources.folder("static")),
        instance_path=(test_config or {}).get("INSTANCE_PATH") or resources.instance_path(),
        instance_relative_config=True,
    )
    from . import config

    config.load(app, test_config)

    from . import cli, db, errors, forms, i18n, labels, security, static_files

    db.init_app(app)
    if app.config["ENV"] == "production" and not _run_by_the_command_line():
        db.check_schema()  # a server never starts on a schema its code doesn't match
    static_files.init_app(app)
    i18n.init_app(app)
    labels.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    forms.init_app(app)

    from .admin.views import bp as admin_bp
    from .auth import oidc
    from .auth.views import bp as auth_bp
    from .calendar.views import bp as calendar_bp
    from .coaching.views import bp as coaching_bp
    from .coverage.views import bp as coverage_bp
    from .dev_days.views import bp as dev_days_bp
    from .feedback.views import bp as feedback_bp
    from .goals.views import bp as goals_bp
    from .hr.views import bp as hr_bp
    from .reminders.views import bp as reminders_bp

    oidc.init_app(app)
    for blueprint in (auth_bp, oidc.bp, dev_days_bp, goals_bp, coverage_bp, coaching_bp,
                      feedback_bp, hr_bp, admin_bp, reminders_bp, calendar_bp):
        app.register_blueprint(blueprint)

    from . import permissions

    permissions.init_app(app)
    cli.init_app(app)
    return app
