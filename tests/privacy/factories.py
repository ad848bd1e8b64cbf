import factory

from privacy.models import Erasure, ForceNotice, RetentionPolicy
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


class ForceNoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ForceNotice

    force = factory.SubFactory(f.ForceFactory)
