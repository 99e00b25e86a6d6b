"""HL7 FHIR R4 both ways: instruments as Questionnaire, signed kartlegginger as Bundle
(QuestionnaireResponse, Observations, DocumentReference); Questionnaire and
QuestionnaireResponse imports. Mapping modules are pure (plain dicts in and out)."""
