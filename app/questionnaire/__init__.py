"""The questionnaire as validated data: schema, YAML loading, answers and conditions."""
