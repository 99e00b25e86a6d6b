"""User names that look alike are one name: normalised (NFKC, case-folded), invisible
characters refused, and a name that collides with an existing one after normalising is
refused when a local user is made (admin page, command line). SSO: tests/access/test_sso.py."""
import pytest

from conftest import PASSWORD
from kartlegging.domain.usernames import INVISIBLE, normalise, problem
from kartlegging.extensions import db
from kartlegging.models import User

FULL_WIDTH_ADMIN = "\uff41\uff44\uff4d\uff49\uff4e"  # ａｄｍｉｎ


def test_normalise_folds_width_and_case():
    assert normalise(FULL_WIDTH_ADMIN) == "admin"
    assert normalise("  ADMIN ") == "admin"
    assert normalise("Straße") == "strasse"
    assert normalise("e\u0301va") == normalise("\u00e9va")  # é written two ways
    assert normalise("\ufb01le") == "file"  # the ligature ﬁ


@pytest.mark.parametrize("name", ["admin\u200b", "ad\u00admin", "\u200dadmin", "admin\u2060",
                                  "ad\u202emin", "admin\ufeff", "ad\u3164min", "admin\ufe0f",
                                  "ad\x07min", "ad\u2028min"])
def test_invisible_characters_are_refused(name):
    assert problem(name) == INVISIBLE


@pytest.mark.parametrize("name", ["", "   ", "kari nordmann", "kari\u00a0nordmann", "x" * 81])
def test_empty_spaced_or_long_names_are_refused(name):
    assert problem(name) is not None


def test_ordinary_names_pass():
    for name in ("kari.nordmann@alna.oslo.kommune.no", "ÅseØ", "anne-2", "محمد"):
        assert problem(name) is None


def _new_user(client, factory, username):
    return client.post("/admin/brukere/ny", data={
        "username": username, "name": "Ny Bruker", "role": "ansatt",
        "team": str(factory.team_a.id)})


@pytest.mark.parametrize("typed, said", [
    (FULL_WIDTH_ADMIN, "kan ikke skilles fra «admin»"),
    ("ADMIN", "«admin» finnes allerede"),
    ("admin\u200b", "usynlig tegn"),
])
def test_admin_page_refuses_a_name_like_an_existing_one(factory, login, typed, said):
    r = _new_user(login(factory.user("admin", username="admin")), factory, typed)
    text = r.get_data(as_text=True)
    assert r.status_code == 422 and said in text and 'value="Ny Bruker"' in text
    assert db.session.query(User).count() == 1


def test_a_name_stored_before_normalising_still_collides(factory, login):
    """A look-alike stored by an older version («ａｄｍｉｎ») blocks «admin» too."""
    admin = factory.user("admin", username="sjef")
    factory.user("ansatt", username=FULL_WIDTH_ADMIN)
    r = _new_user(login(admin), factory, "admin")
    assert r.status_code == 422 and "kan ikke skilles fra" in r.get_data(as_text=True)


def test_a_new_name_is_stored_normalised_and_logs_in_as_typed(app, factory, login):
    admin = factory.user("admin")
    r = _new_user(login(admin), factory, "\uff2b\uff21\uff32\uff29")  # ＫＡＲＩ
    assert r.status_code == 200
    assert db.session.query(User).filter_by(username="kari").one()
    user = db.session.query(User).filter_by(username="kari").one()
    user.set_password(PASSWORD, "pbkdf2:sha256:1000")
    user.must_change_password = False
    db.session.commit()
    for typed in ("kari", "KARI", "\uff2b\uff21\uff32\uff29"):
        r = app.test_client().post("/logg-inn", data={"username": typed, "password": PASSWORD})
        assert r.status_code == 302, typed


def test_cli_refuses_a_look_alike(app, factory):
    factory.user("admin", username="admin")
    runner = app.test_cli_runner()
    r = runner.invoke(args=["users", "create", FULL_WIDTH_ADMIN, "--name", "Noen",
                            "--role", "admin", "--team", "Rusteam A", "--password", "lokalt-passord-1"])
    assert r.exit_code != 0 and "kan ikke skilles fra «admin»" in r.output
    r = runner.invoke(args=["users", "create", "ola\u200b", "--name", "Ola", "--role", "ansatt",
                            "--team", "Rusteam A", "--password", "lokalt-passord-1"])
    assert r.exit_code != 0 and "usynlig tegn" in r.output
    assert db.session.query(User).count() == 1
