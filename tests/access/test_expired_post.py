"""A plain form POST after the session expired (no JavaScript) loses nothing."""
import re
from datetime import UTC, datetime, timedelta

import pyotp

from conftest import PASSWORD
from kartlegging.extensions import db
from kartlegging.models import Assessment


def token(html: str) -> str:
    return dict(hidden_fields(html))["csrf_token"]


def hidden_fields(html: str, marker: str = '<form method="post"') -> list[tuple[str, str]]:
    """Every hidden input of one form (the first after `marker`), whatever the attribute order."""
    form = html.split(marker)[1].split("</form>")[0]
    out = []
    for tag in re.findall(r"<input [^>]*>", form):
        if 'type="hidden"' in tag:
            name = re.search(r'name="([^"]+)"', tag).group(1)
            out.append((name, re.search(r'value="([^"]*)"', tag).group(1)))
    return out


# What a browser sends with a form posted from one of this site's own pages.
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}


def test_expired_session_post_is_carried_through_login(app, factory, login):
    app.config["WTF_CSRF_ENABLED"] = True
    user = factory.user("ansatt", username="kari")
    a = factory.assessment(factory.person(), user, filled=False)
    client = app.test_client()
    page = client.get("/logg-inn").data.decode()
    client.post("/logg-inn", data={"username": "kari", "password": PASSWORD,
                                   "csrf_token": token(page)})
    section = client.get(f"/kartlegginger/{a.id}/del/familie").data.decode()
    with client.session_transaction() as s:   # 2 hours idle
        s["last_seen"] = (datetime.now(UTC) - timedelta(hours=2)).timestamp()
    r = client.post(f"/kartlegginger/{a.id}/del/familie", data={
        "csrf_token": token(section), "version": "1", "sivilstand": "samboer",
        "nettverk": "Søster på Furuset æøå", "lagre": "1"})
    assert r.status_code == 401
    html = r.data.decode()
    assert "Økten var utløpt" in html and "Søster på Furuset æøå" in html
    carried = dict(hidden_fields(html))
    assert carried["carry:sivilstand"] == "samboer"
    # log in on that page: the carried fields come along
    data = {k: v for k, v in hidden_fields(html)}
    data.update(username="kari", password=PASSWORD)
    action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
    r = client.post(action.replace("&amp;", "&"), data=data)
    assert r.status_code == 200
    resubmit = r.data.decode()
    assert "Lagre svarene" in resubmit
    target = re.search(r'action="([^"]+)" id="resubmit"', resubmit).group(1)
    assert target == f"/kartlegginger/{a.id}/del/familie"
    r = client.post(target, data=dict(hidden_fields(resubmit, 'id="resubmit"')))
    assert r.status_code == 302
    db.session.expire_all()
    answers = db.session.get(Assessment, a.id).answers
    assert answers["sivilstand"] == "samboer" and answers["nettverk"] == "Søster på Furuset æøå"


def test_wrong_password_keeps_the_carried_fields(app, factory):
    user = factory.user("ansatt", username="kari")
    a = factory.assessment(factory.person(), user, filled=False)
    client = app.test_client()   # never logged in (cookie lost)
    r = client.post(f"/kartlegginger/{a.id}/del/familie",
                    data={"version": "1", "nettverk": "Viktig tekst"}, headers=SAME_ORIGIN)
    assert r.status_code == 401
    r = client.post(f"/logg-inn?next=/kartlegginger/{a.id}/del/familie",
                    data={"username": "kari", "password": "feil",
                          "carry:nettverk": "Viktig tekst", "carry:version": "1"})
    assert r.status_code == 401 and 'value="Viktig tekst"' in r.data.decode()


