import factory

from tests.factories import OrganizationFactory
from tests.testapp.models import Widget


class WidgetFactory(factory.django.DjangoModelFactory[Widget]):
    class Meta:
        model = Widget

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Widget {n}")
