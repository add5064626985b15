from django.urls import path

from .views import desk, field, intake, public

urlpatterns = [
    # Intake and the request itself (agents, clerks)
    path("desk/intake/", intake.intake, name="intake"),
    path("desk/intake/household/", intake.household_lookup, name="intake-household"),
    path("desk/intake/row/", intake.request_row, name="intake-row"),
    path("desk/intake/done/<str:number>/", intake.intake_done, name="intake-done"),
    path("desk/requests/<str:number>/", intake.request_detail, name="request-detail"),
    path("desk/requests/<str:number>/<str:operation>/", intake.request_operation, name="request-operation"),
    path("households/<int:pk>/requests/", intake.household_requests, name="household-requests"),
    # Queues, dispatch, supervision, Happy Calls (clerks, supervisors, agents)
    path("desk/", desk.queue, name="desk-queue"),
    path("desk/visits/<str:number>/arrange/", desk.arrange, name="visit-arrange"),
    path("desk/board/", desk.board, name="desk-board"),
    path("desk/happy-calls/", desk.happy_calls, name="happy-calls"),
    path("desk/happy-calls/<int:survey_id>/", desk.happy_call, name="happy-call"),
    # Field crew (phone-sized)
    path("field/", field.my_jobs, name="field-jobs"),
    path("field/jobs/", field.my_jobs_list, name="field-jobs-list"),
    path("field/visits/<str:number>/", field.visit, name="field-visit"),
    path("field/visits/<str:number>/<str:operation>/", field.visit_operation, name="field-visit-operation"),
    path("field/photos/<int:photo_id>/", field.photo, name="field-photo"),
    # Citizens, no login: reached by the unguessable link in their notices
    path("s/<str:token>/", public.status, name="request-status"),
    path("survey/<str:token>/", public.survey, name="survey"),
]
