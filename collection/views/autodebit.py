"""Collection console: autodebit."""

urlpatterns: list = []
