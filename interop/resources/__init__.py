"""One module per FHIR resource type: pure functions, model → resource dict, and resource →
the arguments of a service call."""
