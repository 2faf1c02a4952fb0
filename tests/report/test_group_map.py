"""The workshop group's map: participants at the same (or nearly the same) place are fanned out
so every letter stays readable, and a participant alone keeps its exact spot."""

from __future__ import annotations

import itertools
import re

from app.report.charts import group_map_svg
from app.report.charts.group_map import spread_markers
from app.scoring.barycentre import compute_barycentre

MARKER = re.compile(
    r'<g class="map-point" data-number="(\d+)" data-marker="([A-Z]+)">'
    r'<rect x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="([\d.]+)"[^>]*/>'
    r"<text[^>]*>([A-Z]+)</text></g>"
)


def _barycentre(questionnaire, shares):
    sources = [s.id for s in questionnaire.definition.sources]
    total = sum(shares.get(s, 0.0) for s in sources)
    profile = {s: shares.get(s, 0.0) / total for s in sources}
    return compute_barycentre(profile, {m.id: m.prototype for m in questionnaire.models})


def _squares(svg: str) -> dict[str, tuple[float, float, float, float]]:
    squares = {}
    for _number, marker, x, y, width, height, text in MARKER.findall(svg):
        assert text == marker
        left, top = float(x), float(y)
        squares[marker] = (left, top, left + float(width), top + float(height))
    return squares


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_participants_at_the_same_place_are_fanned_out_without_overlap(questionnaire):
    sources = [s.id for s in questionnaire.definition.sources]
    prototype = questionnaire.models[0].prototype
    on_a_pole = _barycentre(questionnaire, dict(prototype))
    middle = _barycentre(questionnaire, dict.fromkeys(sources, 1.0))
    # Nearly the same mix: barycentres a hair apart, on either side of any rounding grid.
    nearly = [
        _barycentre(questionnaire, {s: 1.0 + 0.003 * k * (i % 2) for i, s in enumerate(sources)})
        for k in range(1, 5)
    ]
    points = [(n, f"P{n}", on_a_pole) for n in range(1, 8)]
    points += [(8 + k, "x", b) for k, b in enumerate(nearly)] + [(12, "m", middle)]
    points += [(27 + k, "two letters", on_a_pole) for k in range(3)]  # AA, AB, AC

    svg = str(group_map_svg(questionnaire, points))

    squares = _squares(svg)
    assert len(squares) == len(points)
    for (first, a), (second, b) in itertools.combinations(squares.items(), 2):
        assert not _overlap(a, b), f"{first} and {second} overlap"
    min_x, min_y, width, height = map(float, re.search(r'viewBox="([^"]+)"', svg)[1].split())
    for marker, (left, top, right, bottom) in squares.items():
        assert min_x <= left and right <= min_x + width, marker
        assert min_y <= top and bottom <= min_y + height, marker
    # Every moved marker keeps a line to its true place.
    assert svg.count('stroke-width="0.8"/>') >= len(points) - 3


def test_a_participant_alone_stays_on_its_spot():
    spots = [(0.0, 0.0), (100.0, 0.0), (0.0, 100.0)]
    limits = (-200.0, -200.0, 200.0, 200.0)

    assert spread_markers(spots, ["A", "B", "C"], 20.0, limits) == spots


def test_a_crowd_on_one_spot_gets_distinct_places_within_limits():
    limits = (-150.0, -150.0, 150.0, 150.0)
    letters = [chr(ord("A") + n) for n in range(20)]

    placed = spread_markers([(0.0, 0.0)] * 20, letters, 10.0, limits)

    assert placed[0] == (0.0, 0.0)
    assert len(set(placed)) == 20
    for a, b in itertools.combinations(placed, 2):
        # Squares 2 × (0.85 + 0.1) × 10 wide and 1.9 × 10 high must not meet.
        assert abs(a[0] - b[0]) >= 19 - 1e-9 or abs(a[1] - b[1]) >= 19 - 1e-9
    assert all(-150 <= x <= 150 and -150 <= y <= 150 for x, y in placed)
