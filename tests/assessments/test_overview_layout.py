"""The kartlegging's overview: «Signer» leads once nothing blocks it, and an abbreviation
named in several boxes is spelled out once on the page."""
import re

TSB = "TSB (tverrfaglig spesialisert rusbehandling)"


def actions(html: str) -> str:
    return re.search(r'<div class="actions">(.*?)</div>', html, re.S).group(1)


def test_sign_is_primary_only_when_nothing_blocks(staff, factory):
    client, user = staff
    ready = factory.assessment(factory.person(contact=user), user)
    html = client.get(f"/kartlegginger/{ready.id}").get_data(as_text=True)
    assert re.search(r'class="btn btn-primary" href="[^"]+/signer">Signer</a>', actions(html))
    assert 'id="klar-til-signering"' in html
    draft = factory.assessment(factory.person(contact=user), user, filled=False)
    html = client.get(f"/kartlegginger/{draft.id}").get_data(as_text=True)
    assert re.search(r'class="btn btn-primary" href="[^"]+">Fortsett utfyllingen</a>',
                     actions(html))
    assert 'id="klar-til-signering"' not in html


def test_tsb_is_spelled_out_once_per_page(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(contact=user), user,
                           oppfolgingstjenester=["nav", "tsb"])
    main = client.get(f"/kartlegginger/{a.id}").get_data(as_text=True).split("<main", 1)[1]
    assert main.count(TSB) == 1
    assert main.count('<abbr title="tverrfaglig spesialisert rusbehandling">TSB</abbr>') >= 1
    assert main.index(TSB) < main.index("<abbr")
    section = client.get(f"/kartlegginger/{a.id}/del/vurdering").get_data(as_text=True)
    assert section.split("<main", 1)[1].count(TSB) == 1
