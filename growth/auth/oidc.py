"""Single sign-on: OpenID Connect with the company's identity provider.

Authlib's Flask client does the protocol: the discovery document, the authorization code
flow with PKCE (S256), `state` and `nonce` kept in the browser's session, the code exchange,
and the ID token's checks (signature against the issuer's published keys, `iss`, `aud`,
`exp`, `nonce`). This module decides who that is: the person whose verified email matches
an existing, active account. Nobody is ever created here.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from joserfc.errors import JoseError

from .. import audit
from ..models import LoginFailure, User, normalize_email, utcnow
from ..resources import ConfigError
from ..security import client_address, landing_url, open_session, safe_next

bp = Blueprint("oidc", __name__)

EXTENSION = "growth.oidc"
SCOPES = "openid email profile"
# Seconds of clock difference allowed between the provider and this server.
CLOCK_LEEWAY = 60
# Seconds to wait for the provider's discovery document, keys and token endpoint.
PROVIDER_TIMEOUT = 10
NEXT_KEY = "oidc_next"
CLIENT_NAME = "identity_provider"
# Authlib keeps each sign-in's state, nonce and PKCE verifier in the session under this.
PENDING_PREFIX = f"_state_{CLIENT_NAME}_"


@dataclass
class Refused(Exception):
    """A sign-in that can't go on: `reason` goes to the audit trail, `message` to the
    person."""

    reason: str
    message: object
    email: str = ""
    user: User | None = None


def init_app(app) -> None:
    """Check the single sign-on settings and, when an issuer is set, register the client.
    Raises ConfigError naming the setting that is missing or unusable."""
    config = app.config
    for name, default in (("OIDC_ISSUER", None), ("OIDC_CLIENT_ID", None),
                          ("OIDC_CLIENT_SECRET", None), ("OIDC_NAME", None),
                          ("PASSWORD_SIGN_IN", True)):
        config.setdefault(name, default)
    issuer = _check_settings(config)
    app.jinja_env.globals.update(single_sign_on=enabled, single_sign_on_name=provider_name,
                                 password_form_shown=password_form_shown,
                                 keep_signed_in_offered=keep_signed_in_offered)
    if issuer is None:
        return
    # A client of its own per app: Authlib's registry caches clients by name.
    client = OAuth(app).register(
        CLIENT_NAME,
        client_id=str(config["OIDC_CLIENT_ID"]),
        client_secret=str(config["OIDC_CLIENT_SECRET"]),
        server_metadata_url=f"{issuer.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={"scope": SCOPES, "code_challenge_method": "S256",
                       "default_timeout": PROVIDER_TIMEOUT},
    )
    app.extensions[EXTENSION] = client
    # The sign-in button posts to Growth, which redirects the form to the provider: the
    # browser checks that redirect against form-action.
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(issuer))
    app.config["CSP_FORM_ACTION"] = (*app.config.get("CSP_FORM_ACTION", ()), origin)


def _check_settings(config) -> str | None:
    """The issuer URL when single sign-on is configured, else None."""
    issuer = config["OIDC_ISSUER"] or None
    client_id, secret = config["OIDC_CLIENT_ID"], config["OIDC_CLIENT_SECRET"]
    if not isinstance(config["PASSWORD_SIGN_IN"], bool):
        raise ConfigError("GROWTH_PASSWORD_SIGN_IN must be true or false.")
    if issuer is None:
        if client_id or secret:
            raise ConfigError("GROWTH_OIDC_ISSUER must be set (the identity provider's issuer "
                              "URL) when GROWTH_OIDC_CLIENT_ID or GROWTH_OIDC_CLIENT_SECRET is.")
        if not config["PASSWORD_SIGN_IN"]:
            raise ConfigError("GROWTH_PASSWORD_SIGN_IN=false needs single sign-on: set "
                              "GROWTH_OIDC_ISSUER, GROWTH_OIDC_CLIENT_ID and "
                              "GROWTH_OIDC_CLIENT_SECRET.")
        return None
    parts = urlsplit(str(issuer))
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if (parts.scheme != "https" and not (parts.scheme == "http" and local)) or not parts.netloc \
            or parts.query or parts.fragment:
        raise ConfigError("GROWTH_OIDC_ISSUER must be the provider's https:// issuer URL, "
                          "without query or fragment (for example "
                          "https://accounts.google.com).")
    if not client_id:
        raise ConfigError("GROWTH_OIDC_CLIENT_ID must be set when GROWTH_OIDC_ISSUER is: the "
                          "client id the identity provider gave Growth.")
    if not secret:
        raise ConfigError("GROWTH_OIDC_CLIENT_SECRET must be set when GROWTH_OIDC_ISSUER is: "
                          "the client secret the identity provider gave Growth.")
    return str(issuer)


def enabled() -> bool:
    return EXTENSION in current_app.extensions


def provider_name() -> str:
    return current_app.config["OIDC_NAME"] or _("your company account")


def password_sign_in_for(user: User) -> bool:
    """Whether `user` may sign in with a password: everyone, unless GROWTH_PASSWORD_SIGN_IN
    is false; then admins only, so they can still get in while the provider is down."""
    from ..permissions import can_admin

    return current_app.config.get("PASSWORD_SIGN_IN", True) or can_admin(user)


def password_form_shown() -> bool:
    """The sign-in page shows the password form unless passwords are for admins only; then
    on the admins' link (`?with_password=1`), and again after a password was tried."""
    return (current_app.config["PASSWORD_SIGN_IN"] or not enabled()
            or request.args.get("with_password") == "1" or request.method == "POST")


