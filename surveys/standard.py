"""The standard questionnaires every force starts with. Codes are stable: reports compare years by them."""

LIKERT = "likert"
YES_NO = "yes_no"
CHOICE = "choice"
TEXT = "text"

ACTIVITY_PREFIX = "activity:"
OUTCOME_PREFIX = "outcome:"

# A learning outcome's rating question, plain and easy-read ({activity}, {outcome}: the outcome's own words).
OUTCOME_TEXT = "After “{activity}”, how well can you now: {outcome}?"
OUTCOME_EASY = "After “{activity}”, can you: {outcome}?"

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
AGREE_LABELS = ["Strongly disagree", "Disagree", "Not sure", "Agree", "Strongly agree"]
AGREE_EASY = ["No, not at all", "No", "Not sure", "Yes", "Yes, a lot"]
RATING_LABELS = ["Not at all", "A little", "Some", "A lot", "A great deal"]
RATING_EASY = ["I did not like it", "Not much", "It was OK", "I liked it", "I loved it"]
OUTCOME_LABELS = ["Not at all", "A little", "Quite well", "Well", "Very well"]
OUTCOME_EASY_LABELS = ["No", "A little", "Some of it", "Yes", "Yes, easily"]


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
