"""Security headers on every response: the Content-Security-Policy (form-action widened to
the identity provider when single sign-on is on), no framing or sniffing, a same-origin
referrer, HSTS in production, and no-store for every page but the static files.
"""
import re

from flask import request

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
_CSP_SOURCE = re.compile(r"https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?")


def content_security_policy(app) -> str:
    """CSP, with form-action widened to the origins a form may be redirected to.

    Chromium checks form-action against where a submission is redirected, not only its
    action: the re-authentication (signing, ending a hand-over) and the SSO logout are
    same-origin POSTs answered with a redirect to the identity provider. sso.init_app
    registers who that is (`csp_form_action`)."""
    sources = app.extensions.get("csp_form_action")
    extra = [s for s in (sources() if sources else ()) if _CSP_SOURCE.fullmatch(s)]
    if not extra:
        return CSP
    return CSP.replace("form-action 'self'", "form-action 'self' " + " ".join(extra))


def init_app(app):
    # The same on every response: built once per app (only the CSP's form-action can
    # change, when single sign-on has registered the provider's origins).
    fixed = [("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
             # same-origin, not no-referrer: Flask-WTF's CSRF check over HTTPS requires a
             # Referer from our own origin (WTF_CSRF_SSL_STRICT); other sites get nothing.
             ("Referrer-Policy", "same-origin"),
             ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
             ("Cross-Origin-Opener-Policy", "same-origin")]
    if app.config.get("HSTS"):
        fixed.append(("Strict-Transport-Security", "max-age=63072000; includeSubDomains"))

    @app.after_request
    def headers(resp):
        h = resp.headers
        h["Content-Security-Policy"] = (content_security_policy(app)
                                        if "csp_form_action" in app.extensions else CSP)
        for name, value in fixed:
            h[name] = value
        if getattr(resp, "frame_same_origin", False):
            # A response our own pages show in a frame (the PDF on the sign page): framed by
            # this origin only, never by another site.
            h["Content-Security-Policy"] = h["Content-Security-Policy"].replace(
                "frame-ancestors 'none'", "frame-ancestors 'self'")
            h["X-Frame-Options"] = "SAMEORIGIN"
        if request.endpoint != "static":
            h["Cache-Control"] = "no-store"
        return resp
