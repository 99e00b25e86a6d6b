"""alna-kartlegging v3 and livskvalitet v2: the IP, koordinator and kriseplan prompts
in line with the law, table-driven over every outcome and reason; offer and klagerett checks;
the new answer options; the livskvalitet mean's minimum."""
from datetime import date
from pathlib import Path

import pytest

from kartlegging.domain.instruments import load_all
from kartlegging.domain.rules import evaluate, problems, score_detail

REG = load_all(Path(__file__).parents[2] / "instruments")
V3 = REG.get("alna-kartlegging", 3)
LK2 = REG.get("livskvalitet", 2)
AREAS = ["bolig", "aktivitet", "okonomi", "fysisk_helse", "psykisk_helse", "rusmiddelbruk",
         "sosial_fungering", "nettverk"]

OPPFYLT = "Vilkårene for individuell plan ser ut til å være oppfylt"
VURDER = "Vurder individuell plan"
IKKE = "Svarene tyder ikke på behov for individuell plan nå"
UAVKLART = "Vilkårene for individuell plan er ikke vurdert ennå"

# Reasons, in the order the file lists them.
HAR_IP_JA = "personen har allerede individuell plan: det foreslås ikke en ny"
HAR_IP_NEI = "personen har ikke individuell plan i dag"
HAR_IP_VET_IKKE = ("det er ikke kjent om personen har individuell plan i dag: sjekk det før "
                   "dere foreslår en ny")
HAR_IP_UBESVART = "om personen har individuell plan i dag, er ikke besvart"
LANG_UBESVART = "langvarig behov er ikke besvart"
KOORD_UBESVART = "behov for tjenester fra flere instanser som må samarbeide, er ikke besvart"
FASTLEGE_UBESVART = "om personen har fastlege, er ikke besvart"
TJENESTER_UBESVART = "hvilke andre tjenester som er involvert, er ikke besvart"
INGEN_TJENESTER = "ingen tjenester er involvert"
RUTINE = ("{} teller som involvert, men rutinetjenester som fastlege og tannhelse gir alene "
          "sjelden behov for samordning")
BARE_EN = "bare én tjeneste er involvert, og det er ikke meldt behov for samordning"
INGEN_OG_IKKE = "ingen tjenester er involvert, og det er ikke meldt behov for samordning"
BARE_RUTINE = "bare rutinetjenester er involvert, og det er ikke meldt behov for samordning"
IKKE_LANGVARIG = "behovet er vurdert som ikke langvarig"
VURDER_SAMORDNING = ("langvarig behov er til stede: vurder om personen trenger tjenester fra "
                     "flere instanser som må samarbeide")
VURDER_LANGVARIG = "behov for samordning er til stede: vurder om behovet er langvarig"
VURDER_ALVORLIG = ("alvorlige problemer på de fleste levekårsområdene, og tjenestene er ikke "
                   "kartlagt: vurder individuell plan når tjenestene er kartlagt")
VURDER_BEGGE = ("vurder både om behovet er langvarig og om personen trenger tjenester fra flere "
                "instanser som må samarbeide")
NO_RED = "ingen levekårsområder er vurdert som røde"


def red(n):
    return f"rød på {n} av 8 levekårsområder"


def lang(v):
    return f"langvarig behov: {v}"


def koord(v):
    return f"behov for tjenester fra flere instanser som må samarbeide: {v}"


def areas(rod=0, gronn=0):
    colours = ["rod"] * rod + ["gronn"] * gronn
    return {f"vurdering_{a}": c for a, c in zip(AREAS, colours)}


def given(har_ip="nei", langvarig=None, koordinering=None, fastlege="nei", tjenester=("ingen",),
          **extra):
    """Answers for the IP inputs; None leaves an input unanswered."""
    a = {"har_ip": har_ip, "langvarig_behov": langvarig, "koordinering_behov": koordinering,
         "fastlege_har": fastlege, "oppfolgingstjenester": list(tjenester) if tjenester else None}
    a.update(extra)
    return {k: v for k, v in a.items() if v is not None}


