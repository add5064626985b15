from django.urls import path

from . import views

urlpatterns = [
    path("proactive/", views.cases, name="proactive-cases"),
    path("proactive/cases/<int:pk>/", views.case_detail, name="proactive-case"),
    path("proactive/detections/", views.detections, name="proactive-detections"),
    path("proactive/statistics/", views.statistics, name="proactive-statistics"),
    path("readings/flows/import/", views.flow_import_file, name="flow-import-file"),
    path("readings/flows/imports/<int:pk>/", views.flow_import_detail, name="flow-import"),
    path(
        "readings/flows/imports/<int:pk>/rejections.csv", views.flow_rejection_report, name="flow-rejections"
    ),
    path("households/<int:pk>/proactive/", views.household_panel, name="household-proactive"),
    path(
        "households/<int:pk>/accounts/<int:account_id>/declare-event/",
        views.DeclareEventView.as_view(),
        name="declare-event",
    ),
    path(
        "households/<int:pk>/accounts/<int:account_id>/residents/",
        views.ResidentsView.as_view(),
        name="register-residents",
    ),
    path(
        "households/<int:pk>/declared-events/<int:event_id>/withdraw/",
        views.withdraw_event,
        name="withdraw-event",
    ),
]
