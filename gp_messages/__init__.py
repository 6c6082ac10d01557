"""The message back to the referring practice: stored, coded for the GP record, and presented as
a page, a PDF letter and a FHIR document. Sits above `coordinators` (it reads the whole case)."""