IP_CASES = [
    # --- met: long-term and coordination (services involved, or needed)
    ("oppfylt: langvarig, to tjenester", given(langvarig="ja", koordinering="nei", fastlege="ja",
     tjenester=["nav"]), OPPFYLT,
     [HAR_IP_NEI, lang("ja"), koord("nei"), "2 tjenester er involvert: fastlege, NAV",
      RUTINE.format("fastlege"), NO_RED]),
    ("oppfylt: langvarig, én tjeneste, men flere trengs", given(langvarig="ja", koordinering="ja",
     fastlege="ja"), OPPFYLT,
     [HAR_IP_NEI, lang("ja"), koord("ja"), "1 tjeneste er involvert: fastlege",
      RUTINE.format("fastlege"), NO_RED]),
    ("oppfylt: ingen tjenester nå, behovene er udekket", given(langvarig="ja", koordinering="ja"),
     OPPFYLT, [HAR_IP_NEI, lang("ja"), koord("ja"), INGEN_TJENESTER, NO_RED]),
    ("oppfylt: nye tjenester teller", given(langvarig="ja", koordinering="nei",
     tjenester=["fact_act", "velferdsetaten"]), OPPFYLT,
     [HAR_IP_NEI, lang("ja"), koord("nei"),
      "2 tjenester er involvert: FACT/ACT-team, Velferdsetatens tiltak", NO_RED]),
    # --- has IP: no new proposal, whatever else is answered
    ("har IP, med dato", given(har_ip="ja", har_ip_dato="2025-03-01", langvarig="ja",
     koordinering="ja"), "Personen har individuell plan (fra 01.03.2025). Vurder om planen er "
     "oppdatert.", [HAR_IP_JA, lang("ja"), koord("ja"), INGEN_TJENESTER, NO_RED]),
    ("har IP, uten dato", given(har_ip="ja"), "Personen har individuell plan (dato ikke "
     "registrert). Vurder om planen er oppdatert.",
     [HAR_IP_JA, LANG_UBESVART, KOORD_UBESVART, INGEN_TJENESTER, NO_RED]),
    ("har IP, dato skjult når svaret ikke er ja", given(har_ip="vet_ikke",
     har_ip_dato="2025-03-01", langvarig="ja", koordinering="ja"), OPPFYLT,
     [HAR_IP_VET_IKKE, lang("ja"), koord("ja"), INGEN_TJENESTER, NO_RED]),
    ("har IP ubesvart", given(har_ip=None, langvarig="ja", koordinering="ja"), OPPFYLT,
     [HAR_IP_UBESVART, lang("ja"), koord("ja"), INGEN_TJENESTER, NO_RED]),
    # --- consider: one condition met, the other unclear or unanswered
    ("vurder: langvarig, samordning vet ikke", given(langvarig="ja", koordinering="vet_ikke",
     fastlege="ja"), VURDER,
     [HAR_IP_NEI, lang("ja"), koord("vet ikke"), "1 tjeneste er involvert: fastlege",
      RUTINE.format("fastlege"), VURDER_SAMORDNING, NO_RED]),
    ("vurder: langvarig, samordning ubesvart", given(langvarig="ja"), VURDER,
     [HAR_IP_NEI, lang("ja"), KOORD_UBESVART, INGEN_TJENESTER, VURDER_SAMORDNING, NO_RED]),
    ("vurder: langvarig, samordning nei, tjenester ubesvart", given(langvarig="ja",
     koordinering="nei", fastlege=None, tjenester=None), VURDER,
     [HAR_IP_NEI, lang("ja"), koord("nei"), FASTLEGE_UBESVART, TJENESTER_UBESVART,
      VURDER_SAMORDNING, NO_RED]),
    ("vurder: samordning, langvarig vet ikke", given(langvarig="vet_ikke", koordinering="ja"),
     VURDER, [HAR_IP_NEI, lang("vet ikke ennå"), koord("ja"), INGEN_TJENESTER,
              VURDER_LANGVARIG, NO_RED]),
    ("vurder: tre tjenester, langvarig ubesvart", given(koordinering="nei", fastlege="ja",
     tjenester=["nav", "lar"]), VURDER,
     [HAR_IP_NEI, LANG_UBESVART, koord("nei"), "3 tjenester er involvert: fastlege, NAV, LAR",
      VURDER_LANGVARIG, NO_RED]),  # two other services: fastlege decides nothing, no note
    ("oppfylt: fastlege og tre andre tjenester, ingen merknad om rutinetjenester",
     given(langvarig="ja", koordinering="nei", fastlege="ja", tjenester=["nav", "tsb", "lar"]),
     OPPFYLT, [HAR_IP_NEI, lang("ja"), koord("nei"), "4 tjenester er involvert: fastlege, NAV, "
               "TSB (tverrfaglig spesialisert rusbehandling), LAR", NO_RED]),
    ("vurder: alvorlige problemer, tjenester ubesvart (aldri «ikke nå»)",
     given(langvarig="nei", koordinering="nei", fastlege=None, tjenester=None, **areas(rod=4,
           gronn=4)), VURDER,
     [HAR_IP_NEI, lang("nei"), koord("nei"), FASTLEGE_UBESVART, TJENESTER_UBESVART,
      VURDER_ALVORLIG, red(4)]),
    ("vurder: alle røde, bare fastlege besvart",
     given(langvarig=None, koordinering=None, fastlege="ja", tjenester=None, **areas(rod=8)),
     VURDER, [HAR_IP_NEI, LANG_UBESVART, KOORD_UBESVART,
              "så langt er 1 tjeneste registrert som involvert: fastlege", TJENESTER_UBESVART,
              RUTINE.format("fastlege"), VURDER_ALVORLIG, red(8)]),
    # --- not now: answered, and not met, with the reason
    ("ikke nå: langvarig, bare fastlege, ikke meldt samordning", given(langvarig="ja",
     koordinering="nei", fastlege="ja"), IKKE,
     [HAR_IP_NEI, lang("ja"), koord("nei"), "1 tjeneste er involvert: fastlege",
      RUTINE.format("fastlege"), BARE_EN, NO_RED]),
    ("ikke nå: langvarig, fastlege og tannhelse er rutine", given(langvarig="ja",
     koordinering="nei", fastlege="ja", tannhelse="har_tannlege"), IKKE,
     [HAR_IP_NEI, lang("ja"), koord("nei"), "2 tjenester er involvert: fastlege, "
      "tannhelsetjenesten", RUTINE.format("fastlege, tannhelsetjenesten"), BARE_RUTINE, NO_RED]),
    ("ikke nå: ingen tjenester og ingen samordning", given(langvarig="ja", koordinering="nei"),
     IKKE, [HAR_IP_NEI, lang("ja"), koord("nei"), INGEN_TJENESTER, INGEN_OG_IKKE, NO_RED]),
    ("ikke nå: ikke langvarig", given(langvarig="nei", koordinering="ja", tjenester=["nav",
     "tsb"]), IKKE,
     [HAR_IP_NEI, lang("nei"), koord("ja"),
      "2 tjenester er involvert: NAV, TSB (tverrfaglig spesialisert rusbehandling)",
      IKKE_LANGVARIG, NO_RED]),
    ("ikke nå: begge nei", given(langvarig="nei", koordinering="nei", fastlege="ja"), IKKE,
     [HAR_IP_NEI, lang("nei"), koord("nei"), "1 tjeneste er involvert: fastlege",
      RUTINE.format("fastlege"), BARE_EN, IKKE_LANGVARIG, NO_RED]),
    ("ikke nå: frivillige teller ikke", given(langvarig="ja", koordinering="nei",
     tjenester=["frivillig"]), IKKE,
     [HAR_IP_NEI, lang("ja"), koord("nei"), INGEN_TJENESTER, INGEN_OG_IKKE, NO_RED]),
    # --- nothing to go on: every unanswered input is named
    ("tomt skjema", {}, UAVKLART,
     [HAR_IP_UBESVART, LANG_UBESVART, KOORD_UBESVART, FASTLEGE_UBESVART, TJENESTER_UBESVART,
      VURDER_BEGGE, NO_RED]),
    ("bare fastlege ubesvart", given(fastlege=None, langvarig="vet_ikke",
     koordinering="vet_ikke"), UAVKLART,
     [HAR_IP_NEI, lang("vet ikke ennå"), koord("vet ikke"), FASTLEGE_UBESVART, VURDER_BEGGE,
      NO_RED]),
    ("bare tjenestelisten ubesvart", given(tjenester=None, langvarig="vet_ikke",
     koordinering="vet_ikke"), UAVKLART,
     [HAR_IP_NEI, lang("vet ikke ennå"), koord("vet ikke"), TJENESTER_UBESVART, VURDER_BEGGE,
      NO_RED]),
]


