"""One view-model of a diagnostic for every place that reads it out: the results page, the PDF
report and the pitch sheet. It composes the plain-French reading from the placement, the
two-question table and the indicators, so these places never say different things (or
contradict each other), and holds the few labels they all need."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from app.i18n import N_, _
from app.questionnaire.model import Questionnaire
from app.questionnaire.schema import ModelType
from app.readings import interest_reading
from app.scoring.placement import MATRIX_ROWS
from app.scoring.result import DiagnosticResult
from app.templating import percent

DEFAULT_ASSOCIATION_NAME = N_("Votre association")

KIND_LABELS = {
    "increase_resources": N_("Augmenter les ressources"),
    "reduce_costs": N_("Réduire les coûts"),
    "human": N_("Richesses humaines"),
    "alliance": N_("Alliances"),
}

MATRIX_ROW_LABELS = {
    "members": N_("Les membres"),
    "public": N_("Les acteurs publics"),
    "private": N_("Les acteurs privés (personnes, entreprises, fondations)"),
}

# A gap between the association's figure and its dominant model's figure (public money,
# exchange share, volunteering) from which the reading says "unlike this model…".
CAVEAT_GAP = 0.2
# A gap between the association's share of one source and the model's that gets a sentence.
MIX_GAP = 0.15
MAX_MIX_SENTENCES = 3
# A source is drawn in the mix chart when it weighs at least this for someone.
MIX_MIN_SHARE = 0.005


def keep_guillemets(text: str) -> str:
    """French spacing inside « » made non-breaking, so a wrapped label never leaves a lone
    guillemet at a line's start or end."""
    return text.replace("« ", "«\u00a0").replace(" »", "\u00a0»")


def association_name(questionnaire: Questionnaire, answers: dict[str, Any]) -> str | None:
    """The name the association gave, stripped; None when it gave none."""
    role = questionnaire.definition.roles.association_name
    name = answers.get(role) if role else None
    return name.strip() if isinstance(name, str) and name.strip() else None


def display_name(questionnaire: Questionnaire, answers: dict[str, Any]) -> str:
    """The name to print: the association's own, else "Votre association"."""
    return association_name(questionnaire, answers) or _(DEFAULT_ASSOCIATION_NAME)


def kind_label(kind: str) -> str:
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


@dataclass(frozen=True)
class ModelShare:
    model: ModelType
    weight: float


@dataclass(frozen=True)
class MixRow:
    """One source: its share for the association and in the typical mix of two models."""

    source: str
    label: str
    own: float
    dominant: float
    runner_up: float | None


@dataclass(frozen=True)
class MatrixRow:
    who: str
    exchange: float
    no_exchange: float
    exchange_sources: list[str]
    no_exchange_sources: list[str]


@dataclass
class DiagnosticView:
    name: str | None
    display_name: str
    dominant: ModelShare | None = None
    runner_up: ModelShare | None = None
    money_dominant: ModelShare | None = None
    volunteering_changes_dominant: bool = False
    # "Your mix looks most like…, but unlike this model…": empty when the model fits.
    caveat: str = ""
    placement_sentences: list[str] = field(default_factory=list)
    mix_rows: list[MixRow] = field(default_factory=list)
    mix_sentences: list[str] = field(default_factory=list)
    matrix_rows: list[MatrixRow] = field(default_factory=list)
    # Share of all resources in no cell of the table (e.g. "other" resources).
    matrix_outside: float = 0.0
    interest_reading: list[str] = field(default_factory=list)

    @staticmethod
    def kind_label(kind: str) -> str:
        return kind_label(kind)

    def model_sentence(self, voice: str = "you") -> Markup:
        """ "Your model is mostly close to X (55 %), then to Y (20 %)." with the names in bold;
        voice "we" for the pitch sheet, which the association speaks."""
        if self.dominant is None:
            return Markup("")
        first = Markup("<strong>%s</strong>") % self.dominant.model.name.get()
        values: dict[str, Any] = {"first": first, "first_weight": percent(self.dominant.weight)}
        if self.runner_up is not None:
            values |= {
                "second": Markup("<strong>%s</strong>") % self.runner_up.model.name.get(),
                "second_weight": percent(self.runner_up.weight),
            }
            text = (
                _(
                    "Notre modèle est surtout proche du %(first)s (%(first_weight)s), puis du "
                    "%(second)s (%(second_weight)s)."
                )
                if voice == "we"
                else _(
                    "Votre modèle est surtout proche du %(first)s (%(first_weight)s), puis du "
                    "%(second)s (%(second_weight)s)."
                )
            )
        else:
            text = (
                _("Notre modèle est surtout proche du %(first)s (%(first_weight)s).")
                if voice == "we"
                else _("Votre modèle est surtout proche du %(first)s (%(first_weight)s).")
            )
        return escape(text) % values


