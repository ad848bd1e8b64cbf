import secrets

from django.db import models
from django.db.models import Q

from core.languages import welsh_active


class WelshWordsMixin:
    """The words a student reads, in Welsh when Welsh is active and the Welsh words are there, else English.

    Answers are stored against the question (and so its code) whichever words were shown, so a
    report counts answers given in Welsh and in English together.
    """

    def shown_title(self, language=None):
        return self.title_cy if welsh_active(language) and self.title_cy else self.title

    def shown_intro(self, language=None):
        return self.intro_cy if welsh_active(language) and self.title_cy else self.intro


class WelshQuestionMixin:
    def shown_text(self, *, easy_read=False, language=None):
        if welsh_active(language) and self.text_cy:
            return (self.easy_read_text_cy or self.text_cy) if easy_read else self.text_cy
        return (self.easy_read_text or self.text) if easy_read else self.text

    def shown_choices(self, language=None):
        """[(code, label)] in the shown language; a Welsh label missing for a code keeps the English one."""
        welsh = {str(code): label for code, label in self.choices_cy} if welsh_active(language) else {}
        return [(str(code), welsh.get(str(code)) or str(label)) for code, label in self.choices]


def new_token_salt():
    return secrets.token_hex(16)


class Survey(WelshWordsMixin, models.Model):
    """A programme's questionnaire, before (pre) or after (post) the week."""

    class Phase(models.TextChoices):
        PRE = "pre", "Before the programme"
        POST = "post", "After the programme"

    programme = models.ForeignKey("placements.Programme", on_delete=models.CASCADE, related_name="surveys")
    phase = models.CharField(max_length=10, choices=Phase.choices)
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True)
    title_cy = models.CharField("title in Welsh", max_length=200, blank=True)
    intro_cy = models.TextField("introduction in Welsh", blank=True)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["programme", "phase"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "phase"], name="survey_one_per_phase"),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_opens",
            ),
        ]

    def __str__(self):
        return self.title


class Question(WelshQuestionMixin, models.Model):
    """One question; `code` is stable across programmes so years can be compared."""

    class Kind(models.TextChoices):
        LIKERT = "likert", "Scale of 1 to 5"
        YES_NO = "yes_no", "Yes or no"
        CHOICE = "choice", "Single choice"
        TEXT = "text", "Free text"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.CharField(max_length=300)
    easy_read_text = models.CharField(max_length=300, blank=True)
    text_cy = models.CharField("text in Welsh", max_length=300, blank=True)
    easy_read_text_cy = models.CharField("easy-read text in Welsh", max_length=300, blank=True)
    choices = models.JSONField(default=list, blank=True, help_text='For single choice: [["code", "label"], …].')
    choices_cy = models.JSONField(default=list, blank=True, help_text="The same choices' labels in Welsh.")
    order = models.PositiveSmallIntegerField(default=0)
    required = models.BooleanField(default=True)
    # An outcome rating (code outcome:<activity slug>:<outcome id>) is asked only of students whose syndicate
    # attended the outcome's activity; the question keeps the words, so it reads the same if the outcome goes.
    learning_outcome = models.ForeignKey(
        "placements.LearningOutcome", null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )

    class Meta:
        ordering = ["survey", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="question_unique_code_per_survey")]

    def __str__(self):
        return self.code


class Invitation(models.Model):
    """One placement's invitation to one survey; of its link token and its short code only hashes are stored."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    placement = models.ForeignKey("placements.Placement", on_delete=models.CASCADE, related_name="survey_invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    short_code_hash = models.CharField(
        max_length=64,
        unique=True,
        editable=False,
        help_text="Keyed hash of the code typed in if the QR cannot be scanned; the code is made from the salt.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    token_salt = models.CharField(
        max_length=32, default=new_token_salt, editable=False, help_text="Random; the link token is derived from it."
    )
    draft = models.JSONField(
        default=dict, blank=True, help_text="Answers kept while the student has not submitted yet (by question code)."
    )
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "placement"], name="invitation_one_per_placement_survey"),
            models.CheckConstraint(condition=Q(reminders_sent__lte=2), name="invitation_at_most_two_reminders"),
        ]

    def __str__(self):
        return f"{self.survey} → placement {self.placement_id}"


class Response(models.Model):
    """A submitted questionnaire, online or typed in from paper."""

    class Source(models.TextChoices):
        ONLINE = "online", "Online"
        PAPER = "paper", "Paper"

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ONLINE)
    submitted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Response to {self.invitation}"


class Answer(models.Model):
    """One answer. Likert 1–5 and yes (1) / no (0) go in `value_int`; choices and text in `value_text`."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value_int = models.SmallIntegerField(null=True, blank=True)
    value_text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_one_per_question"),
            models.CheckConstraint(
                condition=Q(value_int__isnull=True) | Q(value_int__gte=0, value_int__lte=5), name="answer_value_range"
            ),
        ]
        indexes = [models.Index(fields=["question", "value_int"])]

    def __str__(self):
        return f"{self.question.code}={self.value_int if self.value_int is not None else self.value_text}"


class SurveyTemplate(WelshWordsMixin, models.Model):
    """A force's standard questionnaire for one phase, copied into each new programme."""

    force = models.ForeignKey("placements.Force", on_delete=models.CASCADE, related_name="survey_templates")
    phase = models.CharField(max_length=10, choices=Survey.Phase.choices)
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True)
    title_cy = models.CharField("title in Welsh", max_length=200, blank=True)
    intro_cy = models.TextField("introduction in Welsh", blank=True)

    class Meta:
        ordering = ["force", "phase"]
        constraints = [models.UniqueConstraint(fields=["force", "phase"], name="survey_template_one_per_phase")]

    def __str__(self):
        return f"{self.title} ({self.force})"


class TemplateQuestion(WelshQuestionMixin, models.Model):
    """A question of a standard template; its `code` is what makes programmes comparable."""

    template = models.ForeignKey(SurveyTemplate, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Question.Kind.choices)
    text = models.CharField(max_length=300)
    easy_read_text = models.CharField(max_length=300, blank=True)
    text_cy = models.CharField("text in Welsh", max_length=300, blank=True)
    easy_read_text_cy = models.CharField("easy-read text in Welsh", max_length=300, blank=True)
    choices = models.JSONField(default=list, blank=True)
    choices_cy = models.JSONField(default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    required = models.BooleanField(default=True)
    per_activity = models.BooleanField(
        default=False,
        help_text="Asked once per activity the student's syndicate attended; code becomes activity:<slug>.",
    )

    class Meta:
        ordering = ["template", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="template_question_unique_code"),
        ]

    def __str__(self):
        return self.code