@pytest.mark.parametrize("name,answers,prompt,reasons", IP_CASES, ids=[c[0] for c in IP_CASES])
def test_ip_prompt_v3(name, answers, prompt, reasons):
    ip = evaluate(V3, answers).derived["ip"]
    assert ip.text == prompt
    assert ip.reasons == reasons
    assert "§ 7-1" in ip.legal_basis


def test_every_ip_outcome_and_reason_is_covered():
    spec = next(d for d in V3.derived if d["id"] == "ip")
    texts = {c[2] for c in IP_CASES}
    seen = {o for c in IP_CASES for o in [evaluate(V3, c[1]).derived["ip"].outcome]}
    assert seen == {o["id"] for o in spec["outcomes"]}
    reasons = " | ".join(r for c in IP_CASES for r in c[3])
    for r in spec["reasons"]:
        stem = r["text"].split("{")[0] if not r["text"].startswith("{") else r["text"][8:20]
        assert stem.strip() and stem.strip() in reasons, r["text"]
    assert OPPFYLT in texts and IKKE in texts and VURDER in texts and UAVKLART in texts


def test_not_answered_never_reads_as_none():
    """An unfinished form names what is missing; «ingen tjenester» only when answered none."""
    unanswered = evaluate(V3, given(fastlege=None, tjenester=None)).derived["ip"].reasons
    answered = evaluate(V3, given()).derived["ip"].reasons
    assert INGEN_TJENESTER not in unanswered and TJENESTER_UBESVART in unanswered
    assert INGEN_TJENESTER in answered and TJENESTER_UBESVART not in answered


