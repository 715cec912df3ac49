"""Where Growth finds what it reads at run time, in a source checkout (the installed wheel is
tested in test_shipping.py), configuration errors on the command line, and static files
with their content's hash in the URL."""

import hashlib
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from growth import create_app, resources
from growth.cli import main
from growth.db import MigrationsMissing, migrations_dir, runner

ROOT = Path(__file__).resolve().parent.parent


def test_a_checkout_reads_the_folders_at_the_repository_root(monkeypatch):
    monkeypatch.delenv("GROWTH_INSTANCE_PATH", raising=False)
    assert resources.is_source_checkout()
    for name in resources.APP_FOLDERS:
        assert resources.folder(name) == ROOT / name
    assert resources.instance_path() == str(ROOT / "instance")


def test_the_package_folder_wins_over_the_checkout(monkeypatch, tmp_path):
    package = tmp_path / "site-packages" / "growth"
    (package / "templates").mkdir(parents=True)
    monkeypatch.setattr(resources, "PACKAGE", package)
    monkeypatch.setattr(resources, "CHECKOUT", package.parent)  # no pyproject.toml there
    assert resources.folder("templates") == package / "templates"
    assert not resources.is_source_checkout()
    with pytest.raises(resources.ConfigError, match="no static/ folder"):
        resources.folder("static")
    monkeypatch.delenv("GROWTH_INSTANCE_PATH", raising=False)
    assert resources.instance_path() is None  # Flask's <prefix>/var/growth-instance


def test_the_instance_folder_comes_from_the_environment(monkeypatch, tmp_path, database_url):
    monkeypatch.setenv("GROWTH_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"ENV": "development", "TESTING": True, "DATABASE_URL": database_url})
    assert app.instance_path == str(tmp_path / "instance")
    assert (tmp_path / "instance" / "secret_key").is_file()  # the development key lives there


def test_no_migration_files_is_an_error_never_up_to_date(app, monkeypatch, tmp_path):
    empty = tmp_path / "migrations"
    empty.mkdir()
    monkeypatch.setattr(resources, "folder", lambda name: empty)
    with pytest.raises(MigrationsMissing, match="No migration files"):
        migrations_dir()
    with pytest.raises(MigrationsMissing):
        runner()
    result = CliRunner().invoke(main, ["db", "upgrade"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "No migration files" in result.output
    assert "up to date" not in result.output


@pytest.mark.parametrize("environment, setting", [
    ({"GROWTH_ENV": "production"}, "GROWTH_SECRET_KEY"),
    ({"GROWTH_ENV": "production", "GROWTH_SECRET_KEY": "too-short"}, "GROWTH_SECRET_KEY"),
    ({"GROWTH_ENV": "staging"}, "GROWTH_ENV"),
    ({"GROWTH_ENV": "production", "GROWTH_SECRET_KEY": "k" * 40,
      "GROWTH_DATABASE_URL": "sqlite:///growth.db"}, "GROWTH_DATABASE_URL"),
    ({"GROWTH_ENV": "development", "GROWTH_DATABASE_URL": "sqlite://growth.db"},
     "GROWTH_DATABASE_URL"),
    ({"GROWTH_ENV": "development", "GROWTH_DATABASE_URL": "postgresql://db.internal"},
     "GROWTH_DATABASE_URL"),
    ({"GROWTH_ENV": "development", "GROWTH_DATABASE_URL": "mysql://db/growth"},
     "GROWTH_DATABASE_URL"),
])
def test_a_configuration_error_ends_the_command_in_one_line(monkeypatch, tmp_path,
                                                             environment, setting):
    monkeypatch.setenv("GROWTH_INSTANCE_PATH", str(tmp_path))
    for name in ("GROWTH_SECRET_KEY", "GROWTH_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["db", "status"])
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and setting in lines[0]


def test_version_needs_no_configuration(monkeypatch):
    from growth import __version__

    monkeypatch.setenv("GROWTH_ENV", "production")
    monkeypatch.delenv("GROWTH_SECRET_KEY", raising=False)
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"growth {__version__}\n"
    assert re.search(rf'^version = "{re.escape(__version__)}"$',
                     (ROOT / "growth" / "__init__.py").read_text().replace("__version__",
                                                                           "version"), re.M)


def test_static_urls_carry_the_content_hash_and_are_cached_for_a_year(app, client_for, world):
    css = ROOT / "static" / "css" / "growth.css"
    digest = hashlib.sha256(css.read_bytes()).hexdigest()[:12]
    page = client_for(world.agent_a).get("/").get_data(as_text=True)
    assert f'href="/static/css/growth.css?v={digest}"' in page

    client = app.test_client()
    with client.get(f"/static/css/growth.css?v={digest}") as versioned:
        assert versioned.status_code == 200
        assert versioned.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for stale in ("/static/css/growth.css", "/static/css/growth.css?v=0123456789ab"):
        with client.get(stale) as response:
            assert response.status_code == 200
            assert response.headers["Cache-Control"] == "no-cache"
    for missing in ("/static/css/nothing.css?v=x", "/static/../pyproject.toml"):
        with client.get(missing) as response:
            assert response.status_code == 404
