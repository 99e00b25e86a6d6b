"""CLI: the demo seed used by `make run`."""
from kartlegging.models import User


def test_demo_seed_prints_logins_and_is_idempotent(app):
    runner = app.test_cli_runner()
    r = runner.invoke(args=["demo"])
    assert r.exit_code == 0 and "opprettet" in r.output
    for username in ("ansatt", "leder", "admin"):
        assert f"brukernavn: {username}" in r.output
    assert {u.role for u in User.query.all()} == {"ansatt", "teamleder", "admin"}
    r = runner.invoke(args=["demo"])
    assert r.exit_code == 0 and "finnes allerede" in r.output
    assert User.query.count() == 3


def test_demo_gives_a_team_lead_something_to_follow_up(app):
    app.test_cli_runner().invoke(args=["demo"])
    client = app.test_client()
    client.post("/logg-inn", data={"username": "leder", "password": "demo-passord-123"})
    html = client.get("/oppfolging").get_data(as_text=True)
    assert "7 personer" in html
    assert html.count("Forfalt</strong>") == 3 and "Forfaller snart" in html
    assert html.count(">Utkast</a>") == 2 and "Aldri kartlagt" in html
    assert "Takket nei" in html


def test_demo_users_can_log_in(app):
    app.test_cli_runner().invoke(args=["demo"])
    client = app.test_client()
    r = client.post("/logg-inn", data={"username": "ansatt", "password": "demo-passord-123"})
    assert r.status_code == 302


def test_the_flask_command_builds_the_app_in_a_fresh_interpreter():
    """`flask …` (and so `make run`) imports the package and builds the app in a new process;
    the tests' own imports must not hide an import circle that only that order meets."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    flask = Path(sys.executable).with_name("flask")
    env = dict(os.environ, FLASK_APP="kartlegging")
    r = subprocess.run([str(flask), "routes"], capture_output=True, text=True, timeout=300,
                       env=env, cwd=Path(__file__).parents[1])
    assert r.returncode == 0, r.stderr[-2000:]
    assert "/egenvurdering/velkommen" in r.stdout  # the routes the hand-over modules add