# ----------------------------------------------------------------- koordinator (own right)

TILBY = ("Personen ser ut til å ha rett til koordinator. Tilby koordinator, også om personen "
         "ikke ønsker individuell plan.")
K_VURDER = "Vurder om personen har rett til koordinator"
K_IKKE = "Svarene tyder ikke på rett til koordinator nå"
K_UAVKLART = "Rett til koordinator er ikke vurdert ennå: svarene om behov og tjenester mangler"
UAVHENGIG = "retten til koordinator gjelder uavhengig av om personen ønsker individuell plan"
LANG_OG_SAM = "behovet er langvarig, og tjenestene må samordnes"
ALV_OG_SAM = "alvorlige problemer på de fleste levekårsområdene, og tjenestene må samordnes"
K_TJ_UBESVART = "tjenestene som er involvert, er ikke ferdig besvart"
BASIS = "Pasient- og brukerrettighetsloven § 2-5 b, helse- og omsorgstjenesteloven § 7-2"
BASIS_NAV = BASIS + ", sosialtjenesteloven § 28 (NAV er involvert)"

KOORD_CASES = [
    ("langvarig og samordnet", given(langvarig="ja", koordinering="ja"), "tilby",
     TILBY, [UAVHENGIG, LANG_OG_SAM, lang("ja"), koord("ja"), INGEN_TJENESTER], BASIS),
    ("uavhengig av IP: takket nei til IP", given(langvarig="ja", koordinering="ja",
     ip_var_vurdering="ja", ip_tilbudt="ja", ip_svar="takket_nei"), "tilby", TILBY,
     [UAVHENGIG, LANG_OG_SAM, lang("ja"), koord("ja"), INGEN_TJENESTER], BASIS),
    ("uavhengig av IP: vurdert nei til IP", given(langvarig="ja", koordinering="ja",
     ip_var_vurdering="nei"), "tilby", TILBY,
     [UAVHENGIG, LANG_OG_SAM, lang("ja"), koord("ja"), INGEN_TJENESTER], BASIS),
    ("komplekse tjenester, ikke langvarig", given(langvarig="nei", koordinering="ja",
     tjenester=["nav", "tsb", "dps"]), "tilby", TILBY,
     [UAVHENGIG, "tjenestene er komplekse: 3 tjenester utenom fastlege og tannhelse er "
      "involvert (NAV, TSB (tverrfaglig spesialisert rusbehandling), DPS/psykisk helsevern)",
      lang("nei"), koord("ja"), "3 tjenester er involvert: NAV, TSB (tverrfaglig spesialisert "
      "rusbehandling), DPS/psykisk helsevern"], BASIS_NAV),
    ("alvorlig og samordnet, langvarig ukjent", given(koordinering="ja", **areas(rod=5,
     gronn=3)), "tilby", TILBY,
     [UAVHENGIG, ALV_OG_SAM, LANG_UBESVART, koord("ja"), INGEN_TJENESTER], BASIS),
    ("langvarig, samordning uklar", given(langvarig="ja", koordinering="vet_ikke"), "vurder",
     K_VURDER, [UAVHENGIG, lang("ja"), koord("vet ikke"), INGEN_TJENESTER], BASIS),
    ("ikke: langvarig, bare fastlege", given(langvarig="ja", koordinering="nei", fastlege="ja"),
     "ikke", K_IKKE,
     [UAVHENGIG, lang("ja"), koord("nei"), "1 tjeneste er involvert: fastlege"], BASIS),
    ("ikke: ingen tjenester, ingen behov", given(langvarig="nei", koordinering="nei"), "ikke",
     K_IKKE, [UAVHENGIG, lang("nei"), koord("nei"), INGEN_TJENESTER], BASIS),
    ("uavklart: tomt", {}, "uavklart", K_UAVKLART,
     [UAVHENGIG, LANG_UBESVART, KOORD_UBESVART, K_TJ_UBESVART], BASIS),
    ("uavklart: tjenester ubesvart", given(langvarig="nei", koordinering="nei", tjenester=None),
     "uavklart", K_UAVKLART, [UAVHENGIG, lang("nei"), koord("nei"), K_TJ_UBESVART], BASIS),
]


