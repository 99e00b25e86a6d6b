"""Input no form can hold is refused (400) before any view or the database sees it: NUL bytes
and lone surrogates in any field, file name or JSON value, JSON nested deeper than any form,
malformed JSON, JSON that is not a flat object of strings for a form endpoint, and ids in
the URL beyond the INTEGER columns (404).
"""
import re

from flask import abort, jsonify, render_template, request

from .guard import wants_json

BAD_INPUT = "Skjemaet inneholdt tegn som ikke kan lagres. Fjern dem og prøv igjen."
BAD_JSON = "Ugyldige data. Last siden på nytt."
# JSON endpoints that check the structure of their payload themselves.
STRUCTURED_JSON_ENDPOINTS = {"assessments.autosave"}
# Ids are INTEGER columns (32-bit on PostgreSQL); a larger id in the URL is simply not found
# instead of an overflow error from the database driver.
MAX_ID = 2**31 - 1
MAX_JSON_DEPTH = 20

_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def init_app(app):
    @app.before_request
    def reject_bad_input():
        """Refuse input no form can hold, before any view or database sees it (400).

        NUL bytes break PostgreSQL text columns and lone surrogates cannot be encoded; a
        JSON body for a form endpoint must be a flat object of strings (Flask-WTF feeds it
        straight into the form). The JSON autosave validates its own structure.
        """
        problem = _input_problem()
        if problem is None:
            return None
        if wants_json():
            return jsonify(error="invalid", message=problem), 400
        return render_template("error.html", code=400, message=problem), 400


def _bad_text(value: str) -> bool:
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates, e.g. from a JSON "\ud800" escape
        return True
    return False


def _bad_json_value(value) -> bool:
    if isinstance(value, str):
        return _bad_text(value)
    if isinstance(value, list):
        return any(_bad_json_value(v) for v in value)
    if isinstance(value, dict):
        return any(_bad_text(str(k)) or _bad_json_value(v) for k, v in value.items())
    return False


def _flat_strings(payload) -> bool:
    """What a form may receive as JSON: {name: str | [str, ...]} (null breaks WTForms)."""
    if not isinstance(payload, dict):
        return False
    for value in payload.values():
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in values):
            return False
    return True


def _json_depth(raw: bytes) -> int:
    """The deepest nesting of [ and { outside strings, without parsing (no recursion)."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH:
        return 0
    depth = deepest = 0
    for m in _BRACKET.finditer(_JSON_STRING.sub(b"", raw)):
        if m.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _input_problem() -> str | None:
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and not 0 <= value <= MAX_ID:
            abort(404)
    for multi in (request.args, request.form):
        for key, values in multi.lists():
            if _bad_text(key) or any(_bad_text(v) for v in values):
                return BAD_INPUT
    for key, files in request.files.lists():
        if _bad_text(key) or any(f.filename and _bad_text(f.filename) for f in files):
            return BAD_INPUT
    if request.is_json and request.method not in ("GET", "HEAD", "OPTIONS"):
        if _json_depth(request.get_data(cache=True)) > MAX_JSON_DEPTH:
            return BAD_JSON  # nesting no form has (the parser would overflow the stack)
        payload = request.get_json(silent=True)
        if payload is None and request.get_data(cache=True).strip():
            return BAD_JSON  # malformed JSON
        if payload is not None and _bad_json_value(payload):
            return BAD_INPUT
        if request.endpoint not in STRUCTURED_JSON_ENDPOINTS and payload is not None \
                and not _flat_strings(payload):
            return BAD_JSON
    return None
