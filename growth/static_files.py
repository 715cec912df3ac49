"""Static files carry a hash of their content in their URL (`/static/css/growth.css?v=…`), so
browsers and proxies may keep them for a year and still fetch a changed file at once after
an upgrade."""

import hashlib
from pathlib import Path

from flask import request
from werkzeug.security import safe_join

A_YEAR = 365 * 24 * 3600


def init_app(app):
    folder = str(Path(app.static_folder))
    versions: dict[str, str] = {}

    def version(filename: str) -> str | None:
        """The first 12 hex digits of the file's SHA-256, read once per process; None when
        there is no such file."""
        if filename not in versions:
            path = safe_join(folder, filename)
            if path is None or not Path(path).is_file():
                return None  # not remembered: a URL can't fill this dict
            versions[filename] = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
        return versions[filename]

    @app.url_defaults
    def add_version(endpoint, values):
        if endpoint == "static" and "v" not in values:
            current = version(values.get("filename", ""))
            if current:
                values["v"] = current

    @app.after_request
    def cache_static(response):
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        current = version((request.view_args or {}).get("filename", ""))
        if current and request.args.get("v") == current:
            response.headers["Cache-Control"] = f"public, max-age={A_YEAR}, immutable"
        else:
            # An unversioned or outdated URL: the browser checks back (ETag) every time.
            response.headers["Cache-Control"] = "no-cache"
        response.headers.pop("Expires", None)
        return response
