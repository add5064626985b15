from django.urls import path

from . import views

urlpatterns = [
    path("readings/import/", views.import_file, name="reading-import-file"),
    path("readings/imports/<int:pk>/", views.import_detail, name="reading-import"),
    path("readings/imports/<int:pk>/rejections.csv", views.rejection_report, name="reading-rejections"),
    path("readings/exceptions/", views.exceptions, name="reading-exceptions"),
    path("readings/exceptions/<int:pk>/", views.exception_detail, name="reading-exception"),
]