def keep_signed_in_offered() -> bool:
    """"Keep me signed in" works for agents only: it is offered wherever agents may use the
    password form, and not when that form is for admins alone."""
    return current_app.config["PASSWORD_SIGN_IN"] or not enabled()


def _client():
    client = current_app.extensions.get(EXTENSION)
    if client is None:
        abort(404)
    return client


def _provider_metadata(client) -> dict:
    """The discovery document, refused unless it names the configured issuer (OpenID
    Connect Discovery 1.0, section 4.3)."""
    metadata = client.load_server_metadata()
    # (A trailing slash typed into the setting is no reason to refuse.)
    configured = str(current_app.config["OIDC_ISSUER"]).rstrip("/")
    if str(metadata.get("issuer", "")).rstrip("/") != configured:
        client.server_metadata.clear()  # ask again next time
        raise Refused("wrong_issuer", _l("The sign-in service answered as someone else. "
                                         "Please tell your admin."))
    return metadata


def _redirect_uri() -> str:
    base = current_app.config.get("BASE_URL")
    if base:
        return f"{str(base).rstrip('/')}{url_for('oidc.callback')}"
    return url_for("oidc.callback", _external=True)


@bp.post("/login/oidc")
def start():
    """Send the browser to the identity provider (a POST: it starts a new sign-in)."""
    client = _client()
    try:
        _provider_metadata(client)
    except requests.RequestException:
        flash(_("%(name)s can't be reached right now. Please try again in a few minutes.",
                name=provider_name()), "error")
        return redirect(url_for("auth.login"))
    except Refused as refusal:
        flash(str(refusal.message), "error")
        return redirect(url_for("auth.login"))
    # One sign-in at a time per browser: abandoned ones would grow the session cookie
    # past what browsers keep.
    for key in [key for key in session if key.startswith(PENDING_PREFIX)]:
        del session[key]
    session.pop(NEXT_KEY, None)
    next_path = safe_next(request.form.get("next"))
    if next_path:
        session[NEXT_KEY] = next_path
    return client.authorize_redirect(_redirect_uri())


