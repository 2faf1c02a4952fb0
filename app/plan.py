"""The action plan as data: what one item holds, its limits, and its validation (pure; the
database side is app/plan_store.py). The API, the plan page and the reports share it."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, ValidationError

from app.i18n import N_, _
from app.questionnaire.model import Questionnaire

MAX_ITEMS = 5
TITLE_MAX = 200
FIRST_STEP_MAX = 500
OWNER_MAX = 120
HELP_MAX = 500

# Where the association stands on a piste; the follow-up session counts them.
STATUSES = ("todo", "in_progress", "done", "dropped")
STATUS_LABELS = {
    "todo": N_("À faire"),
    "in_progress": N_("En cours"),
    "done": N_("Fait"),
    "dropped": N_("Abandonné"),
}
Status = Literal["todo", "in_progress", "done", "dropped"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_SPACES = re.compile(r"\s+")


def _clean(text: str) -> str:
    # Stored as typed, minus what no one types on purpose (control characters) and the
    # surrounding blanks; lone surrogates cannot be stored in UTF-8 at all.
    if _SURROGATES.search(text):
        raise ValueError("invalid characters")
    return _CONTROL.sub("", text).strip()


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", _clean(text))


Line = Annotated[str, AfterValidator(_one_line)]
Text = Annotated[str, AfterValidator(_clean)]


class PlanItemIn(BaseModel):
    """One piste of the plan: a card of the diagnostic (its id) or the association's own."""

    card: str | None = Field(
        default=None, max_length=64, description="a card id of the questionnaire, or null"
    )
    title: Line = Field(
        default="",
        max_length=TITLE_MAX,
        description="the piste in a few words; may be empty when `card` is set (the card's "
        "title is then used)",
    )
    first_step: Text = Field(default="", max_length=FIRST_STEP_MAX)
    owner: Line = Field(default="", max_length=OWNER_MAX, description="who carries it")
    due: date | None = Field(default=None, description="YYYY-MM-DD, or null")
    help: Text = Field(default="", max_length=HELP_MAX, description="the help sought")
    status: Status = Field(
        default="todo",
        description="where the association stands on it: todo, in_progress, done or dropped",
    )


class PlanIn(BaseModel):
    items: list[PlanItemIn] = Field(min_length=1, max_length=MAX_ITEMS)


@dataclass(frozen=True)
class PlanItem:
    card: str | None
    title: str
    first_step: str
    owner: str
    due: date | None
    help: str
    status: str = "todo"

    def to_json(self) -> dict[str, Any]:
        return {
            "card": self.card,
            "title": self.title,
            "first_step": self.first_step,
            "owner": self.owner,
            "due": self.due.isoformat() if self.due else None,
            "help": self.help,
            "status": self.status,
        }

    @classmethod
    def from_json(cls, piste: dict[str, Any]) -> PlanItem:
        """Back from to_json() (a frozen plan); tolerant of pistes frozen before a field
        existed (a missing status reads "todo")."""
        due = piste.get("due")
        return cls(
            card=piste.get("card"),
            title=piste.get("title") or "",
            first_step=piste.get("first_step") or "",
            owner=piste.get("owner") or "",
            due=date.fromisoformat(due) if due else None,
            help=piste.get("help") or "",
            status=piste.get("status") or "todo",
        )


def _title_key(title: str) -> str:
    return _SPACES.sub(" ", title).strip().casefold()


def matching_index(card: str | None, title: str, plan: list[PlanItem]) -> int | None:
    """Where the same piste sits in another plan: the same card, else the same title (case
    and spacing aside), else None."""
    if card:
        for index, item in enumerate(plan):
            if item.card == card:
                return index
    key = _title_key(title)
    for index, item in enumerate(plan):
        if key and _title_key(item.title) == key:
            return index
    return None


def keep_statuses(items: list[PlanItem], earlier: list[PlanItem]) -> list[PlanItem]:
    """`items` with the status each had in the earlier plan (a round's choice has no status
    field: choosing a piste again must not set it back to "todo")."""
    kept = []
    for item in items:
        index = matching_index(item.card, item.title, earlier)
        kept.append(item if index is None else replace(item, status=earlier[index].status))
    return kept


