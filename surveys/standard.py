"""The standard questionnaires every force starts with. Codes are stable: reports compare years by them."""

from django.utils.translation import gettext_lazy as _

LIKERT = "likert"
YES_NO = "yes_no"
CHOICE = "choice"
TEXT = "text"

ACTIVITY_PREFIX = "activity:"
OUTCOME_PREFIX = "outcome:"

# A learning outcome's rating question, plain and easy-read ({activity}, {outcome}: the outcome's own words).
OUTCOME_TEXT = "After “{activity}”, how well can you now: {outcome}?"
OUTCOME_EASY = "After “{activity}”, can you: {outcome}?"
# The same in Welsh (drafted, awaiting review by a Welsh speaker); the activity and outcome stay in the
# coordinator's own words, as the activity ratings' do.
OUTCOME_TEXT_CY = "Ar ôl “{activity}”, pa mor dda allwch chi nawr: {outcome}?"
OUTCOME_EASY_CY = "Ar ôl “{activity}”, alli di: {outcome}?"

# Likert questions asked before and after, so a change can be measured.
PAIRED_LIKERT = [
    (
        "approachability",
        "The police are approachable: I would feel comfortable talking to a police officer.",
        "I could talk to a police officer.",
    ),
    ("trust", "I trust the police to do the right thing.", "I trust the police."),
    ("fairness", "The police treat people fairly.", "The police are fair to people."),
    (
        "career_interest",
        "I would consider a career in the police.",
        "I might like to work for the police one day.",
    ),
]

# (code, kind, text, easy-read text, choices, required, per_activity)
PRE = [
    *((code, LIKERT, text, easy, [], True, False) for code, text, easy in PAIRED_LIKERT),
    (
        "hopes",
        TEXT,
        "What are you hoping to find out this week?",
        "What do you want to find out this week?",
        [],
        False,
        False,
    ),
]

POST = [
    *((code, LIKERT, text, easy, [], True, False) for code, text, easy in PAIRED_LIKERT),
    (
        "perception_change",
        CHOICE,
        "Has the week changed what you think of the police?",
        "After this week, what do you think of the police?",
        [["better", "Better than before"], ["same", "The same as before"], ["worse", "Worse than before"]],
        True,
        False,
    ),
    (
        "would_recommend",
        YES_NO,
        "Would you recommend this week to a friend?",
        "Would you tell a friend to do this week?",
        [],
        True,
        False,
    ),
    (
        "wants_mentor",
        YES_NO,
        "Would you like a career mentor from the police after the week?",
        "Would you like a police helper to talk to about jobs?",
        [],
        True,
        False,
    ),
    (
        "activity",
        LIKERT,
        "How much did you get out of: {activity}?",
        "Did you like: {activity}?",
        [],
        False,
        True,
    ),
    (
        "comments",
        TEXT,
        "Is there anything else you would like to tell us about the week?",
        "Anything else you want to tell us?",
        [],
        False,
        False,
    ),
]

TITLES = {
    "pre": ("Before your police work-experience week", "A few questions about what you think of the police now."),
    "post": ("After your police work-experience week", "A few questions about the week and what you think now."),
}

# Labels for the five points of a Likert scale, plain and easy-read; activity ratings use their own words.
# Translated when shown (Welsh in locale/cy); the stored answer is the number, whatever the language.
AGREE_LABELS = [_("Strongly disagree"), _("Disagree"), _("Not sure"), _("Agree"), _("Strongly agree")]
AGREE_EASY = [_("No, not at all"), _("No"), _("Not sure"), _("Yes"), _("Yes, a lot")]
RATING_LABELS = [_("Not at all"), _("A little"), _("Some"), _("A lot"), _("A great deal")]
RATING_EASY = [_("I did not like it"), _("Not much"), _("It was OK"), _("I liked it"), _("I loved it")]
OUTCOME_LABELS = [_("Not at all"), _("A little"), _("Quite well"), _("Well"), _("Very well")]
OUTCOME_EASY_LABELS = [_("No"), _("A little"), _("Some of it"), _("Yes"), _("Yes, easily")]