@bp.get("/login/oidc/callback")
def callback():
    """Where the provider sends the browser back: sign the person in, or say why not."""
    client = _client()
    address = client_address()
    retry_at = _address_refused_until(address)
    if retry_at is not None:
        audit.record("sign_in_throttled", detail="oidc")
        flash(_("Too many attempts. Try again after %(time)s.",
                time=format_time(retry_at, "short")), "error")
        return redirect(url_for("auth.login"))
    next_path = session.pop(NEXT_KEY, None)
    if not request.args.keys() & {"code", "state", "error"}:
        # Not an answer from the provider (a bookmark, a reload): nothing to count.
        flash(_("Signing in with %(name)s didn't complete. Please try again.",
                name=provider_name()), "error")
        return redirect(url_for("auth.login"))
    try:
        user = _person_signing_in(client)
    except Refused as refusal:
        from .service import account_key  # (service asks this module who may use passwords)

        # Like a typed email, the provider's is kept only as a keyed hash (LOG-01).
        account = account_key(refusal.email) if refusal.email else "(single sign-on)"
        LoginFailure.create(account=account, address=address, at=utcnow())
        audit.record("sign_in_failed", refusal.user, actor=refusal.user,
                     detail=f"oidc reason={refusal.reason} account={account}")
        flash(str(refusal.message), "error")
        return redirect(url_for("auth.login"))
    audit.record("sign_in", user, actor=user, detail="oidc")
    open_session(user)
    return redirect(landing_url(user, next_path))


def _person_signing_in(client) -> User:
    """The active person the provider vouches for. Raises Refused."""
    name = provider_name()
    incomplete = _l("Signing in with %(name)s didn't complete. Please try again.", name=name)
    try:
        metadata = _provider_metadata(client)
        # RFC 9207: a provider that names itself in the response must be this one.
        if "iss" in request.args and request.args["iss"] != metadata["issuer"]:
            raise Refused("wrong_issuer", incomplete)
        if request.args.get("error") == "access_denied":
            raise Refused("cancelled", _l("Signing in with %(name)s was cancelled.",
                                          name=name))
        # Authlib checks `aud` only through `azp` unless told to: name the audience.
        expected = {"iss": {"essential": True, "value": metadata["issuer"]},
                    "aud": {"essential": True, "value": client.client_id}}
        token = client.authorize_access_token(claims_options=expected, leeway=CLOCK_LEEWAY)
    except requests.RequestException as error:
        raise Refused("provider_unreachable", _l(
            "%(name)s can't be reached right now. Please try again in a few minutes.",
            name=name)) from error
    except AuthlibBaseError as error:
        # A state that isn't this browser's (tampered, replayed, expired), or the
        # provider refused the code.
        raise Refused(f"protocol:{error.error}"[:60], incomplete) from error
    except (JoseError, ValueError) as error:
        # The ID token's signature, issuer, audience, expiry or nonce is wrong.
        raise Refused(f"id_token:{type(error).__name__}"[:60], incomplete) from error
    claims = token.get("userinfo")
    if not claims:  # Authlib checks an ID token only when the token response has one
        raise Refused("no_id_token", incomplete)
    email = normalize_email(claims.get("email") or "")
    if not email or not _email_verified(claims):
        raise Refused("email_not_verified", _l(
            "%(name)s didn't confirm your email address, so Growth can't tell who you are. "
            "Please ask your admin.", name=name), email=email)
    user = User.by_email(email).first()
    if user is None or not user.can_sign_in():
        raise Refused("no_active_account", _l(
            "No active Growth account belongs to %(email)s. Accounts are added by your "
            "admin; please ask them.", email=email), email=email, user=user)
    return user


def _email_verified(claims) -> bool:
    """True when the provider vouches for the email. Microsoft Entra ID sends no
    `email_verified`; its optional claim `xms_edov` (the email's domain is verified by the
    tenant) stands in for it there, and only when `email_verified` is absent."""
    if "email_verified" in claims:
        return claims["email_verified"] is True
    return claims.get("xms_edov") is True


def _address_refused_until(address: str):
    """When an address has failed too often: the time it may try again, else None. The
    same counts and limits as password sign-in, per address; single sign-on has no
    password to guess per account."""
    window = current_app.config["LOGIN_WINDOW"]
    limit = current_app.config["LOGIN_ADDRESS_LIMIT"]
    recent = (LoginFailure.select(LoginFailure.at)
              .where(LoginFailure.address == address, LoginFailure.at > utcnow() - window)
              .order_by(LoginFailure.at.desc())
              .limit(limit))
    times = [row.at for row in recent]
    return times[-1] + window if len(times) >= limit else None
