from django.urls import include, path

from .views import bills, household, runs, tariffs

urlpatterns = [
    path("", include("billing.documents.urls")),
    path("billing/tariffs/", tariffs.tariffs, name="tariffs"),
    path("billing/tariffs/versions/<int:pk>/", tariffs.tariff_version, name="tariff-version"),
    path("billing/runs/", runs.runs, name="billing-runs"),
    path("billing/runs/<int:pk>/", runs.run_detail, name="billing-run"),
    path("billing/runs/<int:pk>/progress/", runs.run_progress, name="billing-run-progress"),
    path("billing/bills/<int:pk>/", bills.bill_detail, name="bill"),
    path("households/<int:pk>/billing/", household.household_billing, name="household-billing"),
]
