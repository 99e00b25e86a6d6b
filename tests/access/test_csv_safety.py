"""Every CSV the app produces is safe to open in a spreadsheet (CSV/formula injection).

A cell that starts with = + - @ (or tab / carriage return) runs as a formula. All CSV goes
through one writer (kartlegging/domain/csv_export.py); these tests find every CSV response and
every .csv inside every ZIP with hostile text in every text field, and keep `csv` out of every
other module so that a later CSV cannot bypass the writer.
"""
import ast
import csv
import io
import re
import zipfile
from datetime import date
from pathlib import Path

from flask import url_for

from kartlegging.domain import csv_export
from kartlegging.extensions import db
from kartlegging.models import AuditEvent, Consent, Coordinator

PACKAGE = Path(__file__).resolve().parents[2] / "kartlegging"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LINK = '=HYPERLINK("http://x","klikk")'
# None of these is a number: a writer that let "-2+3" through as one would fail.
HOSTILE = (LINK, "+SUM(1;2)", "-2+3 kr", "@SUM(A1)", "\tTAB=1", "\r=CR")
NUMBER = re.compile(r"^-\d+(,\d+)?$")  # a number the app computed (a negative mean)


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def assert_formula_safe(where: str, text: str) -> list[list[str]]:
    rows = rows_of(text)
    for row in rows:
        for c in row:
            assert not c.startswith(FORMULA_START) or NUMBER.match(c), (where, c, row)
    return rows


# ---------------------------------------------------------------- the writer

def test_text_cells_that_start_a_formula_get_an_apostrophe():
    for bad in HOSTILE + ("-1", "+47 900 00 000", "\r"):
        assert csv_export.cell(bad) == "'" + bad
    assert csv_export.cell("Kari =1") == "Kari =1" and csv_export.cell(None) == ""


def test_numbers_the_app_computed_stay_numbers():
    """A negative mean is a number a spreadsheet sums, not text and not a formula."""
    assert csv_export.cell(-3) == "-3"
    assert csv_export.cell(-1.5) == "-1,50" and csv_export.cell(4.256) == "4,26"
    assert csv_export.cell(True) == "True"  # a bool is no count
    assert csv_export.cell(float("-inf")) == "'-inf"
    text = csv_export.to_text([["navn", "snitt"], [LINK, -0.25]])
    assert text.startswith("\ufeff")
    assert rows_of(text) == [["navn", "snitt"], ["'" + LINK, "-0,25"]]


def test_no_module_but_the_writer_imports_csv():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "csv_export.py" and path.parent.name == "domain":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "csv" or n.startswith("csv.") for n in names):
                offenders.append(str(path.relative_to(PACKAGE.parent)))
    assert not offenders, f"Skriv CSV gjennom kartlegging/domain/csv_export.py: {offenders}"


# ---------------------------------------------------------------- the reproduction

def test_zip_listing_shows_a_formula_name_as_text(factory, login):
    lead = factory.user("teamleder")
    anne = factory.user("ansatt")
    person = factory.person(name=LINK, contact=anne)
    factory.signed(person, anne)
    r = login(lead).post("/oppfolging/arkiv", data={"utvalg": "valgte",
                                                    "person": [str(person.id)]})
    assert r.status_code == 200 and r.mimetype == "application/zip"
    listing = zipfile.ZipFile(io.BytesIO(r.data)).read("innhold.csv").decode("utf-8")
    rows = assert_formula_safe("innhold.csv", listing)
    assert rows[1][2] == "'" + LINK


def test_audit_csv_shows_a_formula_name_as_text(factory, login):
    lead = factory.user("teamleder")
    person = factory.person(name=LINK)
    db.session.add(AuditEvent(action="person_view", person_id=person.id, username=LINK,
                              detail=LINK))
    db.session.commit()
    body = login(lead).get(f"/personer/{person.id}/logg.csv").get_data(as_text=True)
    rows = assert_formula_safe("logg.csv", body)
    assert ["'" + LINK] * 2 == [rows[1][1], rows[1][5]]


# ---------------------------------------------------------------- every CSV the app produces

# Downloads reached by POST, with a request that produces them. A new POST download that
# answers with CSV or a ZIP goes here (test_every_post_download_is_exercised).
POST_DOWNLOADS = {"lead.print_zip": lambda s: {"utvalg": "valgte",
                                               "person": [str(p.id) for p in s["persons"]]}}


