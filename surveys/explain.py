"""Plain words beside the impact report's figures, for coordinators rather than statisticians.

The figures come from report.py unchanged; this only says what each one means.
"""

from .report import SMALL_SAMPLE

# With fewer than six students the two-sided signed-rank test cannot reach p < 0.05 even when every
# one of them moved the same way (the smallest p there is for five pairs is 0.0625), so a p for so few
# says nothing either way.
TOO_FEW = 6
LIKELY_REAL = 0.05


def format_p(p_value):
    """'p = 0.031', or 'p < 0.001' for the very small."""
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.2g}"


def students(n):
    return f"{n} student{'' if n == 1 else 's'}"


def change_verdict(item):
    """What a paired before/after result means: {kind, short, headline, detail} in words.

    `item` is one of the report's questions (pre_mean, post_mean, paired_n, p_value).
    """
    n, p_value = item["paired_n"], item["p_value"]
    if not n:
        return {
            "kind": "none",
            "short": "No answers yet",
            "headline": "No paired answers yet",
            "detail": "Nobody has answered this question both before and after the week.",
        }
    if n < TOO_FEW:
        detail = f"Only {students(n)} answered both before and after; at least {TOO_FEW} are needed to tell."
        if p_value is not None:
            detail += f" The test gives {format_p(p_value)}, which means little with so few."
        return {
            "kind": "too_few",
            "short": "Too few to tell",
            "headline": f"Too few paired answers to tell ({students(n)})",
            "detail": detail,
        }
    if p_value is None:
        return {
            "kind": "no_change",
            "short": "No change",
            "headline": "No change to test",
            "detail": f"Each of the {students(n)} gave the same answer before and after.",
        }
    direction = (
        "higher"
        if item["post_mean"] > item["pre_mean"]
        else "lower"
        if item["post_mean"] < item["pre_mean"]
        else "about the same"
    )
    caution = f" Only {students(n)} answered both, so treat it with care." if n < SMALL_SAMPLE else ""
    if p_value < LIKELY_REAL:
        return {
            "kind": "real",
            "short": "Likely real",
            "headline": f"Likely a real change ({format_p(p_value)})",
            "detail": f"Students rated this {direction} after the week; a change this big would rarely happen "
            f"by chance.{caution}",
        }
    return {
        "kind": "chance",
        "short": "Could be chance",
        "headline": f"Could be chance ({format_p(p_value)})",
        "detail": f"Students rated this {direction} after the week, but a change this size could happen by "
        f"chance with {students(n)}.{caution}",
    }


def with_verdicts(questions, wordings):
    """The report's questions, each with its wording and its verdict, for a template."""
    return [{**item, "text": wordings.get(item["code"], ""), "verdict": change_verdict(item)} for item in questions]
