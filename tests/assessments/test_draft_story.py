"""The draft's client/server story as a Hypothesis state machine, against the real app (Flask
test client, the real autosave and restore endpoints).

A tablet types into two answers; saves go out when the throttle fires, and a reply can be
lost after the server committed; the browser writes its encrypted copy to disk only now and
then, and a crash leaves the tablet with that (possibly stale) copy, restored on the next
start; the session can expire, and a colleague's PC can save the same answers meanwhile.
The tablet follows the page's rules (kartlegging/static/js/app.js): the copy holds the
unacknowledged answers with the server value each was typed over and the values sent since;
the server decides per field; a conflict is shown and waits for the user's choice.

Invariants: no acknowledged answer is ever replaced by an older one, and no answer the
tablet kept durably (on the server or in the copy on disk) is lost without the user being
asked."""
import copy
import itertools
import json
import re
from datetime import UTC, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from kartlegging.extensions import db
from kartlegging.models import Assessment, Person, User

PASSWORD = "riktig-passord-42"
SECTION = "viktig"
FIELDS = ("hva_er_viktig", "spraak")       # the section's text answers
OTHER = ("behov_for_tolk", "tolk_brukt", "tolk_brukt_kommentar")
fields = st.sampled_from(FIELDS)


def server_answers(aid) -> dict:
    db.session.expire_all()
    return dict(db.session.get(Assessment, aid).answers or {})


def login(client, username):
    """The re-login dialog's JSON log-in. The first request after the idle time only ends
    the old session (401 session_expired): the dialog then sends it again."""
    for _ in range(2):
        r = client.post("/logg-inn", json={"username": username, "password": PASSWORD},
                        headers={"Accept": "application/json"})
        if not (r.status_code == 401 and r.get_json()["error"] == "session_expired"):
            break
    assert r.status_code == 200, r.get_json()


def page_version(client, aid) -> int:
    r = client.get(f"/kartlegginger/{aid}/del/{SECTION}")
    assert r.status_code == 200, r.status_code
    return int(re.search(r'name="version" value="(\d+)"', r.get_data(as_text=True)).group(1))


def posted(answers) -> dict:
    out = {f: answers.get(f, "") or "" for f in FIELDS}
    out.update({f: "" for f in OTHER})
    return out


