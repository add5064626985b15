"""Demo staff: one login per role, created by load_demo_city and printed by `make demo`."""

from __future__ import annotations

from dataclasses import dataclass

from .roles import Role, role_label

DEMO_PASSWORD = "suido-demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    office_code: str | None = None  # None: a central team
    superuser: bool = False

    @property
    def password(self) -> str:
        return DEMO_PASSWORD

    @property
    def role_label(self) -> str:
        return role_label(self.role)


DEMO_USERS = [
    DemoUser("agent", "김상담", Role.AGENT),
    DemoUser("clerk", "이접수", Role.CLERK, office_code="01"),
    DemoUser("crew", "박현장", Role.CREW, office_code="01"),
    DemoUser("supervisor", "최관리", Role.SUPERVISOR, office_code="01"),
    DemoUser("billing", "정요금", Role.BILLING),
    DemoUser("admin", "한관리자", Role.ADMIN, superuser=True),
]


def logins_table() -> list[str]:
    """The demo logins as lines of text, for the commands that print them."""
    width = max(len(user.username) for user in DEMO_USERS)
    lines = [f"  {'username':<{width}}  {'password':<12}  role"]
    lines += [f"  {user.username:<{width}}  {user.password:<12}  {user.role_label}" for user in DEMO_USERS]
    return lines


def create_demo_users(offices_by_code) -> list:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from .models import User

    # One (deliberately slow) password hash for all six demo users.
    password = make_password(DEMO_PASSWORD)
    created = []
    for spec in DEMO_USERS:
        user, _ = User.objects.update_or_create(
            username=spec.username,
            defaults={
                "full_name": spec.full_name,
                "office": offices_by_code.get(spec.office_code) if spec.office_code else None,
                "is_staff": spec.superuser,
                "is_superuser": spec.superuser,
                "is_active": True,
            },
        )
        user.password = password
        user.save(update_fields=["password"])
        user.groups.set([Group.objects.get(name=spec.role)])
        created.append(user)
    return created
