"""FHIR operations over the database: export a signed kartlegging as a Bundle, import a
QuestionnaireResponse as a draft, write an imported Questionnaire as an instrument file."""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import yaml
from flask import current_app
from sqlalchemy import select

from ..assessments import drafts
from ..clock import now_utc
from ..domain import identity
from ..domain.instrument_facts import KARTLEGGING, coordinator_applies, takes_selfrating
from ..domain.instrument_types import Instrument, InstrumentError
from ..domain.instruments import load_file
from ..domain.rules import clean, evaluate
from ..extensions import db
from ..journal.signing import correction_of
from ..livskvalitet.ratings import person_ratings
from ..models import Assessment, Coordinator, Person, User
from . import bundle
from .codes import DEFAULT_BASE, IDENTITY_SYSTEMS, questionnaire_url
from .questionnaire import to_questionnaire
from .questionnaire_import import NotRepresentable, from_questionnaire
from .response import answers_from_items

MAX_IMPORT_BYTES = 2 * 1024 * 1024


def base() -> str:
    return current_app.config.get("FHIR_CANONICAL_BASE", DEFAULT_BASE).rstrip("/")


def questionnaire(key: str, version: int | None = None) -> dict:
    """Raises KeyError for an unknown key or version."""
    reg = drafts.registry()
    inst = reg.latest(key) if version is None else reg.get(key, version)
    return to_questionnaire(inst, base())


def id_kind(national_id: str | None) -> str | None:
    if not national_id:
        return None
    try:
        return identity.validate(national_id, allow_synthetic=True).kind
    except identity.InvalidIdentityNumber:
        return None


def koordinator_at(person_id: int, when) -> str | None:
    """The koordinator registered at that moment, as the signed PDF states it."""
    rows = db.session.scalars(select(Coordinator).where(
        Coordinator.person_id == person_id, Coordinator.recorded_at <= when)
        .order_by(Coordinator.recorded_at.desc(), Coordinator.id.desc()))
    for c in rows:
        if c.ended_at is None or c.ended_at > when:
            return f"{c.name}, {c.service} (fra {c.since.strftime('%d.%m.%Y')})"
    return None


def _ratings(a: Assessment) -> list[bundle.Rating]:
    """The livskvalitet ratings the signed PDF shows: taken with this kartlegging, else
    the person's earlier ones, up to signing."""
    registry = drafts.registry()
    ratings = [r for r in person_ratings(a.person_id, registry)
               if r.assessment.completed_at <= a.signed_at]
    own = [r for r in ratings if r.assessment.parent_id == a.id] or ratings[-1:]
    return [bundle.Rating(instrument=drafts.instrument_of(r.assessment),
                          answers=r.assessment.answers or {},
                          completed_at=r.assessment.completed_at,
                          by_person=r.assessment.rated_by_person,
                          answered_by=r.answered_by, mean=r.mean) for r in own]


def export_bundle(a: Assessment) -> dict:
    """A signed assessment as a FHIR Bundle. The caller records the export in the audit log."""
    if not a.is_signed:
        raise ValueError("Bare signerte kartlegginger kan eksporteres.")
    inst = drafts.instrument_of(a)
    person = a.person
    later = correction_of(a)
    derived = [{"id": d.id, "title": d.title, "outcome": d.outcome, "text": d.text,
                "reasons": d.reasons, "legal_basis": d.legal_basis}
               for d in evaluate(inst, a.answers).derived.values()]
    e = bundle.Export(
        base=base(), instrument=inst, answers=a.answers or {}, document_id=a.document_id,
        document_label=a.document_label, filename=a.document_filename,
        person_name=person.name, national_id=person.national_id,
        id_kind=id_kind(person.national_id), person_local_id=person.id,
        author_name=a.signed_by.name, author_username=a.signed_by.username,
        signed_at=a.signed_at, pdf=a.signed_pdf or b"", created=now_utc(),
        replaces=a.supersedes.document_id if a.supersedes_id else None,
        superseded=bool(later and later.is_signed), derived=derived,
        koordinator=koordinator_at(a.person_id, a.signed_at),
        with_koordinator=coordinator_applies(inst),
        document_type="Kartlegging" if inst.key == KARTLEGGING else inst.title,
        ratings=_ratings(a) if takes_selfrating(inst) else [],
        author_hpr=a.signed_by.hpr_nummer,
        birth_date=person.birth_date.isoformat() if person.birth_date else None,
        team_id=person.team_id, team_name=person.team.name,
        organisation_name=current_app.config.get("FHIR_ORGANISATION_NAME") or "",
        organisation_number=current_app.config.get("FHIR_ORGANISATION_NUMBER") or None)
    return bundle.build(e)


