"""Collection's console views; collection/urls.py includes each module's urlpatterns."""
