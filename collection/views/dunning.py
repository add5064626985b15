"""Collection console: dunning."""

urlpatterns: list = []
