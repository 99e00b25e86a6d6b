"""rules.py on the published v2 form and livskvalitet v1: the IP prompt (table-driven),
levekårsindeks, kriseplan, checks, clean, scores. These must keep passing unchanged: signed
v2 records show these prompts. Version 3's rules are in test_rules_v3.py."""
from pathlib import Path

import pytest

from kartlegging.domain.instruments import load_all, load_file
from kartlegging.domain.rules import Evaluator, clean, evaluate, problems, progress, score

INSTRUMENTS = Path(__file__).parents[2] / "instruments"
REG = load_all(INSTRUMENTS)
ALNA = REG.get("alna-kartlegging", 2)
LK = REG.get("livskvalitet", 1)
AREAS = ["bolig", "aktivitet", "okonomi", "fysisk_helse", "psykisk_helse", "rusmiddelbruk",
         "sosial_fungering", "nettverk"]
OPPFYLT = "Vilkårene for individuell plan ser ut til å være oppfylt"
VURDER = "Vurder individuell plan"
IKKE = "Svarene tyder ikke på behov for individuell plan nå"
TSB = "TSB (tverrfaglig spesialisert rusbehandling)"


def areas(rod=0, gul=0, gronn=0):
    """The first `rod` areas red, the next `gul` yellow, the next `gronn` green."""
    colours = ["rod"] * rod + ["gul"] * gul + ["gronn"] * gronn
    return {f"vurdering_{a}": c for a, c in zip(AREAS, colours)}


def answers(fastlege=None, tjenester=(), barnevern=None, langvarig=None, **extra):
    a = {}
    if fastlege:
        a["fastlege_har"] = fastlege
    if tjenester:
        a["oppfolgingstjenester"] = list(tjenester)
    if barnevern:
        a["barnevern"] = barnevern
    if langvarig:
        a["langvarig_behov"] = langvarig
    a.update(extra)
    return a


NO_SERVICES = "Ingen tjenester er registrert som involvert"
NO_RED = "ingen levekårsområder er vurdert som røde"
LONG_UNKNOWN = "langvarig behov er ikke vurdert"

