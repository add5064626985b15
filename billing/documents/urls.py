from django.urls import path

from . import views

urlpatterns = [
    path("bills/<int:pk>/pdf/", views.bill_pdf_view, name="bill-pdf"),
    path("billing/runs/<int:pk>/print-batches/", views.print_batch_build, name="print-batch-build"),
    path("billing/print-batches/<int:pk>/<str:name>", views.print_batch_file, name="print-batch-file"),
]
