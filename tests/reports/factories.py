import factory

from reports.models import PracticeReport
from tests import factories as f


class PracticeReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PracticeReport

    programme = factory.SubFactory(f.ProgrammeFactory)
    aims = "Build trust."