def _share(values: dict[str, float], keep) -> float:
    return sum(v for s, v in values.items() if keep(s))


def _figures(questionnaire: Questionnaire, shares: dict[str, float]) -> dict[str, float | None]:
    """Public money and exchange share (of money) and volunteering share (of everything)."""
    sources = questionnaire.source_by_id
    money = _share(shares, lambda s: sources[s].brought_by != "volunteers")
    volunteering = _share(shares, lambda s: sources[s].brought_by == "volunteers")
    if money <= 0:
        return {"public": None, "exchange": None, "volunteering": volunteering}
    return {
        "public": _share(shares, lambda s: sources[s].brought_by == "public") / money,
        "exchange": _share(
            shares, lambda s: sources[s].brought_by != "volunteers" and sources[s].in_exchange
        )
        / money,
        "volunteering": volunteering,
    }


def _caveat(questionnaire: Questionnaire, result: DiagnosticResult, model: ModelType) -> str:
    own = _figures(questionnaire, result.profile or {})
    # Volunteering left out of the profile (percent mode without a budget) is unknown, not 0.
    if result.indicators.get("volunteering_share") is None:
        own["volunteering"] = None
    typical = _figures(questionnaire, model.prototype)
    phrases = {
        "public": N_(
            "l'argent public représente %(own)s de vos ressources financières, contre environ "
            "%(model)s dans ce modèle"
        ),
        "exchange": N_(
            "%(own)s de vos ressources financières rémunèrent un service rendu, contre environ "
            "%(model)s dans ce modèle"
        ),
        "volunteering": N_(
            "le bénévolat valorisé représente %(own)s de l'ensemble de vos ressources, contre "
            "environ %(model)s dans ce modèle"
        ),
    }
    gaps = []
    for key, phrase in phrases.items():
        mine, theirs = own[key], typical[key]
        if mine is None or theirs is None or abs(mine - theirs) < CAVEAT_GAP:
            continue
        gaps.append(_(phrase) % {"own": percent(mine), "model": percent(theirs)})
    if not gaps:
        return ""
    return _(
        "Votre mix ressemble surtout au %(model)s, mais contrairement à ce modèle : %(gaps)s."
    ) % {"model": model.name.get(), "gaps": _(" ; ").join(gaps)}


def _mix(
    questionnaire: Questionnaire,
    result: DiagnosticResult,
    dominant: ModelType,
    runner_up: ModelType | None,
) -> tuple[list[MixRow], list[str]]:
    profile = result.profile or {}
    rows = []
    for source in questionnaire.sources:
        own = profile.get(source.id, 0.0)
        first = dominant.prototype.get(source.id, 0.0)
        second = runner_up.prototype.get(source.id, 0.0) if runner_up else None
        if max(own, first, second or 0.0) < MIX_MIN_SHARE:
            continue
        rows.append(MixRow(source.id, source.label.get(), own, first, second))
    gaps = sorted(
        (row for row in rows if abs(row.own - row.dominant) >= MIX_GAP),
        key=lambda row: (-abs(row.own - row.dominant), row.source),
    )[:MAX_MIX_SENTENCES]
    sentences = [
        (
            _(
                "%(source)s : %(own)s de vos ressources, bien plus que dans le modèle dominant "
                "(environ %(model)s)."
            )
            if row.own > row.dominant
            else _(
                "%(source)s : %(own)s de vos ressources, bien moins que dans le modèle dominant "
                "(environ %(model)s)."
            )
        )
        % {"source": row.label, "own": percent(row.own), "model": percent(row.dominant)}
        for row in gaps
    ]
    return rows, sentences