@pytest.mark.parametrize("name,answers,outcome,text,reasons,basis", KOORD_CASES,
                         ids=[c[0] for c in KOORD_CASES])
def test_koordinator_prompt(name, answers, outcome, text, reasons, basis):
    k = evaluate(V3, answers).derived["koordinator"]
    assert (k.outcome, k.text, k.reasons, k.legal_basis) == (outcome, text, reasons, basis)
    assert (k.reminder is not None) == (outcome == "tilby")


def koordinator_problem(answers):
    return [p.message for p in problems(V3, answers) if p.field == "koordinator_tilbudt"]


def test_koordinator_check_independent_of_ip_decision():
    need = given(langvarig="ja", koordinering="ja", ip_var_vurdering="nei")
    assert koordinator_problem(need) == [
        "Svarene tyder på rett til koordinator. Registrer om personen er tilbudt koordinator."]
    assert koordinator_problem({**need, "koordinator_tilbudt": "nei"}) == []
    no_need = given(langvarig="ja", koordinering="nei", fastlege="ja", ip_var_vurdering="ja")
    assert koordinator_problem(no_need) == []


# ----------------------------------------------------------------- kriseplan

TODAY = date(2026, 11, 25)
TRENGS = "Personen er i en overgang: lag eller oppdater kriseplan."
SJEKK = "Personen er i en overgang, og kriseplan finnes. Sjekk at den er oppdatert."
OK = "Ingen overgang som krever ny kriseplan er registrert"
OVERDOSE = "de første ukene etter løslatelse er faren for overdose særlig høy"
UTSKRIVNING = ("utskrivning fra rusinstitusjon eller sykehus: etter et opphold tåler kroppen "
               "mindre, og faren for overdose er høy de første ukene")
STATUS_UBESVART = "status for kriseplan er ikke registrert"
OVERGANG_UBESVART = "om personen er i en overgang, er ikke besvart"


def fengsel(d, **extra):
    return {"fengsel": "ja", "fengsel_losl_dato": d, **extra}


