from django.urls import path

from . import views

urlpatterns = [
    path("proactive/statistics/", views.statistics, name="proactive-statistics"),
]
