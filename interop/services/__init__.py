"""The FHIR interface's own writes: clients (registering, revoking), referring in (intake plus
the practice's identifier), and the requester's cancellation. Each calls the apps' services."""

from .clients import RegisteredClient, register_client, revoke_client, rotate_client_secret
from .refer_in import ReferredIn, refer_in
from .subscriptions import create_subscription, record_task_events
from .task_updates import answer_as_provider, cancel_by_requester

__all__ = [
    "RegisteredClient",
    "ReferredIn",
    "answer_as_provider",
    "cancel_by_requester",
    "create_subscription",
    "record_task_events",
    "refer_in",
    "register_client",
    "revoke_client",
    "rotate_client_secret",
]
