import factory

from {{ cookiecutter.project_slug }}.projects.models import Project, name_search_key

from tests.factories import OrganizationFactory


class ProjectFactory(factory.django.DjangoModelFactory[Project]):
    class Meta:
        model = Project

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Project {n}")
    name_search = factory.LazyAttribute(lambda project: name_search_key(project.name))
