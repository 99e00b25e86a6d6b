"""A fully filled example of the dict kartlegging.journal.pdf.render() takes (shared by tests)."""

import copy

_SAMPLE = {
    "title": "Kartlegging i Bydel Alna",
    "instrument": "alna-kartlegging versjon 2",
    "team": "Rusteam Alna",
    "person": {"name": "Kari Nordmann", "number": "123456 78901", "number_note": None},
    "document_id": "KL-2026-000012-v1",
    "status_line": "Signert",
    "sections": [
        {"title": "Familieforhold/nettverk", "rows": [
            {"label": "Sivilstand", "answer": "Gift", "comment": None},
            {"label": "Barn under 18 år", "answer": "2 barn, bor delvis hos mor",
             "comment": "Ønsker mer samvær med barna på Økern."},
            {"label": "Nettverk og støttepersoner", "answer": None},
            {"label": "Beskrivelse av nettverket",
             "answer": "Har god kontakt med søster i Ålesund og en venn fra arbeidstreningen. "
                       "Foreldrene bor i Tromsø og er lite involvert. Kari sier selv at hun "
                       "savner et nettverk uten rus, og at hun gjerne vil bli med i en "
                       "turgruppe eller et frivillig tiltak i bydelen.",
             "comment": None},
        ]},
        {"title": "Bolig og økonomi", "rows": [
            {"label": "Boligsituasjon", "answer": "Kommunal leilighet, midlertidig kontrakt"},
            {"label": "Gjeld", "answer": "Ja", "comment": "Inkasso på strøm og husleie."},
            {"label": "Inntekt", "answer": "Arbeidsavklaringspenger (AAP)"},
        ]},
        {"title": "Rus og helse", "rows": [
            {"label": "Hovedrusmiddel", "answer": "Alkohol"},
            {"label": "Fastlege", "answer": "Ja, Furuset legesenter"},
            {"label": "Psykisk helse", "answer": None},
        ]},
    ],
    "livskvalitet": {
        "latest": {
            "date": "25.11.2026", "answered_by": "Personen selv", "mean": "4,6",
            "items": [
                {"label": "Livet som helhet", "value": 5, "text": "5 – Nokså fornøyd"},
                {"label": "Fysisk helse", "value": 4, "text": "4 – Både og"},
                {"label": "Psykisk helse", "value": 3, "text": "3 – Nokså misfornøyd"},
                {"label": "Bolig", "value": 6, "text": "6 – Svært fornøyd"},
                {"label": "Økonomi", "value": None, "text": "Vil ikke svare"},
                {"label": "Venner og nettverk", "value": 5, "text": "5 – Nokså fornøyd"},
            ],
            "yes_no": [{"label": "Har du noen å snakke fortrolig med?", "text": "Ja"}],
        },
        "history": [{"date": "01.08.2026", "mean": 3.2}, {"date": "15.10.2026", "mean": None},
                    {"date": "25.11.2026", "mean": 4.6}],
    },
    "vurdering": {
        "rows": [
            {"area": "Boligsituasjon", "rating": "gul", "rating_label": "Gul",
             "comment": "Midlertidig kontrakt utløper i mars."},
            {"area": "Økonomi", "rating": "rod", "rating_label": "Rød",
             "comment": "Betydelig gjeld, ingen avtale med NAV."},
            {"area": "Helse", "rating": "gronn", "rating_label": "Grønn", "comment": None},
            {"area": "Arbeid og aktivitet", "rating": None, "rating_label": None, "comment": None},
        ],
        "index": {"label": "Levekårsindeks", "value": "Rød",
                  "note": "Beregnet etter kommunens standardregler: minst ett område vurdert "
                          "som rødt gir rød indeks."},
    },
    "ip": {
        "prompt": "Vilkårene for individuell plan ser ut til å være oppfylt",
        "reasons": ["4 tjenester er involvert: fastlege, NAV, TSB, boligoppfølging",
                    "langvarig behov vurdert: ja"],
        "legal_basis": "Helse- og omsorgstjenesteloven § 7-1 og pasient- og "
                       "brukerrettighetsloven § 2-5.",
        "rows": [{"label": "Vår vurdering", "answer": "Ja"},
                 {"label": "Tilbudt IP", "answer": "Ja, 20.11.2026"},
                 {"label": "Personens svar", "answer": None}],
    },
    "extra_boxes": [
        {"title": "Samtykker i kraft ved signering",
         "rows": [{"label": "Samarbeid med NAV", "answer": "Gitt 01.08.2026, muntlig"},
                  {"label": "Kontakt med fastlege", "answer": "Gitt 01.08.2026, skriftlig"}],
         "empty_text": "Ingen samtykker i kraft"},
        {"title": "Kontaktperson og koordinator",
         "rows": [{"label": "Kontaktperson", "answer": "Ola Ansatt, Rusteam Alna"},
                  {"label": "Koordinator", "answer": "Åse Ødegård, Tildelingskontoret"}]},
        {"title": "Tidligere versjoner", "rows": [], "empty_text": "Ingen tidligere versjoner"},
    ],
    "signature": {
        "name": "Ola Ansatt", "role": "Ansatt", "team": "Rusteam Alna",
        "signed_at": "25.11.2026 kl. 13:05", "document_id": "KL-2026-000012-v1",
        "content_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    },
}


def sample_doc() -> dict:
    """A fresh deep copy, so tests can modify it freely."""
    return copy.deepcopy(_SAMPLE)
