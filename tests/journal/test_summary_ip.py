"""The signed PDF's IP box (summary.build: the PDF's content as plain data)."""
from kartlegging.clock import to_oslo, today
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


def test_an_earlier_decline_is_named_on_screen_and_in_the_pdf(factory, login):
    user = factory.user("ansatt")
    p = factory.person(contact=user)
    signed = factory.signed(p, user, version=3, ip_var_vurdering="ja", ip_tilbudt="ja",
                            ip_svar="takket_nei", ip_avslag_grunn_oppgitt="ja",
                            ip_avslag_grunn="Vil klare meg selv.", har_ip="nei")
    day = to_oslo(signed.signed_at).strftime("%d.%m.%Y")
    expected = (f"Personen takket nei til individuell plan ved forrige kartlegging "
                f"({signed.document_id}, signert {day}). Grunn: «Vil klare meg selv.». Personen "
                "kan når som helst ombestemme seg: tilby individuell plan på nytt og ta "
                "utgangspunkt i samtalen sist.")
    draft = factory.assessment(p, user, version=3, **IP_INPUTS, oppfolgingstjenester=["nav"])
    assert ip_box(factory, draft)["earlier"] == expected
    html = login(user).get(f"/kartlegginger/{draft.id}/del/vurdering").get_data(as_text=True)
    assert f'<p class="notice" id="live-ip-tidligere">{expected}</p>' in html.replace(
        "&#34;", '"').replace("&#39;", "'")
    # no reason given: said so
    q = factory.person(contact=user)
    factory.signed(q, user, version=3, ip_var_vurdering="ja", ip_tilbudt="ja",
                   ip_svar="takket_nei", ip_avslag_grunn_oppgitt="onsket_ikke", har_ip="nei")
    later = factory.assessment(q, user, version=3, **IP_INPUTS, oppfolgingstjenester=["nav"])
    assert "Personen ønsket ikke å oppgi grunn. Personen kan når som helst" in \
        ip_box(factory, later)["earlier"]
    # the signed record that declined names no decline of its own
    assert "earlier" not in ip_box(factory, signed)


def test_the_earlier_decline_is_printed(factory):
    import io

    from pypdf import PdfReader

    from kartlegging.journal import pdf
    user = factory.user("ansatt")
    p = factory.person(contact=user)
    factory.signed(p, user, version=3, ip_var_vurdering="ja", ip_tilbudt="ja",
                   ip_svar="takket_nei", ip_avslag_grunn_oppgitt="onsket_ikke", har_ip="nei")
    draft = factory.assessment(p, user, version=3, **IP_INPUTS, oppfolgingstjenester=["nav"])
    doc = summary.build(draft, summary.frozen_context(draft, today()),
                        factory.app.extensions["instruments"])
    printed = " ".join(" ".join((page.extract_text() or "") for page in
                                PdfReader(io.BytesIO(pdf.render(doc))).pages).split())
    assert "Personen takket nei til individuell plan ved forrige kartlegging" in printed
    assert "Personen ønsket ikke å oppgi grunn." in printed
