"""FHIR R4 interface: maps FHIR resources to our models and calls the apps' own services.

It sits above coordinators; no app imports it. No business rule lives here: the mapping turns a
resource into a service call, and a record into a resource."""
