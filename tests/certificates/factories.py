import hashlib

import factory

from certificates.models import IssueJob, SerialCounter, StudentLink
from tests import factories as f


class SerialCounterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SerialCounter

    force = factory.SubFactory(f.ForceFactory)
    last_serial = 0


class IssueJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IssueJob

    programme = factory.SubFactory(f.ProgrammeFactory)
    status = IssueJob.Status.DONE


class StudentLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudentLink

    placement = factory.SubFactory(f.PlacementFactory)
    token_hash = factory.Sequence(lambda n: hashlib.sha256(f"certificate-link-{n}".encode()).hexdigest())
