"""The signed PDF's IP box (summary.build: the PDF's content as plain data)."""
from kartlegging.clock import today
from kartlegging.journal import summary

ROUTINE_NOTE = ("fastlege teller som involvert, men rutinetjenester som fastlege og tannhelse gir "
                "alene sjelden behov for samordning")
IP_INPUTS = dict(langvarig_behov="ja", koordinering_behov="nei", fastlege_har="ja",
                 har_ip="nei", tannhelse=None, barnevern="nei")


def ip_box(factory, a):
    doc = summary.build(a, summary.frozen_context(a, today()), factory.app.extensions["instruments"])
    return doc["ip"]


def test_routine_note_in_the_pdf_only_where_routine_services_decide(factory):
    user = factory.user("ansatt")
    a = factory.assessment(factory.person(contact=user), user, version=3,
                           oppfolgingstjenester=["nav"], **IP_INPUTS)
    assert ROUTINE_NOTE in ip_box(factory, a)["reasons"]
    b = factory.assessment(factory.person(contact=user), user, version=3,
                           oppfolgingstjenester=["nav", "tsb", "lar"], **IP_INPUTS)
    box = ip_box(factory, b)
    assert box["prompt"] == "Vilkårene for individuell plan ser ut til å være oppfylt"
    assert not [r for r in box["reasons"] if "rutinetjenester" in r]
