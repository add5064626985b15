"""Collection console: ledger."""

urlpatterns: list = []
