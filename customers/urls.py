from django.urls import path
from django.views.generic import RedirectView

from . import views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="search"), name="home"),
    path("search/", views.search, name="search"),
    path("premises/new/", views.RegisterPremiseView.as_view(), name="premise-new"),
    path("premises/lookup/", views.premise_lookup, name="premise-lookup"),
    path("households/<int:pk>/", views.household, name="household"),
    path("households/<int:pk>/timeline/", views.timeline, name="household-timeline"),
    path("households/<int:pk>/start/", views.StartServiceView.as_view(), name="start-service"),
    path("households/<int:pk>/households/", views.HouseholdCountView.as_view(), name="household-count"),
    path("households/<int:pk>/meter/", views.ReplaceMeterView.as_view(), name="replace-meter"),
    path("households/<int:pk>/customers/<int:customer_id>/reveal/", views.reveal, name="reveal"),
    path(
        "households/<int:pk>/customers/<int:customer_id>/edit/",
        views.EditCustomerView.as_view(),
        name="edit-customer",
    ),
    path(
        "households/<int:pk>/accounts/<int:account_id>/stop/",
        views.StopServiceView.as_view(),
        name="stop-service",
    ),
    path("households/<int:pk>/accounts/<int:account_id>/move/", views.MoveView.as_view(), name="move"),
    path(
        "households/<int:pk>/accounts/<int:account_id>/transfer/",
        views.TransferView.as_view(),
        name="transfer",
    ),
    path(
        "households/<int:pk>/accounts/<int:account_id>/suspend/", views.SuspendView.as_view(), name="suspend"
    ),
    path("households/<int:pk>/accounts/<int:account_id>/resume/", views.ResumeView.as_view(), name="resume"),
    path("customers/<str:number>/", views.customer_redirect, name="customer"),
]
