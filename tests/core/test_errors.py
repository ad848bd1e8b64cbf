"""Every app's refusal is one shape: a user message, the field it concerns and an HTTP status."""

import pytest

from certificates.services import CertificateError
from core.errors import DomainError
from mentoring.services import MentoringError
from placements.planning import PlanningError
from privacy.services import RetentionError
from schools.forms import CsvError
from schools.services import NominationImportError, SchoolsError
from surveys.services import SurveyError


@pytest.mark.parametrize(
    "error", [CertificateError, MentoringError, PlanningError, CsvError, RetentionError, SchoolsError, SurveyError]
)
def test_each_apps_error_is_a_domain_error_with_message_field_and_status(error):
    exc = error("Choose a date.")
    assert isinstance(exc, DomainError)
    assert (str(exc), exc.message, exc.field, exc.status) == ("Choose a date.", "Choose a date.", None, 400)


def test_constructors_keep_their_own_arguments():
    assert (SchoolsError("Taken.", field="email", status=409).field, SchoolsError("Taken.", status=409).status) == (
        "email",
        409,
    )
    assert SurveyError("Nothing was imported.", [(2, "q1", "Too long")]).errors == [(2, "q1", "Too long")]
    assert NominationImportError([(1, "name", "Missing")]).message == "1 problems; nothing was saved."
