"""The field crew's phone pages, through the test client, as the personas who use them."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEvent
from servicedesk import actions
from servicedesk.choices import Channel, LinkKind, RequestStatus, SurveyStatus, VisitStatus
from servicedesk.models import ServiceRequest, Survey, Visit, VisitPhoto

from .conftest import make_crew

KST = dt.timezone(dt.timedelta(hours=9))
# A 1×1 PNG: what a phone's camera would send, only smaller.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
HTMX = {"HTTP_HX_REQUEST": "true"}


def at(*args):
    return dt.datetime(*args, tzinfo=KST)


def take(types, premise, *codes, agent, appointment=None, note="", descriptions=None):
    details = {"supply_inconvenience": {"symptom": "low_pressure"}, "emergency_leak": {"where": "마당"}}
    drafts = [
        actions.RequestDraft(
            type=types[code],
            description=(descriptions or {}).get(code, f"{code} problem"),
            details=details.get(code, {}),
        )
        for code in codes
    ]
    return actions.take_requests(
        drafts,
        channel=Channel.PHONE,
        contact=actions.Contact(name="홍길동", phone="010-1234-5678"),
        premise=premise,
        acting_user=agent,
        appointment=appointment,
        appointment_note=note,
    )


@pytest.fixture(autouse=True)
def _memory_sms(settings, tmp_path):
    settings.SMS_BACKEND = "core.notify.backends.MemorySMSBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def visit(agent, types, household, leak_crew):
    """A leak diagnosis at the household, this afternoon, with the leak detector."""
    return take(
        types,
        household,
        "leak_diagnosis",
        agent=agent,
        appointment=(at(2026, 11, 23, 14), at(2026, 11, 23, 15)),
        note="경비실에 말하고 들어오세요",
        descriptions={"leak_diagnosis": "계량기가 혼자 돌아가요, 싱크대 밑이 젖어 있음"},
    ).visit


def op(visit, operation):
    return reverse("field-visit-operation", args=[visit.number, operation])


class TestMyJobs:
    def test_todays_visits_in_appointment_order_overdue_first_later_apart(
        self, en, agent, types, city, leak_crew, plumbing_crew, time_machine
    ):
        late = take(
            types,
            city.premise(),
            "leak_diagnosis",
            agent=agent,
            appointment=(at(2026, 11, 24, 16), at(2026, 11, 24, 17)),
        ).visit
        early = take(
            types,
            city.premise(),
            "leak_diagnosis",
            agent=agent,
            appointment=(at(2026, 11, 24, 9), at(2026, 11, 24, 10)),
        ).visit
        compound = take(
            types,
            city.premise(),
            "emergency_leak",
            "leak_diagnosis",
            agent=agent,
            appointment=(at(2026, 11, 24, 13), at(2026, 11, 24, 14)),
        ).visit
        yesterday = take(
            types,
            city.premise(),
            "leak_diagnosis",
            agent=agent,
            appointment=(at(2026, 11, 23, 15), at(2026, 11, 23, 16)),
        ).visit
        thursday = take(
            types,
            city.premise(),
            "leak_diagnosis",
            agent=agent,
            appointment=(at(2026, 11, 26, 9), at(2026, 11, 26, 10)),
        ).visit
        time_machine.move_to(at(2026, 11, 24, 8, 0))  # Tuesday morning
        en.force_login(leak_crew)
        page = en.get(reverse("field-jobs")).content.decode()
        assert "My jobs today" in page
        order = [page.index(v.number) for v in (yesterday, early, compound, late, thursday)]
        assert order == sorted(order)
        assert "Earlier, not finished" in page and "Later this week" in page
        # The crew needs the whole address, the window and what was said.
        assert early.premise.address_line in page and "09:00–10:00" in page
        assert "leak_diagnosis problem" in page
        card = page[page.index(compound.number) : page.index(late.number)]
        assert "Emergency" in card and "Compound: 2 requests" in card

    def test_a_newly_arranged_visit_appears_in_the_polled_list(
        self, en, agent, clerk, types, household, leak_crew
    ):
        visit = take(types, household, "leak_diagnosis", agent=agent).visit
        en.force_login(leak_crew)
        page = en.get(reverse("field-jobs")).content.decode()
        assert f'hx-get="{reverse("field-jobs-list")}"' in page and "every 20s" in page
        before = en.get(reverse("field-jobs-list"), **HTMX).content.decode()
        assert visit.number not in before and "<html" not in before
        actions.arrange_visit(
            visit, start=at(2026, 11, 23, 16), end=at(2026, 11, 23, 17), crew=[leak_crew], acting_user=clerk
        )
        after = en.get(reverse("field-jobs-list"), **HTMX).content.decode()
        assert visit.number in after and "16:00–17:00" in after

    def test_only_ones_own_visits(self, en, visit, plumbing_crew):
        en.force_login(plumbing_crew)
        assert visit.number not in en.get(reverse("field-jobs")).content.decode()

    def test_the_list_is_bounded_in_queries(
        self, en, agent, types, city, leak_crew, plumbing_crew, django_assert_max_num_queries
    ):
        for hour in range(11, 17):
            take(
                types,
                city.premise(),
                "emergency_leak",
                "leak_diagnosis",
                agent=agent,
                appointment=(at(2026, 11, 23, hour), at(2026, 11, 23, hour, 45)),
            )
        en.force_login(leak_crew)
        # Session, user, permissions, the visits, their requests: not one per card.
        with django_assert_max_num_queries(8):
            response = en.get(reverse("field-jobs-list"))
        assert response.content.decode().count('class="job ') == 6

    def test_denied_without_the_field_role(self, client, outsider, agent):
        for user in (outsider, agent):
            client.force_login(user)
            assert client.get(reverse("field-jobs")).status_code == 403
            assert client.get(reverse("field-jobs-list")).status_code == 403

    def test_an_expired_session_sends_the_whole_page_to_the_login(self, client):
        response = client.get(reverse("field-jobs-list"), **HTMX)
        assert response["HX-Redirect"].startswith(reverse("login"))


class TestVisitPage:
    def test_what_the_crew_needs_before_arriving(self, en, visit, leak_crew, types, agent, household, clerk):
        # An earlier complaint at this address, already resolved.
        (old,) = take(types, household, "water_quality", agent=agent).requests
        Visit.objects.filter(pk=old.visit_id).update(status=VisitStatus.CANCELLED)  # tested by phone instead
        actions.complete_request(old, resolution="수질 검사 결과 적합", acting_user=clerk)
        en.force_login(leak_crew)
        page = en.get(reverse("field-visit", args=[visit.number])).content.decode()
        assert household.address_line in page
        assert "14:00–15:00" in page and "경비실에 말하고 들어오세요" in page
        assert "계량기가 혼자 돌아가요" in page
        # Past complaints at this address, with their result.
        history = page[page.index("Past complaints at this address") :]
        assert "Water-quality test" in history and "수질 검사 결과 적합" in history
        # The contact is masked until revealed.
        assert "홍*동" in page and "010-****-5678" in page
        assert "홍길동" not in page and "1234-5678" not in page
        assert "Reveal to call" in page

    def test_another_crew_member_is_refused(self, client, visit, plumbing_crew, outsider):
        for user in (plumbing_crew, outsider):
            client.force_login(user)
            assert client.get(reverse("field-visit", args=[visit.number])).status_code == 403
            assert client.post(op(visit, "start")).status_code == 403
        visit.refresh_from_db()
        assert visit.status == VisitStatus.PLANNED

    def test_dispatch_may_look(self, client, visit, supervisor):
        client.force_login(supervisor)
        assert client.get(reverse("field-visit", args=[visit.number])).status_code == 200

    def test_unknown_visit_and_operation(self, client, visit, leak_crew):
        client.force_login(leak_crew)
        assert client.get(reverse("field-visit", args=["W26-999999"])).status_code == 404
        assert client.post(op(visit, "explode")).status_code == 404
        assert client.get(op(visit, "start")).status_code == 405

    def test_reveal_to_call_is_logged(self, en, visit, leak_crew, household):
        en.force_login(leak_crew)
        request = visit.requests.get()
        response = en.post(op(visit, "reveal"), {"request": request.pk}, **HTMX)
        body = response.content.decode()
        assert "홍길동" in body and 'href="tel:+821012345678"' in body
        event = AuditEvent.objects.get(action="customer.personal_data_revealed")
        assert event.household_id == household.pk and event.details["why"] == "field_visit"
        assert event.actor == leak_crew


class TestWorkingTheVisit:
    def test_arrive_record_photograph_find_and_complete(self, en, visit, leak_crew, types):
        en.force_login(leak_crew)
        # Arrived.
        response = en.post(op(visit, "start"), follow=True)
        assert "Arrival recorded" in response.content.decode()
        visit.refresh_from_db()
        assert visit.status == VisitStatus.ON_SITE and visit.started_at is not None

        # Findings saved without leaving the page.
        response = en.post(
            op(visit, "findings"), {"findings": "싱크대 밑 배관 누수", "work_done": ""}, **HTMX
        )
        assert response.status_code == 200 and "Saved at" in response.content.decode()
        visit.refresh_from_db()
        assert visit.findings == "싱크대 밑 배관 누수"

        # A photo; then something that is not one.
        photo = SimpleUploadedFile("leak.png", PNG, content_type="image/png")
        response = en.post(op(visit, "photo"), {"image": photo, "caption": "배관"}, **HTMX)
        shot = VisitPhoto.objects.get(visit=visit)
        assert reverse("field-photo", args=[shot.pk]) in response.content.decode()
        text = SimpleUploadedFile("notes.png", b"just some text", content_type="image/png")
        response = en.post(op(visit, "photo"), {"image": text}, **HTMX)
        assert "Only JPEG, PNG, WebP or HEIC photos can be attached." in response.content.decode()
        assert VisitPhoto.objects.filter(visit=visit).count() == 1

        # Another problem, handed to the meter team.
        response = en.post(
            op(visit, "found"),
            {"type": types["meter_replacement"].pk, "description": "계량기 유리 파손"},
            **HTMX,
        )
        handed = ServiceRequest.objects.get(type=types["meter_replacement"])
        assert handed.parent.visit == visit and handed.link_kind == LinkKind.FOUND_ON_SITE
        assert handed.visit != visit and handed.status == RequestStatus.RECEIVED
        body = response.content.decode()
        assert handed.number in body and "Handed to" in body and handed.office.display_name in body

        # And one fixed on the spot.
        response = en.post(
            op(visit, "found"),
            {
                "type": types["indoor_piping"].pk,
                "description": "싱크대 이음새 누수",
                "resolved_on_site": "on",
                "resolution": "이음새 교체",
            },
            **HTMX,
        )
        fixed = ServiceRequest.objects.get(type=types["indoor_piping"])
        assert fixed.status == RequestStatus.COMPLETED and fixed.visit == visit
        assert fixed.number in response.content.decode()

        # Complete: the requests close, the Happy Call is scheduled.
        original = visit.requests.get(type=types["leak_diagnosis"])
        response = en.post(
            op(visit, "complete"),
            {
                "findings": "싱크대 밑 배관 누수",
                "work_done": "배관 교체, 누수 멈춤",
                f"resolution_{original.pk}": "누수 수리 완료",
            },
            follow=True,
        )
        assert response.redirect_chain[-1][0] == reverse("field-jobs")
        assert "completed; the Happy Call is scheduled" in response.content.decode()
        visit.refresh_from_db()
        original.refresh_from_db()
        assert visit.status == VisitStatus.COMPLETED
        assert original.status == RequestStatus.COMPLETED and original.resolution == "누수 수리 완료"
        assert Survey.objects.get(request=original).status == SurveyStatus.SCHEDULED

    def test_completing_needs_the_work_done(self, en, visit, leak_crew):
        en.force_login(leak_crew)
        response = en.post(op(visit, "complete"), {"findings": "확인", "work_done": " "})
        assert response.status_code == 200
        assert "Say what was done; the citizen will read it." in response.content.decode()
        visit.refresh_from_db()
        assert visit.status == VisitStatus.PLANNED and not Survey.objects.exists()

    def test_fixed_on_the_spot_needs_what_was_done(self, en, visit, leak_crew, types):
        en.force_login(leak_crew)
        response = en.post(
            op(visit, "found"),
            {"type": types["indoor_piping"].pk, "description": "이음새", "resolved_on_site": "on"},
            **HTMX,
        )
        assert "Say what was fixed on the spot." in response.content.decode()
        assert not ServiceRequest.objects.filter(channel=Channel.FIELD).exists()

    def test_a_found_problem_asks_its_kinds_questions(self, en, visit, leak_crew, types):
        en.force_login(leak_crew)
        supply = types["supply_inconvenience"]
        # Choosing the kind re-draws the form with its questions, keeping what was typed; nothing saved.
        response = en.post(
            op(visit, "found-questions"), {"type": supply.pk, "description": "수압 약함"}, **HTMX
        )
        body = response.content.decode()
        assert 'name="detail_symptom"' in body and "수압 약함" in body and " open" in body
        assert not ServiceRequest.objects.filter(channel=Channel.FIELD).exists()
        # Sent without the required answer: refused beside the question, nothing half-written.
        response = en.post(op(visit, "found"), {"type": supply.pk, "description": "수압 약함"}, **HTMX)
        assert "Symptom is required for Supply inconvenience (no or low water)." in response.content.decode()
        assert not ServiceRequest.objects.filter(channel=Channel.FIELD).exists()
        response = en.post(
            op(visit, "found"),
            {"type": supply.pk, "description": "수압 약함", "detail_symptom": "low_pressure"},
            **HTMX,
        )
        handed = ServiceRequest.objects.get(channel=Channel.FIELD)
        assert handed.type == supply and handed.details == {"symptom": "low_pressure"}
        assert handed.number in response.content.decode()

    def test_a_completed_visit_is_read_only(self, en, visit, leak_crew):
        actions.complete_visit(visit, findings="", work_done="수리", acting_user=leak_crew)
        en.force_login(leak_crew)
        page = en.get(reverse("field-visit", args=[visit.number])).content.decode()
        assert "Work recorded" in page and "I have arrived" not in page and "Add photo" not in page


class TestPhotos:
    @pytest.fixture
    def shot(self, visit, leak_crew):
        upload = SimpleUploadedFile("evil.html", PNG, content_type="text/html")
        return actions.add_photo(visit, upload=upload, acting_user=leak_crew)

    def test_the_crew_sees_the_photo_as_an_image(self, client, shot, leak_crew):
        client.force_login(leak_crew)
        response = client.get(reverse("field-photo", args=[shot.pk]))
        assert response.status_code == 200
        # The type comes from the bytes, not the uploaded name.
        assert response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content) == PNG

    def test_never_to_an_outsider_nor_to_the_public(self, client, shot, outsider):
        response = client.get(reverse("field-photo", args=[shot.pk]))
        assert response.status_code == 302 and reverse("login") in response["Location"]
        client.force_login(outsider)
        assert client.get(reverse("field-photo", args=[shot.pk])).status_code == 403

    def test_a_field_worker_outside_the_crew_without_household_access_is_refused(
        self, client, shot, django_user_model, city
    ):
        from django.contrib.auth.models import Permission

        worker = django_user_model.objects.create_user(username="temp", password="pw", office=city.office)
        worker.user_permissions.add(Permission.objects.get(codename="work_visit"))
        client.force_login(worker)
        assert client.get(reverse("field-photo", args=[shot.pk])).status_code == 403

    def test_a_second_crew_member_works_the_same_visit(
        self, client, agent, types, household, django_user_model, city
    ):
        leak = make_crew(django_user_model, city, "leak2", "leak")
        pipe = make_crew(django_user_model, city, "pipe2", "plumbing")
        visit = take(
            types,
            household,
            "leak_diagnosis",
            "supply_inconvenience",
            agent=agent,
            appointment=(at(2026, 11, 23, 14), at(2026, 11, 23, 15)),
        ).visit
        assert set(visit.crew.all()) == {leak, pipe}
        client.force_login(pipe)
        assert client.get(reverse("field-visit", args=[visit.number])).status_code == 200
        assert Visit.objects.filter(crew=pipe).count() == 1
