import factory

from surveys.models import SurveyTemplate, TemplateQuestion
from tests.factories import ForceFactory


class SurveyTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyTemplate
        django_get_or_create = ["force", "phase"]

    force = factory.SubFactory(ForceFactory)
    phase = "pre"
    title = "Before the week"


class TemplateQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TemplateQuestion

    template = factory.SubFactory(SurveyTemplateFactory)
    code = factory.Sequence(lambda n: f"code_{n}")
    kind = "likert"
    text = "The police are approachable."
