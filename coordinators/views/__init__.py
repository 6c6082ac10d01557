"""The casework pages, one module per step: caseload, case page, casework forms, refer on,
reviews, closing, subject access. `coordinators.urls` names each view by its module."""
