from django.urls import path
from oauth2_provider.views import TokenView

from .views import (
    casework,
    clients,
    conformance,
    directory,
    reads,
    refer_in,
    subscriptions,
    tasks,
)

fhir_patterns = (
    [
        path("R4/", refer_in.Transaction.as_view(), name="base"),
        path("R4/metadata", conformance.Metadata.as_view(), name="metadata"),
        path(
            "R4/CodeSystem/<str:system_id>",
            conformance.CodeSystemRead.as_view(),
            name="code-system",
        ),
        path("R4/Task", tasks.TaskSearch.as_view(), name="task-search"),
        path("R4/Task/<str:reference>", tasks.TaskInstance.as_view(), name="task"),
        path(
            "R4/ServiceRequest/<str:reference>",
            reads.ServiceRequestRead.as_view(),
            name="service-request",
        ),
        path("R4/Patient/<str:patient_id>", reads.PatientRead.as_view(), name="patient"),
        path("R4/Consent/<str:reference>", reads.ConsentRead.as_view(), name="consent"),
        path(
            "R4/DocumentReference/<str:reference>",
            reads.DocumentReferenceRead.as_view(),
            name="document-reference",
        ),
        path("R4/Organization", directory.OrganizationSearch.as_view(), name="organizations"),
        path(
            "R4/Organization/<str:organisation_id>",
            directory.OrganizationRead.as_view(),
            name="organization",
        ),
        path(
            "R4/HealthcareService",
            directory.HealthcareServiceSearch.as_view(),
            name="healthcare-services",
        ),
        path(
            "R4/HealthcareService/<str:service_id>",
            directory.HealthcareServiceRead.as_view(),
            name="healthcare-service",
        ),
        path("R4/Location", directory.LocationSearch.as_view(), name="locations"),
        path("R4/Location/<str:location_id>", directory.LocationRead.as_view(), name="location"),
        path("R4/Goal", casework.GoalSearch.as_view(), name="goals"),
        path("R4/Goal/<str:goal_id>", casework.GoalRead.as_view(), name="goal"),
        path("R4/Observation", casework.ObservationSearch.as_view(), name="observations"),
        path(
            "R4/Observation/<str:observation_id>",
            casework.ObservationRead.as_view(),
            name="observation",
        ),
        path("R4/Subscription", subscriptions.SubscriptionCreate.as_view(), name="subscriptions"),
        path(
            "R4/Subscription/<str:subscription_id>",
            subscriptions.SubscriptionRead.as_view(),
            name="subscription",
        ),
        path(
            "R4/Subscription/<str:subscription_id>/$status",
            subscriptions.SubscriptionStatus.as_view(),
            name="subscription-status",
        ),
        path(
            "R4/Subscription/<str:subscription_id>/$events",
            subscriptions.SubscriptionEvents.as_view(),
            name="subscription-events",
        ),
        path("auth/token", TokenView.as_view(), name="token"),
    ],
    "fhir",
)

page_patterns = (
    [
        path("fhir-clients/", clients.client_list, name="clients"),
        path("fhir-clients/<int:client_id>/revoke/", clients.client_revoke, name="client-revoke"),
    ],
    "interop",
)
