"""Which first session a workshop follows up: the choices offered on the workshop form and the
rules (both sessions dated, 3 to 18 months apart, no loop). The before/after itself is
app/workshops/followup.py."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.orm import Session

from app.db import detached, write_session
from app.i18n import _
from app.models import Workshop
from app.workshops.storage import can_run

MIN_MONTHS = 3
MAX_MONTHS = 18


@dataclass(frozen=True)
class FirstSession:
    id: int
    title: str
    held_on: date | None
    follows_id: int | None


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def choices(
    *, engine: Engine, facilitator_id: int, exclude_id: int | None, current_id: int | None = None
) -> list[FirstSession]:
    """The workshops this counsellor runs (created or co-run), newest first, but this one;
    plus `current_id`, the first session this workshop already follows: a co-counsellor who
    does not run it keeps the link (and sees its title) when saving an edit."""
    runs = can_run(facilitator_id)
    with Session(engine) as session:
        rows = session.execute(
            select(Workshop.id, Workshop.title, Workshop.held_on, Workshop.follows_id)
            .where(runs if current_id is None else or_(runs, Workshop.id == current_id))
            .order_by(Workshop.held_on.desc(), Workshop.id.desc())
        ).all()
    return [FirstSession(*row) for row in rows if row[0] != exclude_id]


def follow_up_error(
    first: FirstSession | None, *, this_id: int | None, held_on: date | None
) -> str | None:
    """Why this workshop cannot follow `first` up (None: it can). `first` is None when the
    chosen id is not one of the counsellor's workshops."""
    if first is None:
        return _("Atelier introuvable : choisissez-en un dans la liste.")
    if this_id is not None and first.id == this_id:
        return _("Un atelier ne peut pas être la suite de lui-même.")
    if this_id is not None and first.follows_id == this_id:
        return _(
            "« %(title)s » est déjà la suite de cet atelier : il ne peut pas en être aussi "
            "la première séance."
        ) % {"title": first.title}
    if held_on is None:
        return _(
            "Donnez la date de cet atelier : une séance de suivi se tient de %(min)s à "
            "%(max)s mois après la première."
        ) % {"min": MIN_MONTHS, "max": MAX_MONTHS}
    if first.held_on is None:
        return _(
            "« %(title)s » n'a pas de date : datez-le d'abord (Modifier l'atelier), puis "
            "choisissez-le ici."
        ) % {"title": first.title}
    earliest, latest = add_months(first.held_on, MIN_MONTHS), add_months(first.held_on, MAX_MONTHS)
    if not earliest <= held_on <= latest:
        return _(
            "Une séance de suivi se tient de %(min)s à %(max)s mois après la première "
            "(« %(title)s », le %(first)s) : entre le %(earliest)s et le %(latest)s."
        ) % {
            "min": MIN_MONTHS,
            "max": MAX_MONTHS,
            "title": first.title,
            "first": first.held_on.strftime("%d/%m/%Y"),
            "earliest": earliest.strftime("%d/%m/%Y"),
            "latest": latest.strftime("%d/%m/%Y"),
        }
    return None


def chosen_first(raw: str, options: list[FirstSession]) -> tuple[bool, FirstSession | None]:
    """(whether a first session was chosen, which one: None when it is not in the list)."""
    raw = raw.strip()
    if not raw:
        return False, None
    return True, next((o for o in options if str(o.id) == raw), None)


def set_follows(*, engine: Engine, workshop_id: int, follows_id: int | None) -> None:
    with write_session(engine) as session:
        session.execute(
            update(Workshop).where(Workshop.id == workshop_id).values(follows_id=follows_id)
        )
        session.commit()


def first_session(*, engine: Engine, workshop: Workshop) -> Workshop | None:
    """The first session a workshop follows up, if any (whoever runs it: the follow-up's
    counsellors see its frozen figures only through the before/after)."""
    if workshop.follows_id is None:
        return None
    with Session(engine) as session:
        return detached(session, session.get(Workshop, workshop.follows_id))