IP_CASES = [
    # id, answers, prompt, reasons
    ("tomt skjema", {}, IKKE, [NO_SERVICES, LONG_UNKNOWN, NO_RED]),
    ("ingen tjenester, langvarig nei", answers(langvarig="nei"), IKKE,
     [NO_SERVICES, "langvarig behov vurdert: nei", NO_RED]),
    ("bare fastlege", answers(fastlege="ja"), IKKE,
     ["1 tjeneste er involvert: fastlege", LONG_UNKNOWN, NO_RED]),
    ("fastlege nei teller ikke", answers(fastlege="nei", langvarig="nei"), IKKE,
     [NO_SERVICES, "langvarig behov vurdert: nei", NO_RED]),
    ("én tjeneste og langvarig ja", answers(fastlege="ja", langvarig="ja"), VURDER,
     ["1 tjeneste er involvert: fastlege", "langvarig behov vurdert: ja", NO_RED]),
    ("to tjenester, langvarig ukjent", answers(fastlege="ja", tjenester=["nav"]), VURDER,
     ["2 tjenester er involvert: fastlege, NAV", LONG_UNKNOWN, NO_RED]),
    ("to tjenester, langvarig ja", answers(fastlege="ja", tjenester=["nav"], langvarig="ja"),
     OPPFYLT, ["2 tjenester er involvert: fastlege, NAV", "langvarig behov vurdert: ja", NO_RED]),
    ("fire tjenester og langvarig ja (issue-eksempelet)",
     answers(fastlege="ja", tjenester=["nav", "tsb", "boligoppfolging"], langvarig="ja"), OPPFYLT,
     [f"4 tjenester er involvert: fastlege, NAV, {TSB}, boligoppfølging",
      "langvarig behov vurdert: ja", NO_RED]),
    ("to tjenester, langvarig nei", answers(tjenester=["nav", "dps"], langvarig="nei"), VURDER,
     ["2 tjenester er involvert: NAV, DPS/psykisk helsevern", "langvarig behov vurdert: nei",
      NO_RED]),
    ("to tjenester, vet ikke", answers(tjenester=["nav", "lar"], langvarig="vet_ikke"), VURDER,
     ["2 tjenester er involvert: NAV, LAR", "langvarig behov vurdert: vet ikke ennå", NO_RED]),
    ("frivillige teller ikke", answers(tjenester=["frivillig"], langvarig="nei"), IKKE,
     [NO_SERVICES, "langvarig behov vurdert: nei", NO_RED]),
    ("«ingen» teller ikke", answers(tjenester=["ingen"], langvarig="ja"), VURDER,
     [NO_SERVICES, "langvarig behov vurdert: ja", NO_RED]),
    ("barnevern telles én gang",
     answers(tjenester=["barnevern"], barnevern="ja", langvarig="ja"), VURDER,
     ["1 tjeneste er involvert: barnevernet", "langvarig behov vurdert: ja", NO_RED]),
    ("barnevern + fastlege", answers(fastlege="ja", barnevern="ja", langvarig="ja"), OPPFYLT,
     ["2 tjenester er involvert: fastlege, barnevernet", "langvarig behov vurdert: ja", NO_RED]),
    ("tre røde områder er ikke nok alene", answers(langvarig="nei", **areas(rod=3)), IKKE,
     [NO_SERVICES, "langvarig behov vurdert: nei", "rød på 3 av 8 levekårsområder"]),
    ("fire røde områder gir vurder", answers(langvarig="nei", **areas(rod=4, gronn=4)), VURDER,
     [NO_SERVICES, "langvarig behov vurdert: nei", "rød på 4 av 8 levekårsområder"]),
    ("alle områder røde, ingen tjenester", answers(**areas(rod=8)), VURDER,
     [NO_SERVICES, LONG_UNKNOWN, "rød på 8 av 8 levekårsområder"]),
    ("alle røde + tjenester + langvarig",
     answers(fastlege="ja", tjenester=["nav", "tsb"], langvarig="ja", **areas(rod=8)), OPPFYLT,
     [f"3 tjenester er involvert: fastlege, NAV, {TSB}", "langvarig behov vurdert: ja",
      "rød på 8 av 8 levekårsområder"]),
    ("alle grønne, én tjeneste", answers(fastlege="ja", langvarig="nei", **areas(gronn=8)), IKKE,
     ["1 tjeneste er involvert: fastlege", "langvarig behov vurdert: nei", NO_RED]),
    ("gule områder teller ikke som røde", answers(langvarig="nei", **areas(gul=8)), IKKE,
     [NO_SERVICES, "langvarig behov vurdert: nei", NO_RED]),
    ("annen tjeneste teller", answers(fastlege="ja", tjenester=["annet"], langvarig="ja"),
     OPPFYLT, ["2 tjenester er involvert: fastlege, annen tjeneste", "langvarig behov vurdert: ja",
               NO_RED]),
    ("skjult svar teller ikke (fastlege_navn uten fastlege)",
     answers(fastlege="nei", fastlege_navn="Dr. Ås", langvarig="ja"), VURDER,
     [NO_SERVICES, "langvarig behov vurdert: ja", NO_RED]),
    ("bare vurderingsdelen besvart, langvarig ja", answers(langvarig="ja", **areas(gronn=8)),
     VURDER, [NO_SERVICES, "langvarig behov vurdert: ja", NO_RED]),
]


@pytest.mark.parametrize("name,given,prompt,reasons", IP_CASES, ids=[c[0] for c in IP_CASES])
def test_ip_prompt(name, given, prompt, reasons):
    ip = evaluate(ALNA, given).derived["ip"]
    assert ip.text == prompt
    assert ip.reasons == reasons
    assert "§ 7-1" in ip.legal_basis


def test_at_least_twenty_ip_cases():
    assert len(IP_CASES) >= 20