def is_per_activity(code):
    """Asked only of students whose syndicate attended the activity: its rating and its outcomes' ratings."""
    return code.startswith((ACTIVITY_PREFIX, OUTCOME_PREFIX))


def outcome_activity_slug(code):
    """The activity's short name in an outcome rating's code (outcome:<slug>:<outcome id>)."""
    return code[len(OUTCOME_PREFIX) :].rsplit(":", 1)[0]


def scale_labels(code, *, easy_read):
    if code.startswith(OUTCOME_PREFIX):
        return OUTCOME_EASY_LABELS if easy_read else OUTCOME_LABELS
    if code.startswith(ACTIVITY_PREFIX):
        return RATING_EASY if easy_read else RATING_LABELS
    return AGREE_EASY if easy_read else AGREE_LABELS


# The standard questions' Welsh words, by the same codes: drafted, awaiting review by a Welsh speaker
# (see README, "Welsh"). A force edits them like the English words; answers in either language share
# the question and its code, so reports count them together.
# code: (text, easy-read text, {choice code: label})
WELSH = {
    "approachability": (
        "Mae'n hawdd mynd at yr heddlu: byddwn i'n teimlo'n gyfforddus yn siarad â swyddog heddlu.",
        "Gallwn i siarad â swyddog heddlu.",
        {},
    ),
    "trust": ("Rwy'n ymddiried yn yr heddlu i wneud y peth iawn.", "Rwy'n ymddiried yn yr heddlu.", {}),
    "fairness": ("Mae'r heddlu'n trin pobl yn deg.", "Mae'r heddlu'n deg â phobl.", {}),
    "career_interest": (
        "Byddwn i'n ystyried gyrfa yn yr heddlu.",
        "Efallai yr hoffwn i weithio i'r heddlu ryw ddiwrnod.",
        {},
    ),
    "hopes": (
        "Beth ydych chi'n gobeithio ei ddysgu yr wythnos hon?",
        "Beth wyt ti eisiau ei ddysgu yr wythnos hon?",
        {},
    ),
    "perception_change": (
        "Ydy'r wythnos wedi newid beth rydych chi'n ei feddwl am yr heddlu?",
        "Ar ôl yr wythnos hon, beth wyt ti'n ei feddwl am yr heddlu?",
        {"better": "Gwell nag o'r blaen", "same": "Yr un fath ag o'r blaen", "worse": "Gwaeth nag o'r blaen"},
    ),
    "would_recommend": (
        "Fyddech chi'n argymell yr wythnos hon i ffrind?",
        "Fyddet ti'n dweud wrth ffrind am wneud yr wythnos hon?",
        {},
    ),
    "wants_mentor": (
        "Hoffech chi gael mentor gyrfa o'r heddlu ar ôl yr wythnos?",
        "Hoffet ti gael helpwr o'r heddlu i siarad am swyddi?",
        {},
    ),
    "activity": ("Faint gawsoch chi allan o: {activity}?", "Wnest ti fwynhau: {activity}?", {}),
    "comments": (
        "Oes unrhyw beth arall yr hoffech chi ei ddweud wrthym am yr wythnos?",
        "Unrhyw beth arall rwyt ti eisiau ei ddweud wrthym?",
        {},
    ),
}

TITLES_CY = {
    "pre": (
        "Cyn eich wythnos profiad gwaith gyda'r heddlu",
        "Ychydig o gwestiynau am beth rydych chi'n ei feddwl am yr heddlu nawr.",
    ),
    "post": (
        "Ar ôl eich wythnos profiad gwaith gyda'r heddlu",
        "Ychydig o gwestiynau am yr wythnos a beth rydych chi'n ei feddwl nawr.",
    ),
}


def welsh_words(code, choices):
    """(text_cy, easy_read_text_cy, choices_cy) for a standard question code; empty for any other."""
    text, easy, labels = WELSH.get(code, ("", "", {}))
    return text, easy, [[choice, labels[choice]] for choice, _label in choices if choice in labels]
