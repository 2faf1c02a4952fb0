"""Hand-written SVG charts shared by the results page and the PDF.

- `svg`: the primitives (numbers, text, wrapping, the <svg> element, markers, label placement);
- `map_frame`: the polygon of the models both maps are drawn on, its legend and closing;
- `model_map`: one association's barycentre among the models;
- `group_map`: a workshop group's participants on the same map;
- `radar`: the radar of the levers.

A new chart gets its own module here, built from `svg`. Every name below stays importable from
`app.report.charts`, the underscored ones included, for the modules that already import them.
"""

from app.report.charts.group_map import group_map_description, group_map_svg, marker_letter
from app.report.charts.map_frame import (
    WEIGHT_LINE_THRESHOLD,
    _close,
    _legend,
    _map_frame,
    _MapFrame,
    _model_name,
)
from app.report.charts.model_map import (
    NO_RESOURCES_NOTE,
    _placement_description,
    map_description,
    model_map_svg,
)
from app.report.charts.radar import _SECTOR_FILLS, _score_text, lever_radar_svg, radar_description
from app.report.charts.svg import (
    _CHAR_EM,
    FONT_FAMILY,
    Box,
    _chars_for,
    _diamond,
    _halo_text,
    _n,
    _numbered_point,
    _open_diamond,
    _overlaps,
    _svg_open,
    _text,
    _text_box,
    _text_width,
    _wrap,
    place_label,
)

__all__ = [
    "FONT_FAMILY",
    "NO_RESOURCES_NOTE",
    "WEIGHT_LINE_THRESHOLD",
    "Box",
    "_CHAR_EM",
    "_MapFrame",
    "_SECTOR_FILLS",
    "_chars_for",
    "_close",
    "_diamond",
    "_halo_text",
    "_legend",
    "_map_frame",
    "_model_name",
    "_n",
    "_numbered_point",
    "_open_diamond",
    "_overlaps",
    "_placement_description",
    "_score_text",
    "_svg_open",
    "_text",
    "_text_box",
    "_text_width",
    "_wrap",
    "group_map_description",
    "group_map_svg",
    "lever_radar_svg",
    "map_description",
    "marker_letter",
    "model_map_svg",
    "place_label",
    "radar_description",
]