@pytest.mark.parametrize("given,outcome", [
    ({}, "ikke_vurdert"),
    (areas(gronn=8), "gronn"),
    (areas(gronn=7), "ikke_vurdert"),
    (areas(gul=1, gronn=7), "gul"),
    (areas(rod=1, gronn=7), "gul"),
    (areas(rod=3, gul=5), "gul"),
    (areas(rod=4, gronn=4), "rod"),
    (areas(rod=6, gul=2), "rod"),
    (areas(rod=7, gronn=1), "blalys"),
    (areas(rod=8), "blalys"),
])
def test_levekarsindeks(given, outcome):
    assert evaluate(ALNA, given).derived["levekarsindeks"].outcome == outcome


def test_levekarsindeks_names_red_areas():
    d = evaluate(ALNA, areas(rod=2, gronn=6)).derived["levekarsindeks"]
    assert "rød på 2 av 8 levekårsområder: boligsituasjon, meningsfull aktivitet" in d.reasons


@pytest.mark.parametrize("given,outcome", [
    ({}, "ok"),
    ({"overgang": ["losl_fengsel"]}, "trengs"),
    ({"overgang": ["utskrivning_institusjon"], "kriseplan_status": "mangler"}, "trengs"),
    ({"overgang": ["losl_fengsel"], "kriseplan_status": "finnes"}, "sjekk_oppdatert"),
    ({"overgang": ["flytting"]}, "ok"),
])
def test_kriseplan_prompt(given, outcome):
    assert evaluate(ALNA, given).derived["kriseplan"].outcome == outcome


def test_threshold_in_file_changes_outcome_without_code(tmp_path):
    """A municipality raises the service threshold from 2 to 3 in the YAML only."""
    src = (INSTRUMENTS / f"{ALNA.key}.v{ALNA.version}.yaml").read_text(encoding="utf-8")
    needle = "            - {count: tjenester, gte: 2}\n      - id: vurder"
    assert needle in src
    changed = src.replace(needle, "            - {count: tjenester, gte: 3}\n      - id: vurder")
    path = tmp_path / f"{ALNA.key}.v{ALNA.version}.yaml"
    path.write_text(changed, encoding="utf-8")
    stricter = load_file(path)
    given = answers(fastlege="ja", tjenester=["nav"], langvarig="ja")
    assert evaluate(ALNA, given).derived["ip"].outcome == "oppfylt"
    assert evaluate(stricter, given).derived["ip"].outcome == "vurder"


# ----------------------------------------------------------------- consistency rules (checks)

def fields(given):
    return [p.field for p in problems(ALNA, given)]


def complete_vurdering(**extra):
    a = dict(areas(gronn=8), langvarig_behov="nei", ip_var_vurdering="nei",
             bosituasjon="eier")
    a.update(extra)
    return {k: v for k, v in a.items() if v is not None}


def test_cannot_sign_without_ip_assessment():
    given = complete_vurdering(ip_var_vurdering=None)
    assert "ip_var_vurdering" in fields(given)
    msg = next(p.message for p in problems(ALNA, given) if p.field == "ip_var_vurdering")
    assert msg == "Den faglige vurderingen av individuell plan mangler. Svar ja eller nei."
    assert fields(given).count("ip_var_vurdering") == 1


def test_complete_vurdering_has_no_problems():
    assert problems(ALNA, complete_vurdering()) == []


def test_nei_against_oppfylt_needs_justification():
    given = complete_vurdering(fastlege_har="ja", oppfolgingstjenester=["nav"],
                               langvarig_behov="ja", ip_var_vurdering="nei")
    assert fields(given) == ["ip_begrunnelse"]
    assert fields(dict(given, ip_begrunnelse="Personen har allerede plan i DPS.")) == []


def test_nei_without_oppfylt_needs_no_justification():
    assert "ip_begrunnelse" not in fields(complete_vurdering(ip_var_vurdering="nei"))


