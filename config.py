"""Configuration classes. Development is the default; Production refuses unsafe defaults."""
import os
from datetime import timedelta

DEV_SECRET = "dev-ikke-hemmelig-bytt-i-produksjon"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite:///kartlegging.db")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    INSTRUMENTS_DIR = os.environ.get(
        "INSTRUMENTS_DIR", os.path.join(os.path.dirname(__file__), "instruments"))
    # Sessions: idle timeout (minutes), secure cookies.
    IDLE_TIMEOUT_MINUTES = int(os.environ.get("IDLE_TIMEOUT_MINUTES", "15"))
    PERMANENT_SESSION_LIFETIME = timedelta(hours=10)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_I18N_ENABLED = False  # WTForms' bundled translations (nb), no Flask-Babel needed
    WTF_CSRF_TIME_LIMIT = None  # the session lifetime bounds the token; never lose a long form
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    # Login throttling
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15
    # Ending a hand-over (the staff member's password on the person's tablet) is never locked:
    # after HANDOVER_FREE_TRIES wrong tries each try waits a doubling delay, up to the maximum.
    HANDOVER_FREE_TRIES = 3
    HANDOVER_DELAY_SECONDS = 5
    HANDOVER_MAX_DELAY_SECONDS = 300
    # Fødselsnummer: accept the 2032 control-digit rule alongside today's; test numbers only in dev.
    FNR_RULE_2032 = True
    FNR_ALLOW_SYNTHETIC = True
    # Signing: PKCS#12 in production; development generates a self-signed one in instance/.
    SIGNING_P12 = os.environ.get("SIGNING_P12")
    SIGNING_P12_PASSPHRASE = os.environ.get("SIGNING_P12_PASSPHRASE")
    # Long-term signatures (PAdES B-LT, and B-LTA with a document timestamp): the RFC 3161
    # time-stamping authority, and a PEM file with the roots of the signer's CA and the TSA.
    # Without a TSA documents are signed at B-B (README, "Archiving").
    SIGNING_TSA_URL = os.environ.get("SIGNING_TSA_URL")
    SIGNING_TRUST_ROOTS = os.environ.get("SIGNING_TRUST_ROOTS")
    SIGNING_DOCUMENT_TIMESTAMP = os.environ.get("SIGNING_DOCUMENT_TIMESTAMP", "1") != "0"
    # Re-assessment interval (Oslostandard tiltak 7: evaluate at least every 4 months).
    REASSESS_AFTER_DAYS = int(os.environ.get("REASSESS_AFTER_DAYS", "120"))
    HSTS = False
    DEMO_SEED = False
    # The weekly e-mail digest (`flask reminders digest`, for cron or a systemd timer): counts
    # and a link only. SMTP server; MAIL_USE_TLS is STARTTLS, MAIL_USE_SSL a TLS connection
    # from the start (port 465). MAIL_APP_URL is the app's address for the link in the mail.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "kartlegging@localhost")
    MAIL_APP_URL = os.environ.get("MAIL_APP_URL", "http://127.0.0.1:5000")
    # Single sign-on (OpenID Connect), off unless OIDC_ISSUER is set. See README.
    OIDC_ISSUER = os.environ.get("OIDC_ISSUER")
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID")
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET")
    OIDC_SCOPE = os.environ.get("OIDC_SCOPE", "openid profile email")
    OIDC_USERNAME_CLAIM = os.environ.get("OIDC_USERNAME_CLAIM", "preferred_username")
    OIDC_NAME_CLAIM = os.environ.get("OIDC_NAME_CLAIM", "name")
    OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
    # The signer's HPR-nummer (HelseID's claim name by default); empty: never read.
    OIDC_HPR_CLAIM = os.environ.get("OIDC_HPR_CLAIM", "helseid://claims/hpr/hpr_number")
    # JSON: {"<group>": {"role": "ansatt|teamleder|admin", "team": "<team name>"}, ...}
    OIDC_GROUP_MAP = os.environ.get("OIDC_GROUP_MAP", "{}")
    OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "kommunens innlogging")
    # Signing and ending a hand-over: how old (seconds) the re-login at the provider may be.
    OIDC_REAUTH_MAX_AGE = int(os.environ.get("OIDC_REAUTH_MAX_AGE", "300"))
    # Local passwords (development, installations without SSO); LOCAL_LOGIN=0 switches off.
    LOCAL_LOGIN = os.environ.get("LOCAL_LOGIN", "1") != "0"
    # FHIR: base of the canonical URLs (Questionnaire/<key>, code systems, extensions).
    FHIR_CANONICAL_BASE = os.environ.get("FHIR_CANONICAL_BASE",
                                         "https://kartlegging.example.kommune.no/fhir")
    # The bydel that keeps the journal: the custodian's parent Organization in FHIR documents
    FHIR_ORGANISATION_NAME = os.environ.get("FHIR_ORGANISATION_NAME", "Bydel Alna")
    FHIR_ORGANISATION_NUMBER = os.environ.get("FHIR_ORGANISATION_NUMBER")


class DevelopmentConfig(Config):
    DEMO_SEED = True


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashing in tests only


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS = True
    FNR_ALLOW_SYNTHETIC = False

    @classmethod
    def check(cls):
        problems = []
        if not os.environ.get("SECRET_KEY") or os.environ["SECRET_KEY"] == DEV_SECRET \
                or len(os.environ["SECRET_KEY"]) < 32:
            problems.append("SECRET_KEY må settes til en tilfeldig verdi på minst 32 tegn")
        if not os.environ.get("DATABASE_URL"):
            problems.append("DATABASE_URL må settes (PostgreSQL)")
        if not (os.environ.get("SIGNING_P12") and os.environ.get("SIGNING_P12_PASSPHRASE")):
            problems.append("SIGNING_P12 og SIGNING_P12_PASSPHRASE må settes")
        if os.environ.get("SIGNING_TSA_URL") and not os.environ.get("SIGNING_TRUST_ROOTS"):
            problems.append("SIGNING_TRUST_ROOTS må settes når SIGNING_TSA_URL er satt")
        if problems:
            raise RuntimeError("Produksjonsoppsettet er ufullstendig: " + "; ".join(problems))


CONFIGS = {"development": DevelopmentConfig, "testing": TestConfig,
           "production": ProductionConfig}
