"""Declared state machines: one transition table per aggregate, applied in one place."""

from aftersales_events.steps import SPEC_STEPS

from .machine import CREATE, NEW, Transition, Workflow, WorkflowDefinitionError, on
from .runner import Move, WorkflowRunner, history
from .schemas import TransitionOut
from .tables import workflow_metadata, workflow_transitions

__all__ = [
    "CREATE",
    "NEW",
    "SPEC_STEPS",
    "Move",
    "Transition",
    "TransitionOut",
    "Workflow",
    "WorkflowDefinitionError",
    "WorkflowRunner",
    "history",
    "on",
    "workflow_metadata",
    "workflow_transitions",
]
