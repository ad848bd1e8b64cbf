import factory

from privacy.models import Erasure, RetentionPolicy
from tests import factories as f


class RetentionPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RetentionPolicy

    force = factory.SubFactory(f.ForceFactory)


class ErasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Erasure

    nomination = factory.SubFactory(f.NominationFactory)
    reason = Erasure.Reason.REQUEST
