"""HPR-nummer: its form only (the register publishes no control digit)."""
import pytest

from kartlegging.domain.hpr import InvalidHpr, normalise


def test_digits_and_spaces():
    assert normalise("1234567") == "1234567"
    assert normalise(" 123 45 678 ") == "12345678"
    assert normalise("") is None and normalise(None) is None and normalise("  ") is None


@pytest.mark.parametrize(("raw", "message"), [
    ("12a4567", "HPR-nummeret kan bare ha siffer."),
    ("١٢٣٤٥٦٧", "HPR-nummeret kan bare ha siffer."),  # other scripts' digits are no HPR-nummer
    ("0123456", "HPR-nummeret begynner ikke med 0."),
    ("1234567890", "HPR-nummeret har høyst 9 siffer (du skrev 10)."),
])
def test_refused_with_a_message(raw, message):
    with pytest.raises(InvalidHpr) as e:
        normalise(raw)
    assert e.value.message == message
