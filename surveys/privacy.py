"""What surveys hold about a student: invitations (link, draft), responses and answers."""

from __future__ import annotations

import secrets

from core.personal_data import Erasing, PersonalData, random_hash, registry

from .models import Answer, Invitation, Question, Response


class SurveyPersonalData(PersonalData):
    order = 30
    holds = ("surveys.invitation", "surveys.response", "surveys.answer")
    # Scores are kept for the reports; free text and drafts are what may name the student.
    personal = {"surveys.invitation": ("draft",)}

    def rows(self, nomination) -> dict[str, list]:
        placement = getattr(nomination, "placement", None)
        if placement is None:
            return {}
        return {
            "survey_invitations": list(Invitation.objects.filter(placement=placement)),
            "survey_responses": list(Response.objects.filter(invitation__placement=placement)),
            "survey_answers": list(
                Answer.objects.filter(response__invitation__placement=placement).select_related("question")
            ),
        }

    def export_item(self, key: str, obj, item: dict) -> None:
        if key == "survey_answers":
            item["fields"]["question_code"] = obj.question.code
            item["fields"]["question_text"] = obj.question.text

    def erase(self, erasing: Erasing) -> dict[str, int]:
        placement = getattr(erasing.nomination, "placement", None)
        if placement is None:
            return {}
        counts = {}
        counts["survey_text_answers"] = (
            Answer.objects.filter(response__invitation__placement=placement, question__kind=Question.Kind.TEXT)
            .exclude(value_text="")
            .update(value_text="")
        )
        invitations = list(Invitation.objects.filter(placement=placement))
        for invitation in invitations:
            invitation.draft = {}
            invitation.token_salt = secrets.token_hex(16)
            invitation.token_hash = random_hash()
            invitation.short_code_hash = random_hash()  # the short code dies with the link
            invitation.save(update_fields=["draft", "token_salt", "token_hash", "short_code_hash"])
        counts["survey_invitations"] = len(invitations)
        return counts

    def erase_free_text(self, *, programme_ids: list[int]) -> int:
        """Free-text answers and drafts of these programmes (scores are kept)."""
        answers = Answer.objects.filter(
            question__survey__programme_id__in=programme_ids, question__kind=Question.Kind.TEXT
        ).exclude(value_text="")
        drafts = Invitation.objects.filter(survey__programme_id__in=programme_ids).exclude(draft={})
        erased = answers.update(value_text="")
        drafts.update(draft={})
        return erased


def register() -> None:
    registry.register(SurveyPersonalData())
