"""Samtykke for one person: consents from the database, judged by domain.consent_rules."""
from datetime import date

from flask import current_app
from sqlalchemy import select

from ..domain.consent_rules import describe, status
from ..extensions import db
from ..models import Consent


def for_person(person_id: int) -> list[Consent]:
    return list(db.session.scalars(select(Consent).where(Consent.person_id == person_id)
                                   .order_by(Consent.valid_from.desc(), Consent.id.desc())))


def in_force(person_id: int, today: date) -> list[Consent]:
    return [c for c in for_person(person_id) if status(c, today) == "i_kraft"]


def covering_parorende(person_id: int, today: date) -> list[Consent]:
    """Consents in force that cover information from or to pårørende."""
    return [c for c in in_force(person_id, today) if c.party_kind == "parorende"]


def lists() -> dict:
    return current_app.extensions["consent_lists"]


def describe_with_labels(consent: Consent) -> str:
    lst = lists()
    return describe(consent, lst["parties"], lst["categories"])
