"""A Hypothesis story over everything that changes a stored derived value: signings (today and
back-dated), corrections, ratings completed and deleted, assessments moved to another person,
persons moved to another team and renamed, FHIR imports. After every step each stored value
equals its recomputation, and the team lead's start-page counts equal the filtered lists."""
from datetime import timedelta

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from kartlegging.admin import operations as admin_ops
from kartlegging.clock import now_utc, today
from kartlegging.derived import check
from kartlegging.extensions import db
from kartlegging.fhir import operations as fhir_ops
from kartlegging.fhir.codes import questionnaire_url
from kartlegging.fhir.response import response_items
from kartlegging.journal import signing
from kartlegging.lead import overview
from kartlegging.models import Assessment, Person
from kartlegging.seeding import stand_in

DAYS = st.integers(min_value=0, max_value=400)


def _freeze_as_signed(a, by_id, signed_at):
    """What a signing stores, at a given (back-dated) time: the seeding's stand-in for a
    signing without its PDF, which freezes the columns with the app's writers."""
    inst = db.session.info["registry"].get(a.instrument_key, a.instrument_version)
    for column, value in stand_in.signed_columns(inst, a.answers, signed_at, by_id).items():
        setattr(a, column, value)


def _ago(days):
    return now_utc() - timedelta(days=days, minutes=1)


def story(app, factory):
    registry = app.extensions["instruments"]

    class Story(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            db.session.info["registry"] = registry
            # Every example starts from an empty database, so that a step draws the same
            # choices when Hypothesis replays it while shrinking.
            db.session.rollback()
            for table in reversed(db.metadata.sorted_tables):
                if table.name != "audit_event":  # append-only; this story writes none
                    db.session.execute(table.delete())
            db.session.commit()
            factory._n = 0  # the factory's numbering (names, fødselsnumre) starts over too
            self.teams = [factory.team(f"Team {k}") for k in range(2)]
            self.user = factory.user("ansatt", team=self.teams[0])
            self.persons = []

        def _pick(self, data, items):
            return data.draw(st.sampled_from(items))

        @rule()
        def add_person(self):
            k = len(self.persons)
            self.persons.append(factory.person(team=self.teams[0], name=f"Ola Nr{k}",
                                               contact=self.user).id)

        @precondition(lambda self: self.persons)
        @rule(data=st.data(), days=DAYS)
        def sign(self, data, days):
            p = db.session.get(Person, self._pick(data, self.persons))
            factory.signed(p, self.user, signed_at=now_utc() - timedelta(days=days))

        def _signed(self):
            return list(db.session.scalars(db.select(Assessment).where(
                Assessment.person_id.in_(self.persons), Assessment.status == "signed",
                Assessment.instrument_key == "alna-kartlegging")))

        @precondition(lambda self: self.persons)
        @rule(data=st.data(), days=DAYS)
        def correct_and_sign(self, data, days):
            candidates = [a for a in self._signed() if signing.correction_of(a) is None]
            if not candidates:
                return
            new = signing.correct(self._pick(data, candidates), self.user)
            _freeze_as_signed(new, self.user.id, _ago(days))
            db.session.commit()

        @precondition(lambda self: self.persons)
        @rule(data=st.data(), days=st.integers(min_value=1, max_value=300))
        def back_date(self, data, days):
            signed = self._signed()
            if signed:
                a = self._pick(data, signed)
                _freeze_as_signed(a, a.signed_by_id, a.signed_at - timedelta(days=days))
                db.session.commit()

        @precondition(lambda self: self.persons)
        @rule(data=st.data(), value=st.integers(min_value=1, max_value=7), days=DAYS)
        def rate(self, data, value, days):
            signed = self._signed()
            if signed:
                inst = registry.latest("livskvalitet")
                values = {i: value for i, item in inst.items.items() if item.type == "scale"}
                r = factory.rating(self._pick(data, signed), self.user, values=values)
                r.completed_at = now_utc() - timedelta(days=days)
                db.session.commit()

        @precondition(lambda self: self.persons)
        @rule(data=st.data())
        def delete_rating(self, data):
            ratings = list(db.session.scalars(db.select(Assessment).where(
                Assessment.person_id.in_(self.persons),
                Assessment.instrument_key == "livskvalitet")))
            if ratings:
                db.session.delete(self._pick(data, ratings))
                db.session.commit()

        @precondition(lambda self: len(self.persons) >= 2)
        @rule(data=st.data())
        def move_assessment_to_another_person(self, data):
            # A kartlegging registered on the wrong person, moved by an administrator.
            signed = self._signed()
            if signed:
                a = self._pick(data, signed)
                a.person_id = self._pick(data, [p for p in self.persons if p != a.person_id])
                db.session.commit()

        @precondition(lambda self: self.persons)
        @rule(data=st.data())
        def move_person_to_the_other_team(self, data):
            p = db.session.get(Person, self._pick(data, self.persons))
            other = next(t for t in self.teams if t.id != p.team_id)
            admin_ops.move_person(p, other.id, "Flyttet i test")
            db.session.commit()

        @precondition(lambda self: self.persons)
        @rule(data=st.data(), suffix=st.sampled_from(["Berg", "Dahl Lie", "Ås"]))
        def rename(self, data, suffix):
            p = db.session.get(Person, self._pick(data, self.persons))
            p.name = f"Kari {suffix}"
            db.session.commit()

        @precondition(lambda self: self.persons)
        @rule(data=st.data(), days=DAYS)
        def import_and_sign(self, data, days):
            p = db.session.get(Person, self._pick(data, self.persons))
            inst = registry.latest("alna-kartlegging")
            donor = factory.assessment(p, self.user)
            qr = {"resourceType": "QuestionnaireResponse",
                  "questionnaire": f"{questionnaire_url(fhir_ops.base(), inst.key)}|"
                                   f"{inst.version}",
                  "item": response_items(inst, donor.answers, fhir_ops.base())}
            db.session.delete(donor)
            a = fhir_ops.import_response(p, qr, self.user)
            _freeze_as_signed(a, self.user.id, _ago(days))
            db.session.commit()

        @invariant()
        def stored_values_equal_their_recomputation(self):
            assert check.find() == []

        @invariant()
        def counts_equal_the_filtered_lists(self):
            interval = app.config["REASSESS_AFTER_DAYS"]
            for team in self.teams:
                counts = overview.summary_counts(team.id, today(), interval)
                rows = overview.fetch(overview.Query(team_id=team.id, today=today(),
                                                     interval_days=interval,
                                                     per_page=500)).rows
                states = [r.due.state for r in rows]
                assert counts["forfalt"] == states.count("forfalt") + states.count("aldri")
                assert counts["snart"] == states.count("snart")
                for name, wanted in (("forfalt", {"forfalt", "aldri"}), ("snart", {"snart"}),
                                     ("ok", {"ok"})):
                    listed = overview.fetch(overview.Query(
                        team_id=team.id, today=today(), interval_days=interval,
                        forfall=name, per_page=500)).rows
                    assert {r.person_id for r in listed} == {
                        r.person_id for r in rows if r.due.state in wanted}

    return Story


def test_derived_values_never_drift(app, factory):
    machine = story(app, factory)
    machine.TestCase.settings = settings(
        max_examples=15, stateful_step_count=15, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    machine.TestCase().runTest()
