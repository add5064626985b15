"""Collection console: cashier."""

urlpatterns: list = []
