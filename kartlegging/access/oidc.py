"""The identity provider's OpenID Connect client (Authlib): registered at start-up from the
OIDC_* settings, its metadata, name and origins. Used by sign-in (sso.py) and by
re-authentication (reauth.py)."""
from urllib.parse import urlsplit

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import current_app
from requests import RequestException

from ..domain.sso_claims import parse_group_map


def enabled(app=None) -> bool:
    return bool((app or current_app).config.get("OIDC_ISSUER"))


def init_app(app) -> None:
    """Registers the provider (metadata is fetched on first use) and checks the group map
    at start-up, so a wrong map stops the app instead of refusing everyone later."""
    if not enabled(app):
        if not app.config.get("LOCAL_LOGIN", True):
            raise RuntimeError("LOCAL_LOGIN=0 krever OIDC_ISSUER: ellers kan ingen logge inn")
        return
    if not (app.config.get("OIDC_CLIENT_ID") and app.config.get("OIDC_CLIENT_SECRET")):
        raise RuntimeError("OIDC_CLIENT_ID og OIDC_CLIENT_SECRET må settes når OIDC_ISSUER "
                           "er satt")
    app.extensions["sso_groups"] = parse_group_map(app.config["OIDC_GROUP_MAP"])
    oauth = OAuth(app)
    oauth.register(
        "oidc",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=app.config["OIDC_ISSUER"].rstrip("/")
        + "/.well-known/openid-configuration",
        client_kwargs={"scope": app.config["OIDC_SCOPE"], "code_challenge_method": "S256",
                       "timeout": 10},
    )
    app.extensions["sso_client"] = oauth.oidc
    app.extensions["csp_form_action"] = form_action_sources


def _origin(url) -> str | None:
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def form_action_sources() -> list[str]:
    """The provider's origins (issuer, and the authorization and end-session endpoints once
    its metadata is loaded; never fetched here): the re-authentication and the logout are
    form POSTs redirected there, and Chromium checks the CSP form-action against that."""
    metadata = getattr(client(), "server_metadata", None) or {}
    urls = [current_app.config["OIDC_ISSUER"], metadata.get("authorization_endpoint"),
            metadata.get("end_session_endpoint")]
    return sorted({o for o in map(_origin, urls) if o})


def load_metadata() -> None:
    """Load the provider's metadata if it is not yet (before a page whose form redirects
    there: its endpoints go into the CSP). A provider that cannot be reached is left for
    the redirect itself to report."""
    try:
        client().load_server_metadata()
    except (AuthlibBaseError, RequestException, ValueError):
        pass


def client():
    return current_app.extensions["sso_client"]


def provider_name() -> str:
    return current_app.config["OIDC_PROVIDER_NAME"]