def test_ja_needs_offer_recorded():
    given = complete_vurdering(ip_var_vurdering="ja")
    assert set(fields(given)) == {"ip_tilbudt", "koordinator_tilbudt"}
    given.update(ip_tilbudt="ja", koordinator_tilbudt="ja")
    assert set(fields(given)) == {"ip_tilbudt_dato", "ip_svar"}
    given.update(ip_tilbudt_dato="2026-11-20", ip_svar="takket_ja")
    assert fields(given) == []


def test_declined_needs_reason():
    given = complete_vurdering(ip_var_vurdering="ja", ip_tilbudt="ja", koordinator_tilbudt="ja",
                               ip_tilbudt_dato="2026-11-20", ip_svar="takket_nei")
    assert fields(given) == ["ip_avslag_grunn"]
    p = problems(ALNA, given)[0]
    assert p.message == "Skriv hvorfor personen takket nei." and p.section_id == "vurdering"
    assert fields(dict(given, ip_avslag_grunn="Vil vente til etter soning.")) == []


def test_required_area_ratings_listed():
    given = complete_vurdering(vurdering_nettverk=None)
    assert "vurdering_nettverk" in fields(given)


def test_hidden_answers_do_not_trigger_checks():
    """ip_svar = takket_nei is hidden when ip_tilbudt is nei: no reason demanded."""
    given = complete_vurdering(ip_var_vurdering="ja", ip_tilbudt="nei", koordinator_tilbudt="ja",
                               ip_svar="takket_nei")
    assert "ip_avslag_grunn" not in fields(given)


# ----------------------------------------------------------------- clean, visibility, progress

def test_clean_drops_hidden_items_and_their_comments():
    raw = {"har_barn": "nei", "barn_antall_mindreaarige": 2, "barn_omsorgsperson": "ja",
           "barn_omsorgsperson__kommentar": "x", "ukjent_felt": "y", "sivilstand": "gift"}
    assert clean(ALNA, raw) == {"har_barn": "nei", "sivilstand": "gift"}


def test_hidden_section_is_hidden_with_its_items():
    ev = Evaluator(ALNA, {"innvandrer_relevant": "nei"})
    section = ALNA.section("innvandrer")
    assert not ev.section_visible(section)
    assert not any(ev.visible(i) for i in section.items)
    assert clean(ALNA, {"innvandrer_relevant": "nei", "nasjonalitet": "Sverige"}) == \
        {"innvandrer_relevant": "nei"}


def test_progress_counts_visible_items_only():
    p = progress(ALNA, {"har_barn": "nei", "sivilstand": "gift", "innvandrer_relevant": "nei"})
    assert p["innvandrer"] == (0, 0)
    answered, total = p["familie"]
    assert answered == 3 and total < len(ALNA.section("familie").items)


# ----------------------------------------------------------------- livskvalitet score

SAT = [s for s in LK.scores[0]["mean_of"]]


def test_score_mean_over_answered_items():
    given = {SAT[0]: 7, SAT[1]: 5, SAT[2]: 3}
    assert score(LK, given, "snitt") == 5.0


def test_score_ignores_decline_and_skipped():
    given = {SAT[0]: 6, SAT[1]: "vil_ikke_svare", SAT[2]: 3}
    assert score(LK, given, "snitt") == 4.5


def test_score_none_when_nothing_answered():
    assert score(LK, {SAT[0]: "vil_ikke_svare"}, "snitt") is None
    assert score(LK, {}, "snitt") is None


def test_score_rounds_to_two_decimals():
    assert score(LK, {SAT[0]: 1, SAT[1]: 1, SAT[2]: 2}, "snitt") == 1.33


def test_livskvalitet_has_twelve_scales_and_four_yes_no():
    types = [i.type for i in LK.items.values()]
    assert types.count("scale") == 12 and types.count("yes_no") == 4
    assert all(i.decline for i in LK.items.values())
    assert len(SAT) == 12
    first = LK.items[SAT[0]]
    assert first.anchor(1) == "Kunne ikke vært verre" and first.anchor(7) == "Kunne ikke vært bedre"
