"""Single sign-on with OpenID Connect (Authlib): authorization code flow with PKCE, state
and nonce, the ID token verified against the issuer's published keys.

Off unless OIDC_ISSUER is set. A first login creates the user from the claims; role and team
follow the group claim at every login (config OIDC_GROUP_MAP); no matching group, a
deactivated account, a user name with invisible characters or one that cannot be told
from an existing user's (domain/usernames.py) is refused with a message and an audit
event. Two-factor is the identity provider's job for these users.
Signing and ending a hand-over re-authenticate SSO users at the provider (access/reauth.py),
whose answer comes to the same callback.
"""
from datetime import UTC, datetime

from authlib.common.errors import AuthlibBaseError
from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user
from joserfc.errors import JoseError
from requests import RequestException
from sqlalchemy import select

from ..cli import get_or_create_team
from ..clock import now_utc
from ..domain import hpr
from ..domain.sso_claims import grant_for
from ..domain.usernames import normalise, problem
from ..extensions import db
from ..forms.auth import LoginForm
from ..models import User
from . import audit, reauth, sessions
from .guard import safe_local_path
from .oidc import (  # noqa: F401  (sso.enabled, sso.init_app, … are this module's API)
    client,
    enabled,
    form_action_sources,
    init_app,
    load_metadata,
    provider_name,
)
from .usernames import collision

bp = Blueprint("sso", __name__)
NEXT = "sso_next"
FLAG = "sso"
REFUSED = ("Innloggingen med {provider} ble avvist ({why}). Prøv igjen, eller kontakt "
           "en administrator.")
NO_GROUP = ("Du er logget inn hos {provider}, men er ikke med i noen gruppe som gir tilgang "
            "til Kartlegging. Be lederen din eller en administrator om tilgang.")


def _refuse(why: str, message: str | None = None, *, subject: str | None = None,
            username: str | None = None, status: int = 401, detail: str | None = None):
    db.session.rollback()
    audit.record("sso_refused", username=username, detail=(
        f"{current_app.config['OIDC_ISSUER']} {subject or '-'}: {why}"
        + (f" ({detail})" if detail else ""))[:1000])
    return render_template("access/login.html", form=LoginForm(formdata=None),
                           sso_error=message or REFUSED.format(provider=provider_name(), why=why)
                           ), status


@bp.route("/logg-inn/sso")
def start():
    if not enabled():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("persons.index"))
    session[NEXT] = safe_local_path(request.args.get("next"))
    return client().authorize_redirect(url_for(".callback", _external=True))


@bp.route("/logg-inn/sso/svar")
def callback():
    if not enabled():
        abort(404)
    pending = reauth.pending_for(request.args.get("state"))
    if pending is not None:  # the answer to a step-up re-authentication, not a login
        return reauth.finish(pending)
    if current_user.is_authenticated:  # e.g. the answer to a replaced re-authentication
        return redirect(url_for("persons.index"))
    try:
        token = client().authorize_access_token()
    except (AuthlibBaseError, JoseError) as e:
        # State or nonce that does not match, a token from another issuer or for another
        # client, an expired or badly signed token, or the provider's own "access_denied".
        why = getattr(e, "error", None) or type(e).__name__
        return _refuse(str(why), detail=getattr(e, "description", None))
    except RequestException as e:
        return _refuse(f"kunne ikke nå {type(e).__name__}", status=502)
    claims = token.get("userinfo")
    if not claims or not claims.get("sub"):
        return _refuse("ingen ID-token")
    return _sign_in(dict(claims))


def _sign_in(claims: dict):
    cfg = current_app.config
    issuer, subject = claims["iss"], str(claims["sub"])
    claimed = str(claims.get(cfg["OIDC_USERNAME_CLAIM"]) or "")
    username = normalise(claimed)[:80]
    grant = grant_for(claims, cfg["OIDC_GROUPS_CLAIM"], current_app.extensions["sso_groups"])
    if grant is None:
        return _refuse("ingen gruppe gir tilgang", NO_GROUP.format(provider=provider_name()),
                       subject=subject, username=username, status=403)
    team = get_or_create_team(grant.team)
    user = db.session.scalar(select(User).where(User.sso_issuer == issuer,
                                                User.sso_subject == subject))
    if user is None:
        if not username:
            return _refuse(f"mangler {cfg['OIDC_USERNAME_CLAIM']}", subject=subject)
        # A name with invisible characters, or one that cannot be told from an existing
        # user's, would let the provider's account pass for another here.
        if problem(claimed):
            return _refuse("brukernavnet har usynlige tegn eller kontrolltegn",
                           subject=subject, username=username, status=403)
        existing = collision(username)
        if existing is not None:
            return _refuse(f"brukernavnet kan ikke skilles fra en bruker som finnes "
                           f"({existing})", subject=subject, username=username, status=403)
        user = User(username=username, name=username, sso_issuer=issuer, sso_subject=subject,
                    role=grant.role, team_id=team.id)
        # No password: a random hash nobody knows, and local login refuses SSO users.
        from ..admin.operations import temporary_password
        user.set_password(temporary_password() + temporary_password(),
                          cfg.get("PASSWORD_HASH_METHOD"))
        db.session.add(user)
        created = True
    else:
        created = False
        if not user.active:
            return _refuse("kontoen er deaktivert", subject=subject, username=user.username,
                           status=403)
    user.name = str(claims.get(cfg["OIDC_NAME_CLAIM"]) or user.name or username)[:120]
    _take_hpr(user, claims.get(cfg.get("OIDC_HPR_CLAIM") or ""))
    user.role = grant.role
    user.team_id = team.id
    user.last_login_at = now_utc()
    db.session.flush()
    login_user(user)
    sessions.start(user)
    session["last_seen"] = session["login_at"] = datetime.now(UTC).timestamp()
    session[FLAG] = True
    audit.record("sso_login", user=user, detail=(
        f"{issuer} {subject}; gruppe {grant.group} → {grant.role}, {grant.team}"
        + ("; ny bruker" if created else ""))[:1000])
    return redirect(session.pop(NEXT, None) or url_for("persons.index"))


def _take_hpr(user: User, claimed) -> None:
    """The provider's HPR-nummer claim (HelseID sends one) replaces the stored one; a claim
    that is not an HPR-nummer is logged and ignored, and no claim keeps what the admin set."""
    if isinstance(claimed, bool) or not isinstance(claimed, str | int):
        return
    try:
        value = hpr.normalise(str(claimed))
    except hpr.InvalidHpr:
        current_app.logger.warning("SSO: HPR-nummer-kravet har feil form og er ikke brukt")
        return
    if value:
        user.hpr_nummer = value


def logout_target() -> str | None:
    """The provider's end-session URL for a user who signed in with SSO (None otherwise,
    or when the provider publishes none). Read before the session is cleared."""
    if not enabled() or not session.get(FLAG):
        return None
    try:
        metadata = client().load_server_metadata()
    except (AuthlibBaseError, RequestException):
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    result = client().create_logout_url(
        post_logout_redirect_uri=url_for("auth.login", _external=True),
        client_id=current_app.config["OIDC_CLIENT_ID"])
    return result["url"]
