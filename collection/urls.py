"""Collection's console pages, one views module per part of the work (each defines its urlpatterns)."""

from django.urls import include, path

urlpatterns = [
    path("", include("collection.views.payments")),  # deposit files, suspense queue, card/online callbacks
    path("", include("collection.views.cashier")),  # the counter: take a payment, the receipt
    path("", include("collection.views.ledger")),  # the household's ledger, refunds, arrears reports
    path("", include("collection.views.autodebit")),  # mandates, request and result files
    path("", include("collection.views.dunning")),  # late fees, dunning worklist, arrangements, reconnection
]
