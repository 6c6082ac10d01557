"""The FHIR interface's own writes: clients (registering, revoking), referring in (intake plus
the practice's identifier), and the requester's cancellation. Each calls the apps' services."""

from .clients import RegisteredClient, register_client, revoke_client
from .refer_in import ReferredIn, refer_in
from .task_updates import cancel_by_requester

__all__ = [
    "RegisteredClient",
    "ReferredIn",
    "cancel_by_requester",
    "refer_in",
    "register_client",
    "revoke_client",
]