class ImportRefused(Exception):
    """Every problem found; nothing was changed."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def fillable() -> list[Instrument]:
    """Every version of every form staff fill (what the assessment pages open): the Alna
    kartlegging and the other forms, not the self-rating (taken within a kartlegging)."""
    return sorted((i for i in drafts.registry() if drafts.staff_form(i.key)),
                  key=lambda i: (i.key != KARTLEGGING, i.key, i.version))


def parse_json(raw: bytes | str) -> dict:
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportRefused(["Filen er for stor (høyst 2 MB)."])
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ImportRefused(["Innholdet er ikke gyldig JSON."]) from None
    if not isinstance(data, dict):
        raise ImportRefused(["Innholdet må være et JSON-objekt (en FHIR-ressurs)."])
    return data


def _instrument_for(qr: dict) -> Instrument:
    ref = qr.get("questionnaire")
    if not isinstance(ref, str) or "|" not in ref:
        raise ImportRefused(["questionnaire må oppgi skjema og versjon som «url|versjon»."])
    url, version = ref.rsplit("|", 1)
    for inst in fillable():
        if questionnaire_url(base(), inst.key) == url and str(inst.version) == version:
            return inst
    # a form imported from elsewhere also answers to the sender's own url|version
    for inst in sorted(fillable(), key=lambda i: -i.version):
        if inst.canonical == ref:
            return inst
    known = ", ".join(f"{questionnaire_url(base(), i.key)}|{i.version}" for i in fillable())
    raise ImportRefused([f"Ukjent skjema eller versjon «{ref}». Kjente skjemaer: {known}."])


def _subject_problem(qr: dict, person: Person) -> str | None:
    subject = qr.get("subject")
    ident = subject.get("identifier") if isinstance(subject, dict) else None
    ident = ident if isinstance(ident, dict) else {}
    system, value = ident.get("system"), ident.get("value")
    if system in IDENTITY_SYSTEMS.values():
        if value != person.national_id:
            return ("subject viser til et annet identitetsnummer enn personens. Svarene "
                    "gjelder en annen person.")
    elif system == f"{base()}/person" and value != str(person.id):
        return "subject viser til en annen person i denne tjenesten."
    return None


def import_response(person: Person, qr: dict, by: User) -> Assessment:
    """A QuestionnaireResponse as a new draft of the form it answers; raises ImportRefused."""
    if qr.get("resourceType") != "QuestionnaireResponse":
        raise ImportRefused(["Ressursen er ikke en QuestionnaireResponse (resourceType)."])
    inst = _instrument_for(qr)
    problems = []
    subject = _subject_problem(qr, person)
    if subject:
        problems.append(subject)
    answers, item_problems = answers_from_items(inst, qr.get("item"))
    problems += item_problems
    if problems:
        raise ImportRefused(problems)
    a = Assessment(person_id=person.id, instrument_key=inst.key,
                   instrument_version=inst.version, answers=clean(inst, answers),
                   created_by_id=by.id, updated_by_id=by.id)
    db.session.add(a)
    db.session.flush()
    return a


def write_instrument(q: dict, directory: str | Path, *, key: str | None = None,
                     version: int | None = None, registry=None) -> tuple[Path, Instrument]:
    """Questionnaire -> `<key>.v<version>.yaml` in `directory`, checked by the loader.

    Raises NotRepresentable (from the mapping) or InstrumentError; nothing is left behind."""
    data = from_questionnaire(q, key=key, version=version)
    if registry is not None:
        try:
            registry.get(data["key"], data["version"])
        except KeyError:
            pass
        else:
            raise InstrumentError(f"{data['key']} versjon {data['version']} finnes allerede. "
                                  "En publisert versjon endres aldri: bruk et nytt versjonsnummer.")
    source = {f"Questionnaire.{k}": q.get(k) for k in ("url", "version")}
    for where, value in source.items():
        _refuse_control(value, where)
    _refuse_control(data, "", line_breaks=True)
    path = Path(directory) / f"{data['key']}.v{data['version']}.yaml"
    if path.exists():
        raise InstrumentError(f"{path.name} finnes allerede og blir ikke overskrevet.")
    url, version = (str(v if v is not None else "") for v in source.values())
    text = (header_comment(f"Importert fra FHIR Questionnaire {url}|{version}.\n"
                           "Skjemaformatet er beskrevet i README.md.")
            + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100))
    if yaml.safe_load(text) != data:  # the header must add nothing to the form
        raise InstrumentError(f"{path.name}: skjemafilen ble ikke som skjemaet; den er ikke "
                              "lagret.")
    path.write_text(text, encoding="utf-8")
    try:
        inst = load_file(path)
    except InstrumentError:
        path.unlink()
        raise
    except Exception as e:   # noqa: BLE001 - the loader met a shape it does not expect
        path.unlink()
        raise InstrumentError(f"{path.name}: skjemafilen kunne ikke leses "
                              f"({type(e).__name__}); den er ikke lagret.") from e
    return path, inst


# YAML ends a line at each of these: in a header comment, what follows would be read as keys.
YAML_LINE_BREAKS = ("\r\n", "\r", "\n", "\x85", "\u2028", "\u2029")


def header_comment(text: str) -> str:
    """`text` as YAML comment lines: every line YAML would see starts with '# '."""
    for brk in YAML_LINE_BREAKS[1:]:
        text = text.replace(brk, "\n")
    return "".join(f"# {line}\n" for line in text.split("\n"))


def _refuse_control(value, where: str, *, line_breaks: bool = False):
    """Refuse control characters (and Unicode line and paragraph separators) in every string
    that reaches the instrument file. A line break inside the form's texts is kept when
    `line_breaks`: the YAML emitter quotes it, and a help text may need one."""
    if isinstance(value, dict):
        for k, v in value.items():
            _refuse_control(k, where, line_breaks=line_breaks)
            _refuse_control(v, f"{where}.{k}" if where else str(k), line_breaks=line_breaks)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _refuse_control(v, f"{where}[{i}]", line_breaks=line_breaks)
    elif isinstance(value, str):
        for ch in value:
            if ch == "\n" and line_breaks:
                continue
            if unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
                raise NotRepresentable(
                    f"{where}: inneholder et kontrolltegn (U+{ord(ch):04X}), for eksempel et "
                    "linjeskift. Fjern det og importer på nytt.")