class DraftStory(RuleBasedStateMachine):
    app = factory = person = None  # set by the test
    users = None

    def __init__(self):
        super().__init__()
        kari = db.session.get(User, self.users["kari"])
        person = db.session.get(Person, self.person)
        self.aid = self.factory.assessment(person, kari, filled=False).id   # a fresh draft
        self.words = itertools.count(1)
        self.clock = itertools.count(1)
        self.seq = {"": 0}                   # value -> when it was typed or last chosen
        self.floor = dict.fromkeys(FIELDS, 0)  # seq of the newest acknowledged value
        self.obligations = []                # (field, value, seq): kept durably by the tablet
        self.tablet = self.app.test_client()
        login(self.tablet, "kari")
        self.colleague = self.app.test_client()
        login(self.colleague, "per")
        self.expired = False
        self.copy_mem = None                 # the copy as the page last wrote it
        self.copy_disk = None                # the copy as the browser last wrote it to disk
        # Every copy the page wrote since the browser's last write to disk: a crash leaves
        # one of them on disk (the browser writes storage lazily), often an older one.
        self.unflushed = [None]
        self.load_page()

    # ------------------------------------------------------------------ the page's model
    def load_page(self):
        self.version = page_version(self.tablet, self.aid)
        server = server_answers(self.aid)
        self.form = {f: server.get(f, "") for f in FIELDS}
        self.acked = dict(self.form)
        self.sent_since = {}
        self.unresolved = {}
        self.blocked = None                  # "expired" or "conflict": waits for the user

    def pending(self) -> dict:
        return {f: v for f, v in self.form.items() if v != self.acked.get(f, "")}

    def keep(self):
        fields_ = {f: {"value": v, "base_version": self.version,
                       "base_value": self.acked.get(f, ""),
                       "sent": list(self.sent_since.get(f, []))[-5:]}
                   for f, v in self.pending().items()}
        conflicts = copy.deepcopy(self.unresolved)
        self.copy_mem = {"fields": fields_, "conflicts": conflicts} \
            if fields_ or conflicts else None
        self.unflushed.append(copy.deepcopy(self.copy_mem))

    def stamp(self, value):
        self.seq[value] = next(self.clock)

    def ack(self, sent):
        for f in FIELDS:
            self.floor[f] = max(self.floor[f], self.seq[sent[f]])

    def save(self, lose_reply=False):
        sent = dict(self.form)
        for f, v in sent.items():
            if v != self.acked.get(f, ""):
                self.sent_since.setdefault(f, []).append(v)
        r = self.tablet.post(f"/kartlegginger/{self.aid}/autolagre", json={
            "version": self.version, "section": SECTION, "answers": posted(sent)})
        if lose_reply:
            self.keep()
            return
        if r.status_code == 200:
            self.version = r.get_json()["version"]
            self.acked = sent
            self.sent_since = {}
            self.ack(sent)
        elif r.status_code == 401:
            self.blocked = "expired"
        elif r.status_code == 409:
            self.blocked = "conflict"
            self.conflict_version = r.get_json()["version"]
        else:  # pragma: no cover - anything else is a bug in the story or the app
            raise AssertionError((r.status_code, r.get_json()))
        self.keep()

    # ------------------------------------------------------------------ what happens
    @rule(field=fields)
    def type(self, field):
        value = (self.form[field] + f" ord{next(self.words)}").strip()
        self.stamp(value)
        self.form[field] = value
        self.keep()

    @precondition(lambda self: self.blocked is None)
    @rule(lose_reply=st.booleans())
    def throttle_fires(self, lose_reply):
        """The 300 ms throttle sends the section; the reply may be lost on the way back."""
        if self.pending():
            self.save(lose_reply)

    def on_disk(self, entry):
        self.copy_disk = copy.deepcopy(entry)
        self.unflushed = [copy.deepcopy(entry)]
        for part in ("fields", "conflicts"):
            for f, edit in ((self.copy_disk or {}).get(part) or {}).items():
                self.obligations.append((f, edit["value"], self.seq[edit["value"]]))

    @rule()
    def browser_writes_storage_to_disk(self):
        self.on_disk(self.copy_mem)

    @rule(data=st.data())
    def crash_and_restore(self, data):
        """The browser dies; on the next start the page finds the copy on disk (one of those
        written since the last write to disk: maybe older than what the server acknowledged)
        and asks the server per field."""
        self.on_disk(data.draw(st.sampled_from(self.unflushed), label="copy on disk"))
        self.copy_mem = copy.deepcopy(self.copy_disk)
        if self.expired:
            login(self.tablet, "kari")
            self.expired = False
        self.load_page()
        entry = self.copy_mem
        if entry:
            applied = False
            for part in ("fields", "conflicts"):
                edits = entry.get(part) or {}
                if not edits:
                    continue
                r = self.tablet.post(f"/kartlegginger/{self.aid}/gjenopprett", json={
                    "section": SECTION, "fields": json.dumps(edits)})
                assert r.status_code == 200, r.get_json()
                for f, answer in r.get_json()["fields"].items():
                    edit = edits[f]
                    if answer["outcome"] == "apply":
                        self.form[f] = edit["value"]
                        applied = True
                    elif answer["outcome"] == "conflict":
                        assert answer["server"] != [edit["value"]]
                        self.unresolved[f] = edit
            self.keep()
            if applied:
                self.save()

    @precondition(lambda self: self.unresolved)
    @rule(data=st.data(), use_copy=st.booleans())
    def user_chooses_between_the_two_texts(self, data, use_copy):
        f = data.draw(st.sampled_from(sorted(self.unresolved)))
        edit = self.unresolved.pop(f)
        self.asked(f, edit["value"])
        if use_copy:
            self.stamp(edit["value"])     # chosen now, over the saved answer
            self.form[f] = edit["value"]
        self.keep()

    @rule()
    def session_expires(self):
        with self.tablet.session_transaction() as s:
            s["last_seen"] = (datetime.now(UTC) - timedelta(hours=2)).timestamp()
        self.expired = True

    @precondition(lambda self: self.blocked == "expired")
    @rule()
    def log_in_again_in_the_dialog(self):
        login(self.tablet, "kari")
        self.expired = False
        self.blocked = None
        self.save()

    @precondition(lambda self: self.blocked == "conflict")
    @rule(keep_mine=st.booleans())
    def user_answers_the_conflict_banner(self, keep_mine):
        self.blocked = None
        if keep_mine:   # «Lagre mine svar over de andre»: chosen now
            for v in self.pending().values():
                self.stamp(v)
            self.version = self.conflict_version
            self.save()
        else:           # «Vis de lagrede svarene (mine endringer forkastes)»
            for f, v in list(self.form.items()) + [(f, e["value"]) for f, e in
                                                   self.unresolved.items()]:
                self.asked(f, v)
            self.copy_mem = None
            if self.expired:  # the reload goes through the log-in page and back
                login(self.tablet, "kari")
                self.expired = False
            self.load_page()

    @rule(field=fields)
    def colleague_saves_on_another_pc(self, field):
        version = page_version(self.colleague, self.aid)
        answers = server_answers(self.aid)
        answers[field] = (answers.get(field, "") + f" kollega{next(self.words)}").strip()
        self.stamp(answers[field])
        r = self.colleague.post(f"/kartlegginger/{self.aid}/autolagre", json={
            "version": version, "section": SECTION, "answers": posted(answers)})
        assert r.status_code == 200, r.get_json()
        self.ack({f: answers.get(f, "") for f in FIELDS})

    def asked(self, field, value):
        """The user saw this value beside the other and chose: nothing more is owed for it."""
        s = self.seq[value]
        self.obligations = [o for o in self.obligations if not (o[0] == field and o[2] <= s)]

    # ------------------------------------------------------------------ what must hold
    @invariant()
    def no_acknowledged_answer_is_replaced_by_an_older_one(self):
        server = server_answers(self.aid)
        for f in FIELDS:
            value = server.get(f, "")
            assert self.seq[value] >= self.floor[f], (f, value, self.floor[f])

    @invariant()
    def nothing_kept_durably_is_lost_without_asking(self):
        server = server_answers(self.aid)
        held = {f: [self.seq[server.get(f, "")]] for f in FIELDS}
        for f in FIELDS:
            held[f].append(self.seq[self.form[f]])
        for entry in (self.copy_mem, self.copy_disk):
            for part in ("fields", "conflicts"):
                for f, edit in ((entry or {}).get(part) or {}).items():
                    held[f].append(self.seq[edit["value"]])
        for f, edit in self.unresolved.items():
            held[f].append(self.seq[edit["value"]])
        for f, value, s in self.obligations:
            assert max(held[f]) >= s, ("tapt", f, value, self.copy_disk, self.unresolved)

    @invariant()
    def a_conflict_is_never_saved_before_the_user_chose(self):
        server = server_answers(self.aid)
        for f, edit in self.unresolved.items():
            if server.get(f, "") == edit["value"]:
                # only possible if the user (or the colleague) wrote that very text
                assert self.seq[edit["value"]] <= self.floor[f]


def test_draft_story(app, factory):
    kari = factory.user("ansatt", username="kari", name="Kari Ansatt")
    per = factory.user("ansatt", username="per", name="Per Ansatt")
    DraftStory.app, DraftStory.factory = app, factory
    DraftStory.person = factory.person(contact=kari).id
    DraftStory.users = {"kari": kari.id, "per": per.id}
    run_state_machine_as_test(
        DraftStory, settings=settings(max_examples=30, stateful_step_count=20, deadline=None))
