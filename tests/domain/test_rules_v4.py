"""alna-kartlegging v4: what changed from v3, with the exact texts shown.

Koordinator for complex services without a long-term need (pbrl. § 2-5 b), the koordinator
box counting the services once, the reminder after the koordinator is offered, «Har personen
selv bedt om individuell plan?» required when the assessment is «Nei», and «Ingen overgang
nå» contradicting a recent release, flagged at the item and blocking signing."""
from datetime import date
from pathlib import Path

import pytest

from domain.test_rules_v3 import (
    ALV_OG_SAM,
    BASIS,
    BASIS_NAV,
    INGEN_TJENESTER,
    K_IKKE,
    K_UAVKLART,
    K_VURDER,
    LANG_OG_SAM,
    TILBY,
    UAVHENGIG,
    areas,
    given,
    koord,
    lang,
)
from kartlegging.domain.instruments import load_all
from kartlegging.domain.rules import evaluate, item_flags, problems

REG = load_all(Path(__file__).parents[2] / "instruments")
V3 = REG.get("alna-kartlegging", 3)
V4 = REG.get("alna-kartlegging", 4)
TODAY = date(2026, 11, 25)

KOMPLEKSE = "tjenestene er komplekse: minst tre av tjenestene er andre enn fastlege og tannhelse"
KAN_VAERE_KOMPLEKSE = (
    "tre eller flere tjenester må samarbeide, fastlegen medregnet: tjenestene kan være "
    "komplekse, og retten til koordinator krever ikke langvarig behov når tjenestene er "
    "komplekse og må koordineres")
FASTLEGE_NAV_TSB = ("3 tjenester er involvert: fastlege, NAV, TSB (tverrfaglig spesialisert "
                    "rusbehandling)")


def test_the_published_case_was_ikke_in_v3_and_is_vurder_in_v4():
    """Fastlege + NAV + TSB, long-term need «Nei», coordination need «Ja», one red area."""
    answers = given(langvarig="nei", koordinering="ja", fastlege="ja", tjenester=["nav", "tsb"],
                    **areas(rod=1, gronn=7))
    assert evaluate(V3, answers).derived["koordinator"].text == K_IKKE
    k = evaluate(V4, answers).derived["koordinator"]
    assert (k.outcome, k.text) == ("vurder", K_VURDER)
    assert k.reasons == [UAVHENGIG, KAN_VAERE_KOMPLEKSE, lang("nei"), koord("ja"),
                         FASTLEGE_NAV_TSB]
    assert k.legal_basis == BASIS_NAV


KOORD_CASES_V4 = [
    # Two services that must work together, no long-term need: not complex, as in v3.
    ("to tjenester, ikke langvarig", given(langvarig="nei", koordinering="ja", fastlege="ja",
     tjenester=["nav"]), "ikke", K_IKKE,
     [UAVHENGIG, lang("nei"), koord("ja"), "2 tjenester er involvert: fastlege, NAV"], BASIS_NAV),
    # Three services but no stated need to work together: the fastlege is only beside them.
    ("tre tjenester, samordning nei", given(langvarig="nei", koordinering="nei", fastlege="ja",
     tjenester=["nav", "tsb"]), "ikke", K_IKKE,
     [UAVHENGIG, lang("nei"), koord("nei"), FASTLEGE_NAV_TSB], BASIS_NAV),
    # Three others than fastlege and tannhelse: complex, offer (as v3), the count said once.
    ("komplekse tjenester, ikke langvarig", given(langvarig="nei", koordinering="ja",
     tjenester=["nav", "tsb", "dps"]), "tilby", TILBY,
     [UAVHENGIG, KOMPLEKSE, lang("nei"), koord("ja"), "3 tjenester er involvert: NAV, TSB "
      "(tverrfaglig spesialisert rusbehandling), DPS/psykisk helsevern"], BASIS_NAV),
    ("langvarig og samordnet", given(langvarig="ja", koordinering="ja"), "tilby", TILBY,
     [UAVHENGIG, LANG_OG_SAM, lang("ja"), koord("ja"), INGEN_TJENESTER], BASIS),
    ("alvorlig og samordnet", given(koordinering="ja", **areas(rod=5, gronn=3)), "tilby",
     TILBY, [UAVHENGIG, ALV_OG_SAM, "langvarig behov er ikke besvart", koord("ja"),
             INGEN_TJENESTER], BASIS),
    ("uavklart: tomt", {}, "uavklart", K_UAVKLART, None, BASIS),
]


@pytest.mark.parametrize("name,answers,outcome,text,reasons,basis", KOORD_CASES_V4,
                         ids=[c[0] for c in KOORD_CASES_V4])
def test_koordinator_prompt_v4(name, answers, outcome, text, reasons, basis):
    k = evaluate(V4, answers).derived["koordinator"]
    assert (k.outcome, k.text, k.legal_basis) == (outcome, text, basis)
    if reasons is not None:
        assert k.reasons == reasons


