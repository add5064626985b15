from django.urls import path

from . import views

urlpatterns = [
    path("proactive/", views.cases, name="proactive-cases"),
    path("proactive/cases/<int:pk>/", views.case_detail, name="proactive-case"),
    path("proactive/statistics/", views.statistics, name="proactive-statistics"),
]