def _matrix(
    questionnaire: Questionnaire, result: DiagnosticResult
) -> tuple[list[MatrixRow], float]:
    matrix = result.resource_matrix or {}
    rows = []
    for row in MATRIX_ROWS:
        cells = matrix.get(row, {})
        placed = [s for s in questionnaire.sources if s.matrix_row == row]
        rows.append(
            MatrixRow(
                who=_(MATRIX_ROW_LABELS[row]),
                exchange=cells.get("exchange", 0.0),
                no_exchange=cells.get("no_exchange", 0.0),
                exchange_sources=[keep_guillemets(s.label.get()) for s in placed if s.in_exchange],
                no_exchange_sources=[
                    keep_guillemets(s.label.get()) for s in placed if not s.in_exchange
                ],
            )
        )
    placed_total = sum(r.exchange + r.no_exchange for r in rows)
    outside = max(0.0, 1.0 - placed_total) if result.profile else 0.0
    return rows, outside


def _placement_sentences(view: DiagnosticView) -> list[str]:
    if not view.volunteering_changes_dominant or not view.dominant or not view.money_dominant:
        return []
    return [
        _(
            "Votre modèle dominant dépend du bénévolat : en comptant le bénévolat valorisé, vous "
            "êtes surtout proche du %(with)s (%(with_weight)s) ; sur l'argent seul, du "
            "%(money)s (%(money_weight)s)."
        )
        % {
            "with": view.dominant.model.name.get(),
            "with_weight": percent(view.dominant.weight),
            "money": view.money_dominant.model.name.get(),
            "money_weight": percent(view.money_dominant.weight),
        },
        _(
            "Les deux lectures comptent. Le bénévolat est la première ressource de nombreuses "
            "associations : sans lui, on oublierait ce qui fait vivre votre projet. Un "
            "financeur, lui, lit d'abord vos comptes, donc l'argent : c'est la seconde lecture "
            "qu'il fera de votre modèle."
        ),
    ]


def build_view(
    questionnaire: Questionnaire, answers: dict[str, Any] | None, result: DiagnosticResult
) -> DiagnosticView:
    """Texts follow the current language (render inside `use_language` for another one)."""
    answers = answers or {}
    view = DiagnosticView(
        name=association_name(questionnaire, answers),
        display_name=display_name(questionnaire, answers),
    )
    view.matrix_rows, view.matrix_outside = _matrix(questionnaire, result)
    view.interest_reading = interest_reading(result)
    barycentre = result.barycentre
    if barycentre is None:
        return view
    models = questionnaire.model_by_id
    dominant = models[barycentre.dominant]
    view.dominant = ModelShare(dominant, barycentre.weights[dominant.id])
    runner_up = models.get(barycentre.runner_up_to_mention or "")
    if runner_up is not None:
        view.runner_up = ModelShare(runner_up, barycentre.weights[runner_up.id])
    placement = result.placement
    if placement is not None and placement.money_only is not None:
        money = placement.money_only
        view.money_dominant = ModelShare(models[money.dominant], money.weights[money.dominant])
        view.volunteering_changes_dominant = placement.volunteering_changes_dominant
    view.caveat = _caveat(questionnaire, result, dominant)
    view.placement_sentences = _placement_sentences(view)
    view.mix_rows, view.mix_sentences = _mix(questionnaire, result, dominant, runner_up)
    return view
