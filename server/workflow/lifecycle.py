"""A work order's statuses and the steps between them (接诉即办: dispatched, handled, called back).

    review ──assign──▶ dispatched ──accept──▶ accepted ──report──▶ reported ──close──▶ closed
      ▲                    │                     │                    │                  │
      └──────return────────┴──────return─────────┘                    └────reopen────────┴─▶ dispatched

While the unit has it (dispatched, accepted) it may ask for more time, which a supervisor grants
(the due time moves) or refuses.

`review` is the dispatch-review queue: an order the catalogue does not cover, one without a place,
and one a unit sent back wait there for a supervisor to assign them. Every step is a ticket event
(server/workflow/history.py), so an order's history can be replayed.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    REVIEW = "review"          # 待派: waits for a supervisor to choose the unit
    DISPATCHED = "dispatched"  # 已派: sent to its unit, not yet accepted
    ACCEPTED = "accepted"      # 已签收: the unit is handling it
    REPORTED = "reported"      # 已办结反馈: the unit reported the result; the citizen is called back
    CLOSED = "closed"          # 已结案
    MERGED = "merged"          # 并单: follows the open order it was merged into


class Action(StrEnum):
    CREATE = "created"        # filed from a call (or by hand)
    DISPATCH = "dispatched"   # sent by the catalogue when filed
    HOLD = "held_for_review"  # sent to the review queue when filed: no entry or no place
    ASSIGN = "assigned"       # a supervisor chose the unit
    ACCEPT = "accepted"
    RETURN = "returned"       # the unit says it is not theirs: back to review
    REPORT = "reported"
    CLOSE = "closed"
    REOPEN = "reopened"
    MERGE = "merged"           # a new order about an open one's matter joins it
    CALLER_ADDED = "caller_added"  # the open order another caller's order joined
    CALLED_AGAIN = "called_again"  # its caller rang again about it (催办)
    SCHEDULE_CALLBACKS = "callbacks_scheduled"  # its callers are to be called back (回访)
    ASK_EXTENSION = "extension_asked"  # the unit asks for more time; a supervisor decides
    GRANT_EXTENSION = "extension_granted"
    REFUSE_EXTENSION = "extension_refused"


_WITH_UNIT = frozenset({Status.DISPATCHED, Status.ACCEPTED})
# Orders a unit still owes work on: what counts as overdue once past its due time, and what a new
# order about the same matter joins.
OPEN_STATUSES = frozenset({Status.REVIEW, *_WITH_UNIT})

# Which steps may be taken from which status, and where they lead (None: the status stays).
TRANSITIONS: dict[Action, tuple[frozenset[Status], Status | None]] = {
    Action.DISPATCH: (frozenset({Status.REVIEW}), Status.DISPATCHED),
    Action.HOLD: (frozenset({Status.REVIEW}), None),
    Action.ASSIGN: (frozenset({Status.REVIEW}), Status.DISPATCHED),
    Action.ACCEPT: (frozenset({Status.DISPATCHED}), Status.ACCEPTED),
    Action.RETURN: (_WITH_UNIT, Status.REVIEW),
    Action.REPORT: (frozenset({Status.ACCEPTED}), Status.REPORTED),
    Action.CLOSE: (frozenset({Status.REPORTED}), Status.CLOSED),
    Action.REOPEN: (frozenset({Status.REPORTED, Status.CLOSED}), Status.DISPATCHED),
    Action.MERGE: (frozenset({Status.REVIEW}), Status.MERGED),
    Action.CALLER_ADDED: (OPEN_STATUSES, None),
    Action.CALLED_AGAIN: (OPEN_STATUSES, None),
    Action.ASK_EXTENSION: (_WITH_UNIT, None),
    Action.GRANT_EXTENSION: (_WITH_UNIT, None),
    Action.REFUSE_EXTENSION: (_WITH_UNIT, None),
}


class IllegalTransition(Exception):
    """A step the order's status does not allow; names the steps it does allow."""

    def __init__(self, action: Action, status: str) -> None:
        self.action = action
        self.status = status
        self.allowed = allowed_actions(status)
        allowed = ", ".join(a.name.lower() for a in self.allowed) or "none"
        super().__init__(f"cannot {action.name.lower()} an order that is {status} (allowed now: {allowed})")


# Steps the system takes by itself: never offered to a person as what they may do next.
SYSTEM_ACTIONS = frozenset({Action.CREATE, Action.DISPATCH, Action.HOLD, Action.MERGE, Action.CALLER_ADDED,
                            Action.CALLED_AGAIN, Action.SCHEDULE_CALLBACKS, Action.CLOSE})


def allowed_actions(status: str) -> list[Action]:
    """What a person may do with an order in `status`."""
    return [action for action, (sources, _) in TRANSITIONS.items()
            if status in sources and action not in SYSTEM_ACTIONS]


def next_status(action: Action, status: str) -> Status:
    """Where `action` takes an order in `status`; IllegalTransition if it may not be taken."""
    sources, target = TRANSITIONS[action]
    if status not in sources:
        raise IllegalTransition(action, status)
    return target or Status(status)
