"""The association's resource mix beside the typical mix of its dominant and runner-up models:
grouped horizontal bars per source (SVG for the page and the PDF; the same data is given as a
table next to it, the text alternative)."""

from __future__ import annotations

from markupsafe import Markup

from app.i18n import _
from app.report.charts.svg import _chars_for, _n, _svg_open, _text, _wrap
from app.report.view import DiagnosticView, keep_guillemets
from app.templating import percent

# Black, grey and white-with-outline bars read apart in black and white; the legend says which.
_STYLES = (
    'fill="#000000" stroke="#000000" stroke-width="0.6"',
    'fill="#8c8c8c" stroke="#000000" stroke-width="0.6"',
    'fill="#ffffff" stroke="#000000" stroke-width="0.9"',
)


def mix_series(view: DiagnosticView) -> list[tuple[str, str]]:
    """(key, legend label) of each bar drawn per source, in order."""
    if view.dominant is None:
        return []
    series = [
        ("own", _("Votre association")),
        ("dominant", _("%(model)s (profil type)") % {"model": view.dominant.model.name.get()}),
    ]
    if view.runner_up is not None:
        series.append(
            ("runner_up", _("%(model)s (profil type)") % {"model": view.runner_up.model.name.get()})
        )
    return series


def mix_description(view: DiagnosticView) -> str:
    parts = [
        _("%(source)s : vous %(own)s, modèle dominant %(model)s")
        % {"source": row.label, "own": percent(row.own), "model": percent(row.dominant)}
        for row in view.mix_rows
    ]
    return _("Vos ressources comparées au profil type de vos modèles les plus proches : ") + (
        _(" ; ").join(parts) + "."
    )


def resource_mix_svg(
    view: DiagnosticView, width: int = 560, *, font: float = 11.0, id_prefix: str = "mix"
) -> Markup:
    """`font` in SVG units: larger where the chart is drawn narrower than its width."""
    series = mix_series(view)
    if not series or not view.mix_rows:
        return Markup("")
    bar = font * 0.75
    label_width = width * 0.38
    value_width = 40.0
    bar_area = width - label_width - value_width - 8
    legend_line = font * 1.5
    parts: list[str] = []
    # Legend first, one row per series, so a long model name never runs into another.
    y = font
    for index, (_key, label) in enumerate(series):
        parts.append(
            f'<rect x="0" y="{_n(y - bar)}" width="{_n(bar * 2)}" height="{_n(bar)}" '
            f"{_STYLES[index]}/>"
        )
        parts.append(_text(bar * 2 + 6, y, label, font))
        y += legend_line
    y += font * 0.5
    group = len(series) * (bar + 2) + font * 0.9
    for row in view.mix_rows:
        lines = _wrap(keep_guillemets(row.label), _chars_for(label_width - 6, font), max_lines=3)
        block = max(group, len(lines) * font * 1.2 + 4)
        for index, line in enumerate(lines):
            parts.append(_text(0, y + font + index * font * 1.2, line, font))
        for index, (key, _label) in enumerate(series):
            value = getattr(row, key) or 0.0
            top = y + 2 + index * (bar + 2)
            length = max(0.0, min(1.0, value)) * bar_area
            if length > 0:
                parts.append(
                    f'<rect x="{_n(label_width)}" y="{_n(top)}" width="{_n(length)}" '
                    f'height="{_n(bar)}" {_STYLES[index]}/>'
                )
            parts.append(
                _text(label_width + length + 4, top + bar - 0.5, percent(value), font * 0.8)
            )
        # White space, not a rule, separates the sources (every drawn shape means something).
        y += block + font * 0.4
    height = y + 4
    title = _("Votre mix de ressources et celui des modèles les plus proches")
    return Markup(
        _svg_open(0, 0, width, height, id_prefix, title, mix_description(view))
        + "".join(parts)
        + "</svg>"
    )
