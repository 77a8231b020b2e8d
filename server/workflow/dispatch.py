"""Who handles a ticket and by when, from its responsibility-catalogue entry and its place.

The catalogue names units generically: "区城管执法局" is the enforcement bureau *of the district
where the problem is*, "属地街道(乡镇)" the street office or town government of that place,
"属地派出所" its police station. Here those become concrete names. Where the place is not known the
text says so plainly rather than guessing a unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

LOCAL_STREET_OFFICE = "属地街道(乡镇)"
DISTRICT_PREFIX = "区"
LOCAL_PREFIX = "属地"


class CatalogueEntryLike(Protocol):
    """The fields of knowledge.catalogue.CatalogueEntry that dispatch needs."""

    unit: str
    dispatch: str
    co_unit: str | None
    time_limit_hours: int


@dataclass(frozen=True)
class Dispatch:
    """Field names match save_ticket's keywords."""

    unit: str | None
    co_unit: str | None
    dispatch: str | None
    due_at: datetime | None


def resolve_unit(template: str, district: str | None, street: str | None) -> str:
    """A catalogue unit name made concrete for a place.

    >>> resolve_unit("区城管执法局", "朝阳区", "望京街道")
    '朝阳区城管执法局'
    >>> resolve_unit("属地街道(乡镇)", "朝阳区", "望京街道")
    '望京街道'
    >>> resolve_unit("属地派出所", "朝阳区", "望京街道")
    '朝阳区望京街道属地派出所'
    """
    template = template.strip()
    district = (district or "").strip() or None
    street = (street or "").strip() or None
    if template.startswith(DISTRICT_PREFIX):
        # "区城管执法局" → "朝阳区城管执法局"; without a district the generic name is all we know.
        return district.removesuffix(DISTRICT_PREFIX) + template if district else template
    if template == LOCAL_STREET_OFFICE:
        # The street office (or town government) *is* the street: "望京街道", "温泉镇".
        if street:
            return street
        return f"{district}{template}" if district else template
    if template.startswith(LOCAL_PREFIX):
        # Police stations, gas and power companies do not map one-to-one onto streets, so name the
        # place and keep "属地" rather than invent a station name.
        place = f"{district or ''}{street or ''}"
        return f"{place}{template}"
    # City-level units ("市交通委员会", "120急救中心") are the same wherever the problem is.
    return template


def due_at(created_at: datetime, time_limit_hours: float) -> datetime:
    if created_at.tzinfo is None:
        raise ValueError("created_at must be timezone-aware")
    return created_at + timedelta(hours=time_limit_hours)


def time_limit(entry_hours: float, urgent: bool, urgent_limit_hours: float) -> float:
    """An urgent order gets the urgent limit where its topic's own limit is longer."""
    return min(entry_hours, urgent_limit_hours) if urgent else entry_hours


def resolve_dispatch(
    entry: CatalogueEntryLike | None,
    district: str | None,
    street: str | None,
    created_at: datetime,
    *,
    urgent: bool = False,
    urgent_limit_hours: float | None = None,
) -> Dispatch:
    """Unit, co-unit, dispatch mode and due time of a ticket; all None when its topic is not in the
    catalogue (a dispatcher then has to route it by hand)."""
    if entry is None:
        return Dispatch(unit=None, co_unit=None, dispatch=None, due_at=None)
    hours = entry.time_limit_hours
    if urgent_limit_hours is not None:
        hours = time_limit(hours, urgent, urgent_limit_hours)
    return Dispatch(
        unit=resolve_unit(entry.unit, district, street),
        co_unit=resolve_unit(entry.co_unit, district, street) if entry.co_unit else None,
        dispatch=entry.dispatch,
        due_at=due_at(created_at, hours),
    )


@dataclass(frozen=True)
class DispatchPlan:
    """What happens to a new order: sent to `dispatch`'s units at once, or held for review (why)."""

    dispatch: Dispatch
    review_reason: str | None = None


def plan_dispatch(
    entry: CatalogueEntryLike | None,
    topic: str | None,
    district: str | None,
    street: str | None,
    created_at: datetime,
    *,
    urgent: bool,
    urgent_limit_hours: float,
) -> DispatchPlan:
    """Catalogue dispatch, or the review queue when no entry covers the topic or the place is not
    known: a unit named for a place nobody knows (区城管执法局 of which district?) reaches nobody."""
    if entry is None:
        why = f"topic {topic!r} is not in the catalogue" if topic else "no topic was recognised"
        return DispatchPlan(resolve_dispatch(None, district, street, created_at), why)
    if not district:
        return DispatchPlan(Dispatch(unit=None, co_unit=None, dispatch=None, due_at=None), "the place is not known")
    dispatch = resolve_dispatch(
        entry, district, street, created_at, urgent=urgent, urgent_limit_hours=urgent_limit_hours
    )
    return DispatchPlan(dispatch)
