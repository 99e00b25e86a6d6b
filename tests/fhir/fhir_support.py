"""Shared helpers for the FHIR tests: R4B validation and instrument files written inline."""
import json
from pathlib import Path

import yaml
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from kartlegging.domain.instruments import load_file

BASE = "https://kartlegging.example.kommune.no/fhir"
INSTRUMENTS = Path(__file__).resolve().parents[2] / "instruments"
R4B = {"Questionnaire": Questionnaire, "QuestionnaireResponse": QuestionnaireResponse,
       "Bundle": Bundle}


def validate(resource: dict):
    """Validate with fhir.resources' R4B models (the package's closest to R4); raises."""
    return R4B[resource["resourceType"]].model_validate(json.loads(json.dumps(resource)))


def write_instrument(tmp_path, data: dict):
    path = Path(tmp_path) / f"{data['key']}.v{data['version']}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_file(path)
