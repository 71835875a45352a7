import factory
from allauth.account.models import EmailAddress

from {{ cookiecutter.project_slug }}.accounts.models import User
from {{ cookiecutter.project_slug }}.organizations.models import Membership, Organization, Role

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)


class VerifiedUserFactory(UserFactory):
    """A user who has confirmed their email address, so allauth lets them sign in."""

    email_address = factory.RelatedFactory(
        "tests.factories.EmailAddressFactory", factory_related_name="user", verified=True, primary=True
    )


class EmailAddressFactory(factory.django.DjangoModelFactory[EmailAddress]):
    class Meta:
        model = EmailAddress

    user = factory.SubFactory(UserFactory)
    email = factory.SelfAttribute("user.email")


class OrganizationFactory(factory.django.DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(VerifiedUserFactory)
    role = Role.MEMBER
