from django.urls import path
from oauth2_provider.views import TokenView

from .views import clients, conformance, reads, refer_in, subscriptions, tasks

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
        path(
            "R4/Organization/<str:organisation_id>",
            reads.OrganizationRead.as_view(),
            name="organization",
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