def hostile_team(factory):
    """Hostile text in every text field a user can fill: team, users, persons, answers,
    consent, koordinator, and audit rows (user names and details come from outside)."""
    h = iter(HOSTILE * 10)
    team = factory.team(next(h))
    lead = factory.user("teamleder", team=team, name=next(h))
    admin = factory.user("admin", team=team, name=next(h))
    staff = factory.user("ansatt", team=team, name=next(h))
    persons = []
    for _ in range(3):
        p = factory.person(team=team, name=next(h), contact=staff)
        factory.signed(p, staff)
        db.session.add(Coordinator(person_id=p.id, name=next(h), service=next(h),
                                   since=date(2026, 1, 1), recorded_by_id=staff.id))
        db.session.add(Consent(person_id=p.id, categories=["helse"], party_kind="fastlege",
                               party_name=next(h), party_relation=next(h),
                               categories_text=next(h), direction="begge",
                               valid_from=date(2026, 1, 1), given_how="skriftlig",
                               recorded_by_id=staff.id))
        for text in HOSTILE:
            db.session.add(AuditEvent(action="person_view", person_id=p.id, username=text,
                                      object_type=text[:40], remote_addr=text,
                                      detail=text))
        persons.append(p)
    draft = factory.assessment(persons[0], staff)
    for item in factory._instrument(draft.instrument_key, draft.instrument_version) \
            .items.values():
        if item.type in ("text", "long_text"):
            draft.answers = {**draft.answers, item.id: next(h)}
    db.session.commit()
    return {"team": team, "lead": lead, "admin": admin, "staff": staff, "persons": persons,
            "draft": draft}


def url_values(app, rule, s) -> dict:
    p = s["persons"][0]
    known = {"person_id": p.id, "assessment_id": s["draft"].id, "consent_id": None,
             "section_id": None, "user_id": s["staff"].id, "team_id": s["team"].id,
             "filename": "css/app.css", "token": "x" * 32, "ref": None}
    inst = app.extensions["instruments"].get(s["draft"].instrument_key,
                                             s["draft"].instrument_version)
    known["section_id"] = inst.sections[0].id
    known["ref"] = inst.ref
    known["consent_id"] = db.session.scalar(db.select(Consent.id).where(
        Consent.person_id == p.id))
    missing = rule.arguments - set(known)
    assert not missing, f"{rule}: ukjente URL-parametre {missing}: legg dem til her"
    return {a: known[a] for a in rule.arguments}


def check_download(where: str, resp, found: list[str]):
    if resp.mimetype == "text/csv":
        assert_formula_safe(where, resp.get_data(as_text=True))
        found.append(where)
    elif resp.mimetype == "application/zip":
        z = zipfile.ZipFile(io.BytesIO(resp.data))
        for name in z.namelist():
            if name.lower().endswith(".csv"):
                assert_formula_safe(f"{where}:{name}", z.read(name).decode("utf-8"))
                found.append(f"{where}:{name}")


def test_every_csv_the_app_produces_is_formula_safe(app, factory, login):
    s = hostile_team(factory)
    found: list[str] = []
    for role in ("lead", "admin"):
        client = login(s[role])
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in ("static", "favicon"):
                continue
            with app.test_request_context():
                url = url_for(rule.endpoint, **url_values(app, rule, s))
            queries = [""]
            if rule.endpoint == "lead.trends_csv":
                queries = ["?tabell=livskvalitet", "?tabell=levekarsindeks"]
            for q in queries:
                resp = client.get(url + q)
                check_download(f"{role} GET {url}{q}", resp, found)
        for endpoint, body in POST_DOWNLOADS.items():
            rule = next(app.url_map.iter_rules(endpoint))
            with app.test_request_context():
                url = url_for(endpoint, **url_values(app, rule, s))
            check_download(f"{role} POST {url}", client.post(url, data=body(s)), found)
    kinds = {re.sub(r"/\d+/", "/N/", f.split(" ")[2]) for f in found}
    assert {"/personer/N/logg.csv", "/oppfolging/trender.csv?tabell=livskvalitet",
            "/oppfolging/trender.csv?tabell=levekarsindeks",
            "/oppfolging/arkiv:innhold.csv"} <= kinds, kinds


def test_every_post_download_is_exercised():
    """The access matrix lists every download; each CSV or ZIP reached by POST is above."""
    from test_access_matrix import DOWNLOADS, MATRIX
    posts = {ep for (ep, m) in MATRIX if m == "POST"}
    for endpoint, mimetype in DOWNLOADS.items():
        if mimetype in ("text/csv", "application/zip") and endpoint in posts:
            assert endpoint in POST_DOWNLOADS, endpoint
