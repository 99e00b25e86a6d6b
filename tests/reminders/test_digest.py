"""The weekly digest through a real SMTP server on 127.0.0.1 (aiosmtpd): counts and a link,
never a name, a fødselsnummer or a document id of anyone in the fixture."""
import socket
from datetime import timedelta
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

from kartlegging.clock import now_utc
from kartlegging.extensions import db
from kartlegging.models import Assessment, Person, ReminderSetting

REFUSED = "borte@example.org"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_FROM="kartlegging@alna.test",
                      MAIL_APP_URL="https://kartlegging.alna.test")
    yield inbox
    controller.stop()


@pytest.fixture
def team(factory):
    """A lead and an ansatt who want the digest; persons overdue, due soon, never mapped."""
    f = factory
    lead = f.user("teamleder", name="Lea Leder")
    anne = f.user("ansatt", name="Anne Ansatt")
    persons = []
    for name, days in (("Oline Ovesen", 150), ("Frank Fjeld", 124), ("Sara Strand", 110),
                       ("Rolf Rud", 10)):
        p = f.person(name=name, contact=anne)
        f.signed(p, anne, signed_at=now_utc() - timedelta(days=days))
        persons.append(p)
    persons.append(f.person(name="Nils Nakken", contact=lead))
    other = f.person(team=f.team_b, name="Andre Aasen")
    for user, address in ((lead, "lea@alna.test"), (anne, "anne@alna.test")):
        db.session.add(ReminderSetting(user_id=user.id, digest_weekly=True,
                                       digest_email=address))
    db.session.commit()
    return dict(lead=lead, anne=anne, persons=persons + [other], app=f.app)


def texts(raw: bytes) -> str:
    msg = message_from_bytes(raw, policy=default)
    return raw.decode("utf-8", "replace") + "\n" + msg.get_content()


def test_digest_holds_counts_and_a_link_and_no_person_data(app, smtp, team):
    r = app.test_cli_runner().invoke(args=["reminders", "digest"])
    assert r.exit_code == 0, r.output
    assert "Sendt: 2." in r.output
    assert sorted(to for tos, _ in smtp.messages for to in tos) == ["anne@alna.test",
                                                                     "lea@alna.test"]
    secrets = []
    for p in db.session.query(Person).all():
        secrets += [p.name, *p.name.split()]
        if p.national_id:
            secrets += [p.national_id, p.national_id_formatted, p.national_id[:6],
                        p.national_id[6:]]
    secrets += [a.document_id for a in db.session.query(Assessment).all()]
    assert len(secrets) > 20
    by_to = {}
    for tos, raw in smtp.messages:
        body = texts(raw)
        for s in secrets:
            assert s not in body, f"{s!r} står i e-posten til {tos}"
        by_to[tos[0]] = message_from_bytes(raw, policy=default).get_content()
    anne, lea = by_to["anne@alna.test"], by_to["lea@alna.test"]
    # Anne: Oline and Frank overdue, Sara due soon; the link and the way out
    assert "Personer du er fast kontaktperson for:" in anne
    assert "Forfalt eller aldri kartlagt: 2" in anne and "Forfaller innen 14 dager: 1" in anne
    assert "Forfalt den siste uken: 1" in anne     # Frank, due 4 days ago
    assert "https://kartlegging.alna.test/" in anne and "Hele teamet" not in anne
    assert "https://kartlegging.alna.test/varsler" in anne
    # Lea: her own (Nils, never mapped) and the whole team
    assert "Hele teamet:" in lea
    team_part = lea.split("Hele teamet:")[1]
    assert "Forfalt eller aldri kartlagt: 3" in team_part
    assert "https://kartlegging.alna.test/oppfolging?forfall=forfalt" in lea
    assert "Navn og andre opplysninger om personene sendes aldri på e-post" in lea


def test_once_a_week_refused_addresses_and_no_server(app, smtp, team):
    runner = app.test_cli_runner()
    assert "Sendt: 2." in runner.invoke(args=["reminders", "digest"]).output
    assert "Sendt: 0." in runner.invoke(args=["reminders", "digest"]).output  # weekly
    assert len(smtp.messages) == 2
    row = db.session.get(ReminderSetting, team["anne"].id)
    row.digest_email = REFUSED
    db.session.commit()
    out = runner.invoke(args=["reminders", "digest", "--force"]).output
    assert "Sendt: 1. Avvist av e-posttjeneren: 1." in out
    # turned off: nothing
    for r in db.session.query(ReminderSetting).all():
        r.digest_weekly = False
    db.session.commit()
    assert "Sendt: 0." in runner.invoke(args=["reminders", "digest", "--force"]).output
    app.config["MAIL_SERVER"] = ""
    r = runner.invoke(args=["reminders", "digest"])
    assert r.exit_code != 0 and "MAIL_SERVER er ikke satt" in r.output


def test_unreachable_server_is_a_clear_error(app, team):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    r = app.test_cli_runner().invoke(args=["reminders", "digest"])
    assert r.exit_code != 0 and "E-post kunne ikke sendes" in r.output
