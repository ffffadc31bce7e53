import factory

from orgs import services
from orgs.models import OrgKind, OrgUnit, User, UserRole
from qingdan.actors import SYSTEM

PASSWORD = "Qd-test-2026"


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = OrgKind.ENTERPRISE
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.save_unit(unit=model_class(*args, **kwargs), actor=SYSTEM)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    org_unit = factory.SubFactory(OrgUnitFactory)
    phone = "13812345678"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.save()
        for role in extracted or ():
            UserRole.objects.create(user=self, role=role)
