import factory

from sso.models import ForceSignOn, SignOnIdentity
from tests import factories as f


class ForceSignOnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ForceSignOn
        skip_postgeneration_save = True

    force = factory.SubFactory(f.ForceFactory)
    issuer = "https://login.example.invalid/tenant/v2.0"
    client_id = factory.Sequence(lambda n: f"client-{n}")
    allowed_domains = factory.LazyAttribute(lambda o: f"{o.force.slug}.police.uk")

    @factory.post_generation
    def secret(obj, create, extracted, **kwargs):
        obj.set_client_secret(extracted or "a-client-secret-for-tests")
        if create:
            obj.save()


class SignOnIdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignOnIdentity

    sign_on = factory.SubFactory(ForceSignOnFactory)
    subject = factory.Sequence(lambda n: f"subject-{n}")
    user = factory.SubFactory(f.UserFactory)
