"""What a form's definition says about its record, asked of the loaded instruments."""
from datetime import date, datetime
from pathlib import Path

import pytest

from kartlegging.domain.instrument_facts import (
    KARTLEGGING,
    LIVSKVALITET,
    coordinator_applies,
    reference_day,
    takes_selfrating,
)
from kartlegging.domain.instruments import load_all

INSTRUMENTS = Path(__file__).resolve().parents[2] / "instruments"


@pytest.fixture(scope="module")
def registry():
    return load_all(INSTRUMENTS)


def test_every_kartlegging_takes_the_selfrating_and_names_the_koordinator(registry):
    for inst in registry:
        if inst.key == KARTLEGGING:
            assert takes_selfrating(inst) and coordinator_applies(inst), inst.version


def test_the_selfrating_takes_no_selfrating_and_has_no_koordinator(registry):
    inst = registry.latest(LIVSKVALITET)
    assert not takes_selfrating(inst) and not coordinator_applies(inst)


def test_reference_day_is_the_oslo_signing_day_else_today():
    # 22:30 UTC on 31 October is 23:30 in Oslo (winter time): still the 31st there.
    assert reference_day(datetime(2026, 10, 31, 22, 30), date(2027, 1, 5)) == date(2026, 10, 31)
    # 23:30 UTC is 00:30 on 1 November in Oslo: the signing day is the 1st.
    assert reference_day(datetime(2026, 10, 31, 23, 30), date(2027, 1, 5)) == date(2026, 11, 1)
    assert reference_day(None, date(2027, 1, 5)) == date(2027, 1, 5)