def card_errors(questionnaire: Questionnaire, items: list[PlanItemIn]) -> dict[str, str]:
    """Field → message for what the request's shape cannot tell: unknown card ids, and items
    with neither a card nor a title."""
    known = {card.id for card in questionnaire.definition.cards}
    errors: dict[str, str] = {}
    for index, item in enumerate(items):
        if item.card is not None and item.card not in known:
            errors[f"items.{index}.card"] = _("Piste inconnue.")
        elif item.card is None and not item.title:
            errors[f"items.{index}.title"] = _("Donnez un titre à votre piste.")
    return errors


def to_items(questionnaire: Questionnaire, items: list[PlanItemIn], lang=None) -> list[PlanItem]:
    """Validated input as stored: an empty title takes the card's."""
    cards = {card.id: card for card in questionnaire.definition.cards}
    return [
        PlanItem(
            card=item.card,
            title=item.title or cards[item.card].title.get(lang)[:TITLE_MAX],
            first_step=item.first_step,
            owner=item.owner,
            due=item.due,
            help=item.help,
            status=item.status,
        )
        for item in items
    ]


# --- The plan page's form ------------------------------------------------------------------

FORM_FIELDS = ("card", "title", "first_step", "owner", "due", "help", "status")
# What makes a row a piste: a status alone (its select always has a value) does not.
_TYPED_FIELDS = ("title", "first_step", "owner", "due", "help")
OWN_PISTE = "__own__"


def rows_of(items: list[PlanItem], count: int) -> list[dict[str, str]]:
    """`count` form rows from plan items (then blank rows): the plan page and a round's choice."""
    rows = [
        {
            "card": item.card or OWN_PISTE,
            "title": item.title,
            "first_step": item.first_step,
            "owner": item.owner,
            "due": item.due.isoformat() if item.due else "",
            "help": item.help,
            "status": item.status,
        }
        for item in items[:count]
    ]
    return rows + [dict.fromkeys(FORM_FIELDS, "") for _ in range(count - len(rows))]


def read_rows(form, count: int) -> list[dict[str, str]]:
    """The `count` rows a plan form posted (fields named `card-0`, `title-0`…)."""
    rows = []
    for index in range(count):
        row = {}
        for name in FORM_FIELDS:
            value = form.get(f"{name}-{index}")
            row[name] = value if isinstance(value, str) else ""
        rows.append(row)
    return rows


_FRENCH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _iso_date(text: str) -> str | None:
    """A date field as sent: YYYY-MM-DD from a date picker, or typed the French way (a browser
    without a picker shows a plain text field)."""
    text = text.strip()
    if found := _FRENCH_DATE.fullmatch(text):
        day, month, year = found.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return text or None


def _form_error_message(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "string_too_long":
        return _("Au plus %(max)s caractères.") % {"max": error["ctx"]["max_length"]}
    if kind == "literal_error":
        return _("Choisissez un état dans la liste.")
    if kind.startswith("date"):
        return _("Date invalide : écrivez-la au format JJ/MM/AAAA.")
    return _("Valeur invalide.")


def parse_form_rows(
    questionnaire: Questionnaire, rows: list[dict[str, str]]
) -> tuple[list[PlanItemIn], dict[str, str]]:
    """The plan page's rows (field → text) as plan items. A row left entirely blank is no
    item; errors are keyed `<row>.<field>` (row numbers as on the page, from 0)."""
    items: list[PlanItemIn] = []
    errors: dict[str, str] = {}
    for index, row in enumerate(rows):
        values = {name: (row.get(name) or "") for name in FORM_FIELDS}
        card = values["card"] if values["card"] not in ("", OWN_PISTE) else None
        if card is None and not any(values[name].strip() for name in _TYPED_FIELDS):
            continue
        # A form without a status field (a round's choice) leaves it to the caller: "todo".
        data = {
            **values,
            "card": card,
            "due": _iso_date(values["due"]),
            "status": values["status"] or "todo",
        }
        try:
            item = PlanItemIn.model_validate(data)
        except ValidationError as error:
            for detail in error.errors():
                errors.setdefault(f"{index}.{detail['loc'][0]}", _form_error_message(detail))
            continue
        for field, message in card_errors(questionnaire, [item]).items():
            errors[f"{index}.{field.rsplit('.', 1)[1]}"] = message
        items.append(item)
    if len(items) > MAX_ITEMS:
        errors["plan"] = _("Au plus %(max)s pistes.") % {"max": MAX_ITEMS}
    return items, errors
