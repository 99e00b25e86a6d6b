"""Print jobs live in the database: a print made through one app object is handed over by
another on the same database (two app instances), once, with the session from the first."""
import io
import os
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader

from config import TestConfig
from factories import Factory, tiny_pdf
from kartlegging import create_app
from kartlegging.clock import now_utc
from kartlegging.extensions import db

PASSWORD = "riktig-passord-42"


@pytest.fixture
def two_apps(tmp_path):
    """Two app objects (own engines, own pools) on one database: the worker's PostgreSQL
    database when the suite runs on one, else a SQLite file both open."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        url = f"sqlite:///{tmp_path}/shared.db"

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
    first, second = create_app(Cfg), create_app(Cfg)
    for app in (first, second):
        app.instance_path = str(tmp_path / f"instance-{id(app)}")  # nothing shared on disk
        os.makedirs(app.instance_path)
    with first.app_context():
        db.create_all()
    yield first, second
    for app in (first, second):
        with app.app_context():
            db.session.remove()
            if app is first:
                db.drop_all()
            db.engine.dispose()


def test_a_print_made_on_one_instance_is_downloaded_from_another(two_apps):
    first, second = two_apps
    with first.app_context():
        f = Factory(first, PASSWORD)
        lead, anne = f.user("teamleder", username="lea"), f.user("ansatt")
        ids = []
        for name, pages in (("Berit", 2), ("Arne", 1)):
            p = f.person(name=name, contact=anne)
            f.signed(p, anne, signed_at=now_utc() - timedelta(days=130),
                     pdf=tiny_pdf(f"Dokument for {name}", pages=pages))
            ids.append(str(p.id))
        db.session.commit()
        assert lead.username == "lea"
    one = first.test_client()
    assert one.post("/logg-inn", data={"username": "lea", "password": PASSWORD}) \
        .status_code == 302
    html = one.post("/oppfolging/utskrift", data={"utvalg": "valgte", "person": ids}) \
        .get_data(as_text=True)
    token = re.search(r'/oppfolging/utskrift/([A-Za-z0-9_-]+)"', html).group(1)
    # The other instance: same cookie (the login session is a database row too).
    other = second.test_client()
    other.set_cookie("session", one.get_cookie("session").value)
    r = other.get(f"/oppfolging/utskrift/{token}")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    texts = [p.extract_text().strip() for p in PdfReader(io.BytesIO(r.data)).pages]
    assert "Signaturene er bare gyldige i originalfilene" in texts[0]
    assert texts[1:] == ["Dokument for Berit side 1", "Dokument for Berit side 2",
                         "Dokument for Arne side 1"]
    # handed over once, whichever instance is asked next
    assert one.get(f"/oppfolging/utskrift/{token}").status_code == 404
    assert other.get(f"/oppfolging/utskrift/{token}").status_code == 404
