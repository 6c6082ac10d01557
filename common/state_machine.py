"""Status changes, one shape for every machine.

Each model with a status keeps its machine next to it: a table with one row per action, naming
the states the action leaves from, the state it reaches, who may take it and the event the
audit trail records it as. `change_state` is how a service function makes the change: it locks
the row, asks the service whether this user may, checks the table against the current state,
lets the service check the rest and name the fields it sets, saves them with `update_fields`
and hands the change to the service's recorder (its event row and audit row). An action the
table does not allow from the current state raises the error the service's `refuse` gives, a
`DomainError`, so the API answers 409 and pages show the message.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from django.db import models

from common.errors import DomainError


class Party(StrEnum):
    """Who may take an action, said relative to the object changed."""

    TEAM = "team"  # a coordinator or manager of the object's coordinator team
    REFERRER = "referrer"  # a referrer at the practice that made the referral
    PROVIDER = "provider"  # the service's provider: a user of its organisation, or its emailed link
    VETTER = "vetter"  # a directory vetter
    SYSTEM = "system"  # a scheduled job or an import, with no person behind it


StateT = TypeVar("StateT", bound=str)
ActionT = TypeVar("ActionT", bound=str)
ModelT = TypeVar("ModelT", bound=models.Model)
# Read-only rows may be read as rows of a wider type (a recorder written for any status).
StateT_co = TypeVar("StateT_co", bound=str, covariant=True)
ActionT_co = TypeVar("ActionT_co", bound=str, covariant=True)
ModelT_co = TypeVar("ModelT_co", bound=models.Model, covariant=True)


@dataclass(frozen=True)
class Transition(Generic[StateT_co]):
    """One row of a machine's table: from these states to that one, who may take it, and the
    action the audit trail records it as."""

    from_states: tuple[StateT_co, ...]
    to_state: StateT_co
    by: tuple[Party, ...]
    event: str


@dataclass(frozen=True)
class StateMachine(Generic[ActionT, StateT]):
    """A model's statuses and the table of its transitions, keyed by action name."""

    initial: StateT
    transitions: Mapping[ActionT, Transition[StateT]]
    field: str = "status"

    def __getitem__(self, action: ActionT) -> Transition[StateT]:
        return self.transitions[action]

    def allows(self, action: ActionT, state: str) -> bool:
        return state in self.transitions[action].from_states

    def actions_from(self, state: str, *, by: Party | None = None) -> tuple[ActionT, ...]:
        """The actions open from `state` (to `by`, when given), in the table's order."""
        return tuple(
            action
            for action, transition in self.transitions.items()
            if state in transition.from_states and (by is None or by in transition.by)
        )

    def edges(self) -> set[tuple[StateT, StateT]]:
        """Every (from, to) pair some action makes: the machine as a graph."""
        return {
            (source, transition.to_state)
            for transition in self.transitions.values()
            for source in transition.from_states
        }


@dataclass(frozen=True)
class StateChange(Generic[ModelT_co, ActionT_co, StateT_co]):
    """A change just saved: the locked row as it is now, the action and the row of the table."""

    instance: ModelT_co
    action: ActionT_co
    transition: Transition[StateT_co]
    from_state: str

    @property
    def to_state(self) -> StateT_co:
        return self.transition.to_state


def change_state(
    instance: ModelT,
    *,
    machine: StateMachine[ActionT, StateT],
    action: ActionT,
    refuse: Callable[[ModelT, ActionT], DomainError],
    record: Callable[[StateChange[ModelT, ActionT, StateT]], object],
    authorise: Callable[[ModelT, Transition[StateT]], object] | None = None,
    changes: Mapping[str, object] | Callable[[ModelT], Mapping[str, object]] | None = None,
) -> StateChange[ModelT, ActionT, StateT]:
    """Take `action` on `instance`, inside the caller's transaction.

    In order: lock the row and read it afresh (alone: a joined row would be read before the
    wait); `authorise(row, transition)` raises if this user may not (the transition's `by`
    says who may); `refuse(row, action)` is raised unless the row's state is one the action
    leaves from; `changes(row)` checks whatever else the change needs and returns the other
    fields to set; the status and those fields are saved with `update_fields`; `record(change)`
    writes the event and the audit row. Returns the change, whose `instance` is the saved row.
    """
    transition = machine[action]
    row = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    if authorise is not None:
        authorise(row, transition)
    from_state = str(getattr(row, machine.field))
    if from_state not in transition.from_states:
        raise refuse(row, action)
    fields = dict(changes(row) if callable(changes) else changes or {})
    setattr(row, machine.field, transition.to_state)
    for name, value in fields.items():
        setattr(row, name, value)
    # A row's auto_now timestamp (Referral.updated_at, which FHIR polling reads) moves with it.
    touched = [f.name for f in row._meta.concrete_fields if getattr(f, "auto_now", False)]
    row.save(update_fields=[machine.field, *fields, *touched])
    change = StateChange(instance=row, action=action, transition=transition, from_state=from_state)
    record(change)
    return change
