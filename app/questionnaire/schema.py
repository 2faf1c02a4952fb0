"""Pydantic models of the questionnaire YAML: questions, sources, model types, levers, cards.

The whole definition is data. These models are the single source of truth for its format;
`mse schema` publishes their JSON Schema.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.i18n import resolve

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]

QuestionType = Literal[
    "single_choice",
    "multiple_choice",
    "likert",
    "amount",
    "percentage",
    "integer",
    # A count that may have decimals, such as full-time equivalents ("38,5").
    "decimal",
    "short_text",
    "long_text",
]
CHOICE_TYPES = {"single_choice", "multiple_choice", "likert"}
NUMBER_TYPES = {"amount", "percentage", "integer", "decimal"}
TEXT_TYPES = {"short_text", "long_text"}

# Ceilings that keep a typo (or an attack) from poisoning the scores.
DEFAULT_MAX = {
    "amount": 1e11,
    "percentage": 100.0,
    "integer": 10_000_000,
    "decimal": 10_000_000,
}
DEFAULT_MAX_LENGTH = {"short_text": 200, "long_text": 5000}

# Indicators computed by app.scoring.indicators; conditions and bands may refer to them.
KNOWN_INDICATORS = (
    "total_resources",
    "monetary_resources",
    "exchange_share",
    "hhi",
    "diversification",
    "largest_source_share",
    "largest_funder_share",
    "volunteering_share",
    "reserve_months",
    "residual",
    "percent_total",
    # Money by the two questions of the table, so rules can set floors in euros and shares
    # that fit the association's size (see app.scoring.indicators.funding_indicators).
    "subsidies_amount",
    "subsidies_share",
    "public_share",
    "public_exchange_amount",
    "private_exchange_share",
)


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Label(StrictModel):
    """A text in French (required) and English (optional). A plain string means French."""

    fr: str = Field(min_length=1)
    en: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_string_is_french(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"fr": value}
        return value

    def get(self, lang: str | None = None) -> str:
        """The text in `lang` (the current request's language when None); French when the
        English is missing, which `mse validate` reports."""
        if resolve(lang) == "en" and self.en:
            return self.en
        return self.fr


class ChoiceOption(StrictModel):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]*$", max_length=64)]
    label: Label
    help: Label | None = None
    # An option that excludes the others in a multiple choice ("aucun").
    exclusive: bool = False


class Band(StrictModel):
    """Points given when a number lies in [min, max). Bands are tried in order."""

    min: float | None = None
    max: float | None = None
    points: float

    def contains(self, number: float) -> bool:
        return (self.min is None or number >= self.min) and (self.max is None or number < self.max)


class QuestionScoring(StrictModel):
    """How one question feeds a lever sub-dimension."""

    lever: Identifier
    subdimension: Identifier
    # choice id -> points (single, multiple and likert questions). Likert defaults to the
    # option's position (0, 1, 2...).
    points: dict[str, float] | None = None
    # For numbers: the first band containing the answer gives the points.
    bands: list[Band] | None = None
    # Best possible points; defaults to the best single option (sum of positives for multiple).
    max_points: float | None = None


Operator = Literal[
    "eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "answered", "not_answered"
]


class Condition(StrictModel):
    """A condition kept as data: either a combination (all / any / not) or a test.

    A test names one subject (question id, indicator name, lever id or "lever.subdimension",
    model id for its barycentre weight, or dominant_model: true) with an operator and a value.
    """

    all: list[Condition] | None = None
    any: list[Condition] | None = None
    not_: Condition | None = Field(default=None, alias="not")
    question: Identifier | None = None
    indicator: str | None = None
    lever: str | None = None
    model: Identifier | None = None
    dominant_model: bool | None = None
    op: Operator | None = None
    value: Any = None
    # A guard (a size floor, "has some money") that is true for most associations: it still
    # decides, but is not named among a card's reasons.
    quiet: bool = False

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        combinators = [n for n in ("all", "any", "not_") if getattr(self, n) is not None]
        subjects = [n for n in ("question", "indicator", "lever", "model") if getattr(self, n)]
        if self.dominant_model:
            subjects.append("dominant_model")
        if len(combinators) + len(subjects) != 1:
            raise ValueError(
                "a condition needs exactly one of: all, any, not, question, indicator, lever, "
                "model, dominant_model"
            )
        if subjects:
            if subjects == ["dominant_model"]:
                if self.op not in (None, "eq", "in", "not_in", "ne"):
                    raise ValueError("dominant_model takes op eq, ne, in or not_in")
                if self.value is None:
                    raise ValueError("dominant_model needs a value (a model id or a list)")
            elif self.op is None:
                raise ValueError("a test needs an op")
            elif self.op not in ("answered", "not_answered") and self.value is None:
                raise ValueError(f"op '{self.op}' needs a value")
            if self.op in ("in", "not_in") and not isinstance(self.value, list):
                raise ValueError(f"op '{self.op}' needs a list value")
        return self


class Question(StrictModel):
    id: Identifier
    type: QuestionType
    label: Label
    help: Label | None = None
    required: bool = False
    # A reusable choice list name, or the options inline.
    choices: str | list[ChoiceOption] | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = Field(default=None, gt=0, le=20_000)
    unit: Label | None = None
    # The unit for one ("1 salarié"); `unit` is the plural, also shown beside the field.
    unit_one: Label | None = None
    placeholder: Label | None = None
    # Used when the question is unanswered (e.g. the reference hourly value of volunteering).
    default: Any = None
    # Resource questions: the resource source this amount belongs to.
    source: Identifier | None = None
    # When unanswered, the value is the product of these questions' values (or defaults).
    computed_from: list[Identifier] | None = None
    show_if: Condition | None = None
    scoring: list[QuestionScoring] = Field(default_factory=list)

    @field_validator("scoring", mode="before")
    @classmethod
    def _single_rule_is_a_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _consistent_with_type(self) -> Question:
        if self.type in CHOICE_TYPES and not self.choices:
            raise ValueError(f"a {self.type} question needs choices")
        if self.type not in CHOICE_TYPES and self.choices:
            raise ValueError(f"a {self.type} question takes no choices")
        if self.type not in NUMBER_TYPES:
            for key in ("min", "max", "source", "computed_from"):
                if getattr(self, key) is not None:
                    raise ValueError(f"'{key}' only applies to number questions")
        if self.type not in TEXT_TYPES and self.max_length is not None:
            raise ValueError("'max_length' only applies to text questions")
        if self.source and self.type != "amount" and self.type != "percentage":
            raise ValueError("'source' only applies to amount or percentage questions")
        for bound in (self.min, self.max):
            if bound is not None and not math.isfinite(bound):
                raise ValueError("min and max must be finite")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is above max")
        return self

    @property
    def lower_bound(self) -> float:
        return self.min if self.min is not None else 0.0

    @property
    def upper_bound(self) -> float:
        return self.max if self.max is not None else float(DEFAULT_MAX.get(self.type, 0))

    @property
    def text_max_length(self) -> int:
        return self.max_length or DEFAULT_MAX_LENGTH.get(self.type, 200)


class Section(StrictModel):
    id: Identifier
    title: Label
    intro: Label | None = None
    questions: list[Question] = Field(min_length=1)


class ResourceSource(StrictModel):
    """One kind of resource, placed by the two questions: who brings it, and for what."""

    id: Identifier
    label: Label
    description: Label | None = None
    brought_by: Literal["members", "public", "private", "volunteers", "other"]
    # True when the resource pays for a service rendered (social-utility operator logic).
    in_exchange: bool
    # The row of the two-question table (who brings it) for a source brought by volunteers or
    # "other"; members, public and private sources sit in their own row.
    table_row: Literal["members", "public", "private"] | None = None

    @model_validator(mode="after")
    def _table_row_only_when_needed(self) -> ResourceSource:
        if self.table_row and self.brought_by in ("members", "public", "private"):
            raise ValueError(
                f"'table_row' only applies to sources brought by volunteers or other "
                f"(this one is brought by {self.brought_by})"
            )
        return self

    @property
    def matrix_row(self) -> str | None:
        """Who brings it, in the two-question table; None when it has no row."""
        if self.brought_by in ("members", "public", "private"):
            return self.brought_by
        return self.table_row


class PublishedFigure(StrictModel):
    """A published figure bearing on a model's resource mix, cited beside its prototype."""

    text: Label
    source: str = Field(min_length=1, max_length=300)
    year: int = Field(ge=1990, le=2100)
    url: str | None = Field(default=None, pattern=r"^https://")


class ModelType(StrictModel):
    """One of the seven structural associative models and its prototype resource profile."""

    id: Identifier
    number: int = Field(ge=1, le=99)
    name: Label
    short_name: Label | None = None
    description: Label
    typical_sectors: Label
    example: Label
    # source id -> share of resources; shares are >= 0 and sum to 1.
    prototype: dict[str, float]
    # Published figures (national surveys, sector studies) the prototype can be held against.
    published_figures: list[PublishedFigure] = Field(default_factory=list)

    @field_validator("prototype")
    @classmethod
    def _shares_sum_to_one(cls, prototype: dict[str, float]) -> dict[str, float]:
        if any(share < 0 or not math.isfinite(share) for share in prototype.values()):
            raise ValueError("prototype shares must be finite and >= 0")
        total = sum(prototype.values())
        if abs(total - 1) > 0.001:
            raise ValueError(f"prototype shares must sum to 1 (they sum to {total:.3f})")
        return prototype


class IndicatorScoring(StrictModel):
    indicator: str
    bands: list[Band] = Field(min_length=1)
    max_points: float | None = None
    label: Label | None = None


class Subdimension(StrictModel):
    id: Identifier
    label: Label
    description: Label | None = None
    indicators: list[IndicatorScoring] = Field(default_factory=list)


class Lever(StrictModel):
    id: Identifier
    label: Label
    description: Label | None = None
    subdimensions: list[Subdimension] = Field(min_length=1)


class PriorityRule(StrictModel):
    """Weight added to a card's priority when `when` holds (the main worry, a low score...)."""

    when: Condition
    add: int = Field(ge=-1000, le=1000)


class LeverCard(StrictModel):
    """A suggested lever ("piste") and the rule that selects it."""

    id: Identifier
    title: Label
    kind: Literal["increase_resources", "reduce_costs", "human", "alliance"]
    lever: Identifier
    what: Label
    why: Label
    skills: list[Label] = Field(min_length=1)
    risks: list[Label] = Field(min_length=1)
    help: list[Label] = Field(min_length=1)
    when: Condition
    # Base priority; higher first. `priority_rules` add to it when their condition holds, and
    # the answers that made them hold are named among the card's reasons.
    priority: int = 0
    priority_rules: list[PriorityRule] = Field(default_factory=list)


class Roles(StrictModel):
    """Which questions play a part the code needs to know (all optional)."""

    association_name: Identifier | None = None
    resource_unit: Identifier | None = None
    annual_budget: Identifier | None = None
    annual_costs: Identifier | None = None
    cash_reserves: Identifier | None = None
    largest_funder_share: Identifier | None = None
    # The pitch sheet: questions that present the project in a few lines (text answers), and
    # short facts shown under the association's name (sector, territory...).
    pitch_project: list[Identifier] = Field(default_factory=list)
    pitch_facts: list[Identifier] = Field(default_factory=list)
    # The pitch sheet in the association's own words: its one-line pitch and what it seeks
    # from partners (text answers, also editable on the pitch page); its key figures.
    pitch_line: Identifier | None = None
    partners_sought: Identifier | None = None
    budget_band: Identifier | None = None
    founded_year: Identifier | None = None
    # The DLA export's profile columns (app/workshops/dla.py): sector and territory
    # (choices), paid staff (a count: an employer has at least one).
    sector: Identifier | None = None
    territory: Identifier | None = None
    employees: Identifier | None = None
    # The round screen of a co-development workshop: the association's main worry.
    main_worry: Identifier | None = None


class Resource(StrictModel):
    title: Label
    description: Label | None = None
    url: str | None = Field(default=None, pattern=r"^https://")


class QuestionnaireDefinition(StrictModel):
    id: Identifier
    version: str = Field(min_length=1, max_length=40)
    title: Label
    description: Label | None = None
    roles: Roles = Field(default_factory=Roles)
    choice_lists: dict[Identifier, list[ChoiceOption]] = Field(default_factory=dict)
    sources: list[ResourceSource] = Field(min_length=1)
    models: list[ModelType] = Field(min_length=2)
    levers: list[Lever] = Field(min_length=1)
    sections: list[Section] = Field(min_length=1)
    cards: list[LeverCard] = Field(default_factory=list)
    resources: list[Resource] = Field(default_factory=list)
