"""Sum scores go out as FHIR Observations in the signed form's Bundle: the score's LOINC code
where the instrument has one (AUDIT 75624-7, AUDIT-C 75626-2) and the form's own code where
it has none (DUDIT), the sum as valueInteger, the cut-off outcome as interpretation, the
form's panel code as method, derived from the QuestionnaireResponse; validated as R4B."""
from fhir_support import validate
from kartlegging.assessments import drafts
from kartlegging.clock import now_utc
from kartlegging.extensions import db
from kartlegging.models import Assessment
from kartlegging.seeding.stand_in import signed_columns

LOINC = "http://loinc.org"


def _bundle(client, a):
    r = client.get(f"/kartlegginger/{a.id}/fhir")
    assert r.status_code == 200
    bundle = r.get_json(force=True)
    validate(bundle)
    return bundle


def test_audit_c_sum_goes_out_with_its_loinc_code(staff, factory):
    client, user = staff
    person = factory.person(contact=user)
    a = factory.signed(person, user, key="audit-c", alkohol_hvor_ofte="2_3_i_uka",
                       alkohol_enheter="3_4", alkohol_seks_eller_mer="maanedlig", kjonn="mann")
    bundle = _bundle(client, a)
    qr_url = next(e["fullUrl"] for e in bundle["entry"]
                  if e["resource"]["resourceType"] == "QuestionnaireResponse")
    (entry,) = [e for e in bundle["entry"] if e["resource"].get("valueInteger") is not None]
    obs = entry["resource"]
    assert obs["code"]["coding"] == [{"system": LOINC, "code": "75626-2",
                                      "display": "Total score [AUDIT-C]"}]
    assert obs["valueInteger"] == 3 + 1 + 2
    assert obs["interpretation"][0]["coding"][0]["code"] == "over_grensen"
    assert obs["method"]["coding"][0]["code"] == "72109-2"
    assert obs["derivedFrom"] == [{"reference": qr_url}]
    assert obs["subject"]["identifier"]["value"] == person.national_id
    assert any("ikke en diagnose" in n["text"] for n in obs["note"])
    # the answers carry the item codes' form: the QuestionnaireResponse names this app's form
    qr = next(e["resource"] for e in bundle["entry"]
              if e["resource"]["resourceType"] == "QuestionnaireResponse")
    assert qr["questionnaire"].endswith("/Questionnaire/audit-c|1")


def test_dudit_has_no_loinc_code_and_an_incomplete_sum_is_absent(staff, factory):
    client, user = staff
    person = factory.person(contact=user)
    a = factory.assessment(person, user, key="dudit", filled=False)
    a.answers = {"narkotika_hvor_ofte": "aldri", "kjonn": "kvinne"}
    db.session.commit()
    inst = drafts.instrument_of(a)
    for column, value in signed_columns(inst, a.answers, now_utc(), user.id).items():
        setattr(a, column, value)
    a.signed_pdf = b"%PDF-1.7 stand-in"
    db.session.commit()
    bundle = _bundle(client, db.session.get(Assessment, a.id))
    (obs,) = [e["resource"] for e in bundle["entry"]
              if e["resource"]["resourceType"] == "Observation"
              and e["resource"]["code"]["coding"][0]["code"] == "dudit_sum"]
    assert obs["code"]["coding"][0]["system"].endswith("/CodeSystem/dudit/skar")
    assert "valueInteger" not in obs
    assert obs["dataAbsentReason"]["text"] == "Ikke beregnet: 1 av 11 besvart, alle trengs"
    assert "method" not in obs and "interpretation" not in obs
