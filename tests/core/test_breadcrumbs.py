"""One breadcrumb scheme: a page of a programme starts at Programmes, then the programme, then its section."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
TRAIL = re.compile(r'<nav aria-label="breadcrumb">(.*?)</nav>', re.S)


def _trails():
    for path in sorted(TEMPLATES.rglob("*.html")):
        for trail in TRAIL.findall(path.read_text()):
            yield path.relative_to(TEMPLATES), trail


def test_every_trail_that_names_a_programme_starts_at_programmes():
    wrong = []
    for path, trail in _trails():
        names_programme = "placements:programme_detail" in trail or re.search(
            r"(schools:review|certificates:programme_certificates|mentoring:programme)\b", trail
        )
        if names_programme and not (
            "placements:programme_list" in trail
            and trail.index("placements:programme_list") < trail.index("placements:programme_detail")
        ):
            wrong.append(str(path))
    assert wrong == []


def test_there_are_trails_to_check():
    assert sum(1 for _ in _trails()) > 30