def test_two_factor_user_keeps_carried_fields_through_the_code_step(app, factory):
    user = factory.user("ansatt", username="kari")
    user.totp_secret = pyotp.random_base32()
    db.session.commit()
    a = factory.assessment(factory.person(), user, filled=False)
    client = app.test_client()
    nxt = f"/kartlegginger/{a.id}/del/familie"
    r = client.post(f"/logg-inn?next={nxt}", data={
        "username": "kari", "password": PASSWORD, "carry:version": "1",
        "carry:nettverk": "Gjennom koden"})
    assert r.status_code == 200 and 'value="Gjennom koden"' in r.data.decode()
    r = client.post(f"/logg-inn/kode?next={nxt}", data={
        "code": pyotp.TOTP(user.totp_secret).now(), "carry:version": "1",
        "carry:nettverk": "Gjennom koden"})
    assert r.status_code == 200 and "Lagre svarene" in r.data.decode()


def test_carry_target_must_be_local(app, factory):
    factory.user("ansatt", username="kari")
    client = app.test_client()
    r = client.post("/logg-inn?next=//evil.example/x", data={
        "username": "kari", "password": PASSWORD, "carry:a": "b"})
    assert r.status_code == 302 and "evil" not in r.headers["Location"]


def test_cross_site_post_is_not_carried(app, factory):
    """Another site's page posts to us without our cookie: its fields are never carried."""
    factory.user("ansatt", username="kari")
    a = factory.assessment(factory.person(), factory.user("ansatt"), filled=False)
    path = f"/kartlegginger/{a.id}/del/familie"
    data = {"version": "1", "nettverk": "Fra angriperen"}
    for headers in ({"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
                    {"Sec-Fetch-Site": "same-site", "Origin": "http://a.localhost"},
                    {"Origin": "https://evil.example"},
                    {"Referer": "https://evil.example/side"},
                    {}):  # nothing tells where it came from: not carried either
        r = app.test_client().post(path, data=data, headers=headers)
        assert r.status_code == 302 and "/logg-inn" in r.headers["Location"], headers
        assert "Fra angriperen" not in r.get_data(as_text=True)
    # The same form from this site's own page (old browser: only Origin, or only Referer).
    for headers in ({"Origin": "http://localhost"}, {"Referer": "http://localhost/x"},
                    SAME_ORIGIN):
        r = app.test_client().post(path, data=data, headers=headers)
        assert r.status_code == 401 and 'value="Fra angriperen"' in r.get_data(as_text=True)


def test_admin_account_and_consent_forms_are_never_carried(app, factory):
    """Even from this site's own page: these forms are filled in again after login."""
    factory.user("admin", username="ada")
    person = factory.person()
    consent = dict(categories="helse", direction="til", party_kind="annen",
                   party_name="Ukjent", valid_from="2026-01-01", until_withdrawn="y",
                   given_how="muntlig")
    for path, data in (("/admin/sikkerhet", {"require": "y"}),
                       ("/konto/tofaktor", {"code": "123456"}),
                       (f"/personer/{person.id}/samtykker/ny", consent),
                       ("/kartlegginger/1/signer", {"password": "x"})):
        r = app.test_client().post(path, data=data, headers=SAME_ORIGIN)
        assert r.status_code == 302 and "/logg-inn" in r.headers["Location"], path
        assert "carry:" not in r.get_data(as_text=True)
    # Carry fields posted straight to the login page for such a target are dropped.
    r = app.test_client().post("/logg-inn?next=/admin/sikkerhet", data={
        "username": "ada", "password": PASSWORD, "carry:require": "y"})
    assert r.status_code == 302 and r.headers["Location"] == "/admin/sikkerhet"


def test_resubmit_page_shows_what_will_be_saved(app, factory):
    user = factory.user("ansatt", username="kari")
    a = factory.assessment(factory.person(), user, filled=False)
    nxt = f"/kartlegginger/{a.id}/del/familie"
    r = app.test_client().post(f"/logg-inn?next={nxt}", data={
        "username": "kari", "password": PASSWORD, "carry:version": "1",
        "carry:nettverk": "Synlig tekst"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Dette blir lagret" in html
    assert "<dt>nettverk</dt><dd>Synlig tekst</dd>" in html and "Ikke lagre" in html