KRISE_CASES = [
    ("tomt", {}, "ok", OK, [OVERGANG_UBESVART, STATUS_UBESVART]),
    ("ingen overgang", {"overgang": ["ingen"]}, "ok", OK, ["ingen overgang nå",
                                                          STATUS_UBESVART]),
    ("flytting alene", {"overgang": ["flytting"]}, "ok", OK,
     ["registrert overgang: Flytting/ny bolig", STATUS_UBESVART]),
    ("løslatt for 3 uker siden", fengsel("2026-11-04"), "trengs", TRENGS,
     [OVERGANG_UBESVART, f"løslatt fra fengsel 04.11.2026, de siste 8 ukene: {OVERDOSE}",
      STATUS_UBESVART]),
    ("løslatt for nøyaktig 8 uker siden", fengsel("2026-09-30"), "trengs", TRENGS,
     [OVERGANG_UBESVART, f"løslatt fra fengsel 30.09.2026, de siste 8 ukene: {OVERDOSE}",
      STATUS_UBESVART]),
    ("løslatt for 8 uker og én dag siden", fengsel("2026-09-29"), "ok", OK,
     [OVERGANG_UBESVART, STATUS_UBESVART]),
    ("planlagt løslatelse", fengsel("2027-01-15", overgang=["ingen"]), "trengs", TRENGS,
     ["ingen overgang nå", f"planlagt løslatelse fra fengsel 15.01.2027: {OVERDOSE}",
      STATUS_UBESVART]),
    ("nylig løslatt, kriseplan finnes", fengsel("2026-11-20", kriseplan_status="finnes"),
     "sjekk_oppdatert", SJEKK,
     [OVERGANG_UBESVART, f"løslatt fra fengsel 20.11.2026, de siste 8 ukene: {OVERDOSE}",
      "kriseplan: finnes"]),
    ("dato skjult når personen ikke har sonet", {"fengsel": "nei",
     "fengsel_losl_dato": "2026-11-20"}, "ok", OK, [OVERGANG_UBESVART, STATUS_UBESVART]),
    ("løslatelse krysset av uten dato", {"overgang": ["losl_fengsel"]}, "trengs", TRENGS,
     ["registrert overgang: Løslatelse fra fengsel", f"løslatelse fra fengsel: {OVERDOSE}",
      STATUS_UBESVART]),
    ("utskrivning: ikke ordet løslatelse", {"overgang": ["utskrivning_institusjon"],
     "kriseplan_status": "mangler"}, "trengs", TRENGS,
     ["registrert overgang: Utskrivning fra rusinstitusjon eller sykehus", UTSKRIVNING,
      "kriseplan: mangler"]),
]


@pytest.mark.parametrize("name,answers,outcome,text,reasons", KRISE_CASES,
                         ids=[c[0] for c in KRISE_CASES])
def test_kriseplan_prompt_v3(name, answers, outcome, text, reasons):
    k = evaluate(V3, answers, today=TODAY).derived["kriseplan"]
    assert (k.outcome, k.text, k.reasons) == (outcome, text, reasons)
    if "utskrivning" in name:
        assert "løslat" not in " ".join([k.text] + k.reasons).lower()


def test_kriseplan_check_follows_release_date():
    found = [p.field for p in problems(V3, fengsel("2026-11-04"), today=TODAY)]
    assert "kriseplan_status" in found
    assert "kriseplan_status" not in [p.field for p in problems(V3, fengsel("2026-01-04"),
                                                                  today=TODAY)]


# ----------------------------------------------------------------- offer and klagerett

def fields(answers):
    return {p.field: p.message for p in problems(V3, answers)}


def test_ja_not_offered_needs_reason_or_date():
    base = given(langvarig="ja", koordinering="ja", ip_var_vurdering="ja", ip_tilbudt="nei")
    assert "ip_ikke_tilbudt_grunn" in fields(base)
    assert "ip_ikke_tilbudt_grunn" not in fields({**base, "ip_ikke_tilbudt_grunn": "Innlagt."})
    assert "ip_ikke_tilbudt_grunn" not in fields({**base,
                                                  "ip_tilbud_planlagt_dato": "2026-12-01"})


def test_has_ip_asks_whether_plan_is_current_not_for_a_new_offer():
    f = fields(given(har_ip="ja", ip_var_vurdering="ja"))
    assert "ip_tilbudt" not in f and "ip_plan_oppdatert" in f


def test_declined_reason_may_be_withheld():
    base = given(ip_var_vurdering="ja", ip_tilbudt="ja", ip_tilbudt_dato="2026-11-01",
                 ip_svar="takket_nei")
    assert "ip_avslag_grunn_oppgitt" in fields(base)
    assert "ip_avslag_grunn" not in fields({**base, "ip_avslag_grunn_oppgitt": "onsket_ikke"})
    assert "ip_avslag_grunn" in fields({**base, "ip_avslag_grunn_oppgitt": "ja"})
    label = V3.items["ip_avslag_grunn_oppgitt"].option_label("onsket_ikke")
    assert label == "Ønsket ikke å oppgi grunn"


def test_assessed_nei_but_asked_for_ip_records_klagerett():
    base = given(ip_var_vurdering="nei", ip_onsket_av_person="ja")
    assert "Statsforvalteren" in fields(base)["ip_klagerett_informert"]
    assert "Statsforvalteren" in fields({**base, "ip_klagerett_informert": "nei"}).get(
        "ip_klagerett_informert", "")
    assert "ip_klagerett_informert" not in fields({**base, "ip_klagerett_informert": "ja"})
    assert "ip_klagerett_informert" not in fields(given(ip_var_vurdering="nei",
                                                        ip_onsket_av_person="nei"))


