"""`flask fhir …`: Questionnaire export, Bundle export, Questionnaire import."""
import json
from pathlib import Path

import click
from flask import current_app

from ..access import audit
from ..assessments import drafts
from ..domain.instrument_types import InstrumentError
from ..extensions import db
from ..models import Assessment
from . import operations
from .questionnaire_import import NotRepresentable

CLI_USER = "kommandolinje"


def _write(resource: dict, out: str | None):
    text = json.dumps(resource, ensure_ascii=False, indent=2)
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
        click.echo(f"Skrev {out}.", err=True)
    else:
        click.echo(text)


def init_app(app):
    group = click.Group("fhir", help="HL7 FHIR: skjemaer og svar inn og ut")

    @group.command("questionnaire")
    @click.argument("key")
    @click.option("--version", type=int, help="Skjemaversjon (standard: nyeste)")
    @click.option("--out", type=click.Path(dir_okay=False), help="Skriv til fil")
    def questionnaire(key, version, out):
        """Et skjema (KEY) som FHIR R4 Questionnaire (JSON)."""
        try:
            resource = operations.questionnaire(key, version)
        except KeyError:
            known = ", ".join(sorted({i.ref for i in drafts.registry()}))
            raise click.ClickException(
                f"Fant ikke skjemaet {key}" + (f" versjon {version}" if version else "")
                + f". Kjente skjemaer: {known}.") from None
        _write(resource, out)

    @group.command("bundle")
    @click.argument("assessment_id", type=int)
    @click.option("--out", type=click.Path(dir_okay=False), help="Skriv til fil")
    def bundle(assessment_id, out):
        """En signert kartlegging eller et annet signert skjema som FHIR R4 Bundle (svar,
        utfall, livskvalitet, PDF)."""
        a = db.session.get(Assessment, assessment_id)
        if a is None or not drafts.staff_form(a.instrument_key):
            raise click.ClickException(f"Fant ingen kartlegging eller annet skjema med id "
                                       f"{assessment_id}.")
        if not a.is_signed:
            raise click.ClickException("Bare signerte kartlegginger og skjemaer kan "
                                       "eksporteres.")
        resource = operations.export_bundle(a)
        audit.record("fhir_export", person_id=a.person_id, obj=a, username=CLI_USER,
                     detail=f"FHIR Bundle {a.document_id} (kommandolinje)")
        _write(resource, out)

    @group.command("import-questionnaire")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--key", help="Skjemanøkkel (standard: siste del av Questionnaire.url)")
    @click.option("--version", type=int, help="Versjon (standard: Questionnaire.version)")
    @click.option("--dir", "directory", type=click.Path(file_okay=False),
                  help="Mappe for skjemafilen (standard: INSTRUMENTS_DIR)")
    def import_questionnaire(file, key, version, directory):
        """Gjør en FHIR Questionnaire (JSON) om til en skjemafil (YAML)."""
        try:
            q = json.loads(Path(file).read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise click.ClickException(f"{file}: ikke gyldig JSON ({e}).") from None
        directory = directory or current_app.config["INSTRUMENTS_DIR"]
        try:
            path, inst = operations.write_instrument(q, directory, key=key, version=version,
                                                     registry=drafts.registry())
        except (NotRepresentable, InstrumentError) as e:
            raise click.ClickException(f"Ikke importert: {e}") from None
        n = sum(len(s.items) for s in inst.sections)
        click.echo(f"Skrev {path} ({inst.title}, versjon {inst.version}: {len(inst.sections)} "
                   f"deler, {n} spørsmål). Start appen på nytt for å ta skjemaet i bruk.")

    app.cli.add_command(group)
