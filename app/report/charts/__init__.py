"""Hand-written SVG charts shared by the results page, the workshop screens and the PDFs.

- `svg`: the primitives (numbers, text, wrapping, the <svg> element, markers, label placement);
- `map_frame`: the polygon of the models the maps are drawn on, its legend and closing;
- `model_map`: one association's barycentre among the models;
- `group_map`: a workshop group's participants on the same map;
- `followup_map`: a follow-up session's arrows from the first session to now;
- `radar`: the radar of the levers.

A new chart gets its own module here, built from `svg` (and `map_frame` for a map), and its
public function is exported below. Underscored names stay inside the package.
"""

from app.report.charts.followup_map import followup_map_svg
from app.report.charts.group_map import group_map_description, group_map_svg, marker_letter
from app.report.charts.map_frame import WEIGHT_LINE_THRESHOLD
from app.report.charts.model_map import NO_RESOURCES_NOTE, map_description, model_map_svg
from app.report.charts.radar import lever_radar_svg, radar_description
from app.report.charts.svg import FONT_FAMILY, Box, place_label

__all__ = [
    "FONT_FAMILY",
    "NO_RESOURCES_NOTE",
    "WEIGHT_LINE_THRESHOLD",
    "Box",
    "followup_map_svg",
    "group_map_description",
    "group_map_svg",
    "lever_radar_svg",
    "map_description",
    "marker_letter",
    "model_map_svg",
    "place_label",
    "radar_description",
]
