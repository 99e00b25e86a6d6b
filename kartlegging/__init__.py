"""Kartlegging: the Bydel Alna kartleggingsskjema, livskvalitet and individuell plan."""
import logging
import os

from flask import Flask, g, render_template, request
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy.engine import make_url
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

# The mapper events that keep each person's stored orders (derived.person_orders) are
# registered on import, before any app writes an assessment.
from .derived import person_orders  # noqa: F401
from .domain import consent_rules, person_copy_spec, translations
from .domain.instruments import load_all
from .extensions import csrf, db, login_manager, migrate

log = logging.getLogger(__name__)


def create_app(config_class=None):
    app = Flask(__name__, instance_relative_config=True)
    if config_class is None:
        from config import CONFIGS
        config_class = CONFIGS[os.environ.get("KARTLEGGING_ENV", "development")]
    if hasattr(config_class, "check"):
        config_class.check()
    app.config.from_object(config_class)
    proxies = int(os.environ.get("TRUSTED_PROXIES", "0"))
    if proxies:
        # Behind nginx: the client address is the right-most of the `proxies` hops the
        # proxies appended to X-Forwarded-For (nginx: $proxy_add_x_forwarded_for), never a
        # value the client wrote itself; the scheme from X-Forwarded-Proto. The Host header
        # is set by nginx, so X-Forwarded-Host (which nginx passes through) is not trusted.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0)
    private_files(app)
    app.session_interface = KeepSessionOnError()

    # Instruments are validated whole at start-up; a broken file stops the app here.
    app.extensions["instruments"] = load_all(app.config["INSTRUMENTS_DIR"])
    app.extensions["translations"] = translations.load_all(app.config["INSTRUMENTS_DIR"],
                                                           app.extensions["instruments"])
    app.extensions["person_copy"] = person_copy_spec.load(app.config["INSTRUMENTS_DIR"],
                                                          app.extensions["instruments"])
    app.extensions["consent_lists"] = consent_rules.load_lists(
        os.path.join(app.config["INSTRUMENTS_DIR"], "consent_categories.yaml"))

    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "sqlite":
        # A SQLite connection is a file handle that never goes stale: pinging it before
        # each checkout (pool_pre_ping, for a server that may have dropped the connection)
        # only costs a statement per request.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}), "pool_pre_ping": False}
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..",
                                                     "migrations"))
    from . import autocommit
    from .access import fence, headers, input_checks
    from .ops import health, instrument_set, metrics, request_log
    request_log.init_app(app)  # first: every later line of the request carries its id
    metrics.init_app(app)
    instrument_set.init_app(app)  # a mismatched set answers 503 before anything else runs
    app.register_blueprint(health.bp)
    app.register_blueprint(metrics.bp)
    autocommit.init_app(app)  # before the fence's read: an autosave's connection needs no BEGIN
    fence.init_app(app)  # the login fence runs before CSRF: no session → 401, not 400
    input_checks.init_app(app)
    headers.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Logg inn for å fortsette."

    from . import templating
    from .access import account, audit_views, device_key, login, sso
    from .admin import views as admin_views
    from .assessments import views as assessment_views
    from .fhir import views as fhir_views
    from .journal import person_copy_views
    from .journal import views as journal_views
    from .lead import views as lead_views
    from .livskvalitet import person_pages, self_report  # noqa: F401 (add routes to bp)
    from .livskvalitet import views as livskvalitet_views
    from .persons import consent_views
    from .persons import views as person_views
    for bp in (login.bp, account.bp, person_views.bp, consent_views.bp, assessment_views.bp,
               livskvalitet_views.bp, journal_views.bp, audit_views.bp, lead_views.bp,
               fhir_views.bp, admin_views.bp, sso.bp, device_key.bp, person_copy_views.bp):
        app.register_blueprint(bp)
    sso.init_app(app)
    templating.init_app(app)

    @app.route("/favicon.ico")
    def favicon():
        return app.send_static_file("favicon.ico")

    from . import cli
    cli.init_app(app)
    from . import reminders
    reminders.init_app(app)

    @app.errorhandler(HTTPException)
    def http_error(e):
        if request.accept_mimetypes.best == "application/json" or request.is_json:
            return {"error": e.name, "message": error_message(e.code)}, e.code
        return render_template("error.html", code=e.code, message=error_message(e.code)), e.code

    @app.errorhandler(Exception)
    def unexpected(e):  # never leak personal data into logs: log the type and route only
        if app.testing:
            raise e
        log.error("Uventet feil %s på %s", type(e).__name__, request.endpoint)
        db.session.rollback()
        g.discard_session = True  # a 500 never carries a new (or changed) session
        return render_template("error.html", code=500, message=error_message(500)), 500

    return app


class KeepSessionOnError(SecureCookieSessionInterface):
    """The signed-cookie session, except that a failed request (500) sends no cookie: a
    login that broke half-way never hands the browser a logged-in session."""

    def save_session(self, app, session, response):
        if g.get("discard_session"):
            return None
        return super().save_session(app, session, response)

    def get_signing_serializer(self, app):
        # Flask builds a new serializer for every load and every save; with the same keys
        # it is the same serializer (stateless), so one per set of keys.
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached = app.extensions.get("session_serializer")
        if cached is None or cached[0] != keys:
            cached = app.extensions["session_serializer"] = (
                keys, super().get_signing_serializer(app))
        return cached[1]


def private_files(app) -> None:
    """instance/ (keys, development certificate) is 0700; a SQLite database file is 0600,
    created so before SQLite opens it (its journal files take the same mode)."""
    os.makedirs(app.instance_path, mode=0o700, exist_ok=True)
    try:
        os.chmod(app.instance_path, 0o700)
    except OSError:  # not ours to change (e.g. a read-only mount): leave it
        pass
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:") \
            or url.database.startswith("file:"):
        return
    path = url.database if os.path.isabs(url.database) else os.path.join(
        app.instance_path, url.database)
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(path, 0o600)
    except OSError as e:  # SQLite itself will report a path it cannot use
        log.warning("Kunne ikke sette tilgang på databasefilen: %s", type(e).__name__)


MESSAGES = {
    400: "Forespørselen var ugyldig. Prøv igjen, eller last siden på nytt.",
    401: "Du må logge inn.",
    403: "Du har ikke tilgang til dette.",
    404: "Fant ikke siden eller personen. Den finnes ikke, eller du har ikke tilgang.",
    405: "Denne handlingen er ikke tillatt her.",
    409: "Endringen kunne ikke lagres fordi noe annet ble lagret først.",
    413: "Filen eller skjemaet er for stort.",
    422: "Noe i skjemaet må rettes.",
    429: "For mange forsøk. Vent litt og prøv igjen.",
    500: "Noe gikk galt hos oss. Det du skrev er ikke sendt på nytt; prøv igjen.",
}


def error_message(code: int) -> str:
    return MESSAGES.get(code, "Noe gikk galt.")