# ----------------------------------------------------------------- form fidelity (v3 only)

@pytest.mark.parametrize("item,value,label", [
    ("oppholdsstatus", "eos", "Oppholdsrett som EØS-borger"),
    ("oppholdsstatus", "uten_lovlig_opphold", "Uten lovlig opphold"),
    ("inntektskilde", "introduksjonsstonad", "Introduksjonsstønad"),
    ("inntektskilde", "sykepenger", "Sykepenger"),
    ("inntektskilde", "supplerende_stonad", "Supplerende stønad"),
    ("oppfolgingstjenester", "ruspoliklinikk", "ruspoliklinikk"),
    ("oppfolgingstjenester", "fact_act", "FACT/ACT-team"),
    ("oppfolgingstjenester", "velferdsetaten", "Velferdsetatens tiltak"),
    ("sivilstand", "ugift", "Ugift"),
    ("barn_samvaer", "tilsyn", "Samvær under tilsyn"),
    ("psykisk_helse", "noe", "Noen plager"),
    ("rusmiddelproblemer", "tidligere", "Har hatt problemer tidligere, ikke nå"),
    ("seksuell_helse_situasjon", "betydelige", "Betydelige plager"),
])
def test_new_options(item, value, label):
    assert V3.items[item].option_label(value) == label
    old = REG.get("alna-kartlegging", 2).items.get(item)
    assert old is None or value not in {o.value for o in old.options} \
        or old.option_label(value) != label   # new or reworded in v3


def test_new_none_options_are_in_the_ingen_checks():
    both = {"inntektskilde": ["ingen", "sykepenger"],
            "oppfolgingstjenester": ["ingen", "fact_act"]}
    assert {"inntektskilde", "oppfolgingstjenester"} <= set(fields(both))


def test_language_asked_of_everyone_and_carer_without_own_children():
    answers = {"innvandrer_relevant": "nei", "har_barn": "nei", "spraak": "norsk",
               "behov_for_tolk": "nei", "barn_omsorgsperson": "ja"}
    from kartlegging.domain.rules import clean
    kept = clean(V3, answers)
    assert kept["spraak"] == "norsk" and kept["barn_omsorgsperson"] == "ja"
    assert V3.items["spraak"].section_id == "viktig"
    old = clean(REG.get("alna-kartlegging", 2), answers)
    assert "spraak" not in old and "barn_omsorgsperson" not in old


def test_rusmiddelproblemer_has_its_own_list_and_sexual_health_is_mapped():
    assert V3.items["rusmiddelproblemer"].options != V3.items["psykisk_helse"].options
    assert V3.items["seksuell_helse_situasjon"].section_id == "helse"
    assert V3.items["seksuell_helse"].type == "yes_no"


def test_levekarsindeks_lilla_and_local_rule_note():
    d = evaluate(V3, areas(rod=8)).derived["levekarsindeks"]
    assert d.text == "Lilla (blålys)"
    assert "bydelens egen regel, ikke BrukerPlans" in d.note
    assert "fil" not in d.note.lower()


# ----------------------------------------------------------------- livskvalitet v2

SCALES = [i.id for i in LK2.items.values() if i.type == "scale"]


@pytest.mark.parametrize("n,mean,label", [
    (12, 5.0, "snitt av 12 av 12"),
    (8, 5.0, "snitt av 8 av 12"),
    (7, None, "snitt av 7 av 12"),
    (0, None, "snitt av 0 av 12"),
])
def test_mean_needs_eight_of_twelve(n, mean, label):
    answers = {q: 5 for q in SCALES[:n]}
    answers.update({q: "vil_ikke_svare" for q in SCALES[n:]})
    s = score_detail(LK2, answers, "snitt")
    assert (s.mean, s.label, s.answered, s.total) == (mean, label, n, 12)


def test_mansa_anchors_and_label():
    item = LK2.items["liv_helhet"]
    assert item.anchor(3) == "Stort sett misfornøyd" and item.anchor(5) == "Stort sett fornøyd"
    assert LK2.title.endswith("basert på MANSA (Priebe m.fl. 1999)")
