"""The report in words: question wording instead of codes, a verdict beside every p, a table beside every chart."""

import re
from html.parser import HTMLParser

import pytest

from surveys import standard
from surveys.explain import TOO_FEW, change_verdict
from surveys.services import responses_import_csv
from tests import factories as f

from .conftest import make_week

CODES = {code for code, *_rest in (*standard.PRE, *standard.POST)}
PAIRED_TEXT = [text for _code, text, _easy in standard.PAIRED_LIKERT]
P_VALUE = re.compile(r"\bp [=<] \d")
VERDICT = re.compile(r"^(Likely a real change \(p [=<] [\d.]+\)|Could be chance \(p [=<] [\d.]+\))$|The test gives p")


class Text(HTMLParser):
    """Visible text nodes of a page, and its charts and figures (with whether each holds a proper table)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.nodes, self.figures, self._figure, self._skip = [], [], None, 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "style", "title"):
            self._skip += 1
        if tag == "figure":
            self._figure = {"charts": 0, "tables": 0, "captions": 0, "col": 0, "row": 0, "text": []}
            self.figures.append(self._figure)
        if self._figure is not None:
            if "bar-chart" in (a.get("class") or "").split():
                self._figure["charts"] += 1
            if tag == "table":
                self._figure["tables"] += 1
            if tag == "caption":
                self._figure["captions"] += 1
            if tag == "th" and a.get("scope") in ("col", "row"):
                self._figure[a["scope"]] += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self._skip -= 1
        if tag == "figure":
            self._figure = None

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.nodes.append(data.strip())
            if self._figure is not None:
                self._figure["text"].append(data.strip())


def parse(response):
    parser = Text()
    parser.feed(response.content.decode())
    return parser


def _seed(programme, placements, pre, post):
    rows = ["placement,phase,question,answer"]
    for placement, (before, after) in zip(placements, zip(pre, post, strict=True), strict=False):
        for code, value in before.items():
            rows.append(f"{placement.pk},pre,{code},{value}")
        for code, value in after.items():
            rows.append(f"{placement.pk},post,{code},{value}")
    responses_import_csv(programme=programme, data="\n".join(rows))


@pytest.fixture
def varied(programme_a):
    """Eight paired students: approachability rises for all (likely real), trust moves both ways (could be
    chance), fairness has three pairs (too few), career interest none (no answers); two activities rated."""
    _surveys, placements = make_week(programme_a, students=8, activities=("dogs", "drones"))
    pre = [{"approachability": 2, "trust": 3} for _ in range(8)]
    post = [{"approachability": 4, "trust": 3 + (1 if i % 2 else -1), "activity:dogs": 4} for i in range(8)]
    for i in range(3):
        pre[i]["fairness"], post[i]["fairness"] = 2, 4
    post[0]["activity:drones"] = 5
    for index, placement in enumerate(placements):
        placement.nomination.police_first_choice = index < 5
        placement.nomination.save()
    _seed(programme_a, placements, pre, post)
    return programme_a


def test_report_shows_each_questions_words_and_no_code(client_for, coordinator, varied):
    page = parse(client_for(coordinator).get(f"/surveys/programme/{varied.pk}/report/"))
    text = "\n".join(page.nodes)
    for wording in PAIRED_TEXT:
        assert text.count(wording) >= 3  # chart label, table row, split row
    assert not CODES & set(page.nodes), "a question code is shown on its own"
    assert not re.search(r"\b(career_interest|perception_change|would_recommend|wants_mentor|activity:)", text)
    assert "Activity dogs" in text


def test_every_p_value_has_words_beside_it(client_for, coordinator, varied):
    page = parse(client_for(coordinator).get(f"/surveys/programme/{varied.pk}/report/"))
    with_p = [node for node in page.nodes if P_VALUE.search(node)]
    assert with_p, "the report shows some p values"
    assert all(VERDICT.search(node) for node in with_p), with_p
    text = "\n".join(page.nodes)
    assert "Likely a real change (p = " in text
    assert "Could be chance (p = " in text
    assert "Too few paired answers to tell (3 students)" in text
    assert "No paired answers yet" in text
    assert "How to read this" in text and "Wilcoxon signed-rank" in text
    assert "chose the police first" in text  # the first-choice caveat, since this data has it


def test_every_chart_has_its_numbers_in_a_table(client_for, coordinator, varied, programme_a):
    other = f.ProgrammeFactory(force=programme_a.force, title="Second week")
    _surveys, placements = make_week(other, students=2, activities=())
    _seed(other, placements, [{"trust": 2}, {"trust": 3}], [{"trust": 4}, {"trust": 3}])
    client = client_for(coordinator)
    for url, expected in ((f"/surveys/programme/{varied.pk}/report/", 2), ("/surveys/force/", 1)):
        page = parse(client.get(url))
        charts = [figure for figure in page.figures if figure["charts"]]
        assert len(charts) == expected, url
        for figure in charts:
            assert figure["tables"] == 1 and figure["captions"] == 1
            assert figure["col"] >= 2 and figure["row"] >= 1
    years = parse(client.get("/surveys/force/"))
    legend_and_table = "\n".join(years.figures[0]["text"])
    assert legend_and_table.count("Second week") >= 2  # in the legend under the chart and in the table


def test_the_chart_and_its_table_show_the_same_numbers(client_for, coordinator, varied):
    from surveys.charts import report_charts
    from surveys.report import programme_report
    from surveys.selectors import question_wordings

    page = client_for(coordinator).get(f"/surveys/programme/{varied.pk}/report/").content.decode()
    report = programme_report(varied)
    charts = report_charts(report, question_wordings([varied]))
    for group in charts["likert"]["groups"]:
        for bar in group["bars"]:
            if bar["value"] is not None:
                assert f'<td role="cell" data-label="{bar["series"]}">{bar["value"]}</td>' in page


@pytest.mark.parametrize(
    ("item", "kind"),
    [
        ({"paired_n": 0, "p_value": None, "pre_mean": None, "post_mean": None}, "none"),
        ({"paired_n": TOO_FEW - 1, "p_value": 0.0625, "pre_mean": 2, "post_mean": 4}, "too_few"),
        ({"paired_n": TOO_FEW, "p_value": None, "pre_mean": 3, "post_mean": 3}, "no_change"),
        ({"paired_n": TOO_FEW, "p_value": 0.0312, "pre_mean": 2, "post_mean": 4}, "real"),
        ({"paired_n": 20, "p_value": 0.05, "pre_mean": 2, "post_mean": 2.2}, "chance"),
        ({"paired_n": 20, "p_value": 0.41, "pre_mean": 3, "post_mean": 2.8}, "chance"),
    ],
)
def test_verdicts(item, kind):
    verdict = change_verdict(item)
    assert verdict["kind"] == kind
    if item["p_value"] is not None:
        assert "p = " in verdict["headline"] + verdict["detail"]
    if kind == "real":
        assert "higher" in verdict["detail"] and "treat it with care" in verdict["detail"]
    if item["post_mean"] == 2.8:
        assert "lower" in verdict["detail"]


def test_comparison_names_questions_in_words(client_for, coordinator, varied):
    page = parse(client_for(coordinator).get("/surveys/force/"))
    text = "\n".join(page.nodes)
    for wording in PAIRED_TEXT[:2]:
        assert wording in text
    assert not CODES & set(page.nodes)
    assert all(VERDICT.search(node) for node in page.nodes if P_VALUE.search(node))
