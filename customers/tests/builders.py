"""Small builders for registry tests, going through the real actions."""

from __future__ import annotations

import datetime as dt
import itertools

from customers import actions
from customers.models import BillingCycle, Premise, ReadingRoute
from staff.models import BranchOffice, District

_serials = itertools.count(1)
_numbers = itertools.count(1)


class CityBuilder:
    def __init__(self, office, district, route):
        self.office = office
        self.district = district
        self.route = route

    @classmethod
    def create(cls) -> CityBuilder:
        office = BranchOffice.objects.create(
            code="01", name="중부수도사업소", name_en="Jungbu Waterworks Office"
        )
        district = District.objects.create(
            code="11110", office=office, name="종로구", name_en="Jongno-gu", city="서울특별시"
        )
        cycle = BillingCycle.objects.create(code="01", read_day=5)
        route = ReadingRoute.objects.create(code="01-001", office=office, cycle=cycle)
        return cls(office, district, route)

    def premise(
        self,
        *,
        road="세종대로",
        number=None,
        unit="",
        households=1,
        meter=True,
        dials=4,
        installed_on=dt.date(2020, 1, 1),
        install_reading=0,
        building_use="detached",
        building_name="",
    ) -> Premise:
        premise = actions.register_premise(
            actions.PremiseDetails(
                district=self.district,
                road_name=road,
                building_main=number or next(_numbers),
                unit=unit,
                postcode="03172",
                building_use=building_use,
                route=self.route,
                building_name=building_name,
            ),
            households=households,
            on=installed_on,
            acting_user=None,
        )
        if meter:
            actions.replace_meter(
                premise,
                on=installed_on,
                new_meter=actions.MeterSpec(serial=f"T-{next(_serials):06d}", diameter_mm=15, dials=dials),
                install_reading=install_reading,
                acting_user=None,
            )
        return premise

    def account(
        self,
        premise=None,
        *,
        name="홍길동",
        phone="010-1234-5678",
        on=dt.date(2021, 3, 1),
        reading=None,
        use_type="domestic",
        **customer,
    ):
        from customers.actions.common import current_installation
        from metering.readings import last_reading

        premise = premise or self.premise()
        if reading is None:
            installation = current_installation(premise)
            last = last_reading(installation.meter)
            reading = last.value if last else 0
        return actions.start_service(
            premise=premise,
            customer=actions.CustomerDetails(name=name, phone=phone, **customer),
            use_type=use_type,
            on=on,
            start_reading=reading,
            acting_user=None,
        )
