"""Collection console: payments."""

urlpatterns: list = []
