"""Where the folders Growth reads at run time live.

The repository keeps `templates/`, `static/` and `migrations/` at its root; the build
copies them into the package. An installed Growth finds them inside the package; a source
checkout (an editable install, or tests run from the repository) at the repository root.
"""

import os
from importlib.resources import files
from pathlib import Path

PACKAGE = Path(str(files(__package__)))
CHECKOUT = PACKAGE.parent

APP_FOLDERS = ("templates", "static", "migrations")


class ConfigError(RuntimeError):
    """A setting or an installation that Growth can't run with; the message names what to fix
    and is shown as one line (exit status 2), never as a traceback."""


def is_source_checkout() -> bool:
    """True when this package is the `growth/` folder of a repository checkout."""
    return (CHECKOUT / "pyproject.toml").is_file() and (CHECKOUT / "migrations").is_dir()


def folder(name: str) -> Path:
    """The folder `name` (one of APP_FOLDERS): inside the installed package, else at the root of
    the source checkout. Raises ConfigError when neither has it (an incomplete install)."""
    for place in (PACKAGE / name, CHECKOUT / name if is_source_checkout() else None):
        if place is not None and place.is_dir():
            return place
    raise ConfigError(f"The installed package has no {name}/ folder ({PACKAGE}): "
                      "reinstall Growth from its wheel or sdist.")


def instance_path() -> str | None:
    """GROWTH_INSTANCE_PATH, else `instance/` in a source checkout, else None: Flask's
    default for an installed package, `<prefix>/var/growth-instance`. Never inside the
    package."""
    configured = os.environ.get("GROWTH_INSTANCE_PATH")
    if configured:
        return os.path.abspath(configured)
    if is_source_checkout():
        return str(CHECKOUT / "instance")
    return None