def test_the_koordinator_box_counts_the_services_once():
    """v3 said «3 tjenester utenom fastlege» and «4 tjenester er involvert» side by side."""
    answers = given(langvarig="ja", koordinering="ja", fastlege="ja",
                    tjenester=["nav", "tsb", "dps"])
    v3 = evaluate(V3, answers).derived["koordinator"].reasons
    assert sum("tjenester" in r and any(c.isdigit() for c in r) for r in v3) == 2
    v4 = evaluate(V4, answers).derived["koordinator"].reasons
    counted = [r for r in v4 if any(c.isdigit() for c in r)]
    assert counted == ["4 tjenester er involvert: fastlege, NAV, TSB (tverrfaglig spesialisert "
                       "rusbehandling), DPS/psykisk helsevern"]
    assert KOMPLEKSE in v4


REMINDER = ("Ingen koordinator er registrert for personen, og svarene tyder på rett til "
            "koordinator. Informer om retten og om hvordan koordinator kan nås.")
OFFERED = ("Personen er tilbudt koordinator. Det som mangler, er hvem koordinatoren er: "
           "registrer koordinatoren når det er avklart.")


@pytest.mark.parametrize("offered,text", [(None, REMINDER), ("nei", REMINDER), ("ja", OFFERED)])
def test_reminder_says_what_is_still_missing(offered, text):
    answers = given(langvarig="ja", koordinering="ja", koordinator_tilbudt=offered)
    assert evaluate(V4, answers).derived["koordinator"].reminder["text"] == text
    # v3 keeps its one text, whatever was answered
    assert evaluate(V3, answers).derived["koordinator"].reminder["text"] == REMINDER


# ----------------------------------------------------------------- klagerett

ASKED = "«Har personen selv bedt om individuell plan?» må besvares."


def test_asked_for_ip_is_required_when_the_assessment_is_nei():
    nei = given(langvarig="ja", koordinering="nei", fastlege="ja", ip_var_vurdering="nei")
    assert ASKED in [p.message for p in problems(V4, nei)]
    assert ASKED not in [p.message for p in problems(V3, nei)]  # v3 let it pass: the gap
    assert ASKED not in [p.message for p in problems(V4, {**nei, "ip_onsket_av_person": "nei"})]
    ja = {**nei, "ip_var_vurdering": "ja"}  # the question is not shown: nothing to require
    assert ASKED not in [p.message for p in problems(V4, ja)]
    klage = [p.field for p in problems(V4, {**nei, "ip_onsket_av_person": "ja"})]
    assert "ip_klagerett_informert" in klage


# ----------------------------------------------------------------- kriseplan contradiction

CONFLICT = ("Du har krysset av for «Ingen overgang nå», men personen ble løslatt fra fengsel for "
            "mindre enn 8 uker siden, eller har en planlagt løslatelse (se «Dato for siste "
            "løslatelse, eller planlagt løslatelse»). Fjern krysset, eller rett datoen.")


def released(days_ago, overgang=("ingen",)):
    d = date.fromordinal(TODAY.toordinal() - days_ago).isoformat()
    return {"fengsel": "ja", "fengsel_losl_dato": d, "overgang": list(overgang)}


def test_no_transition_ticked_but_released_21_days_ago():
    answers = released(21)
    k3 = evaluate(V3, answers, today=TODAY).derived["kriseplan"]
    assert "ingen overgang nå" in k3.reasons  # v3: heading and reason contradict
    k = evaluate(V4, answers, today=TODAY).derived["kriseplan"]
    assert k.text == "Personen er i en overgang: lag eller oppdater kriseplan."
    assert "ingen overgang nå" not in k.reasons
    assert k.reasons[0] == ("«Ingen overgang nå» er krysset av, men løslatelsen fra fengsel "
                            "04.11.2026 er en overgang: rett ett av svarene")
    section = V4.section("overganger")
    assert item_flags(V4, answers, section, TODAY) == {"overgang": [CONFLICT]}
    assert CONFLICT in [p.message for p in problems(V4, answers, TODAY)]
    assert item_flags(V3, answers, V3.section("overganger"), TODAY) == {}


@pytest.mark.parametrize("answers,flagged", [
    (released(56), True),                       # the last day of the 8 weeks
    (released(57), False),                      # a release longer ago is no transition now
    (released(-30), True),                      # a planned release
    (released(21, overgang=["losl_fengsel"]), False),
    ({"overgang": ["ingen"]}, False),
])
def test_conflict_boundaries(answers, flagged):
    assert (CONFLICT in [p.message for p in problems(V4, answers, TODAY)]) == flagged
    assert bool(item_flags(V4, answers, V4.section("overganger"), TODAY)) == flagged


def test_none_with_others_is_flagged_on_the_item_too():
    answers = {"overgang": ["ingen", "flytting"]}
    assert item_flags(V4, answers, V4.section("overganger"), TODAY) == {"overgang": [
        "Du har krysset av for «Ingen overgang nå» sammen med en overgang. Fjern ett av svarene."]}
