"""The billing console: tariffs, billing runs, bills and their corrections, the household's bills.

Views parse, authorise, call an action (billing.actions) and render.
"""

VIEW_BILLS = "billing.view_bill"
VIEW_TARIFFS = "billing.view_tariff"
VIEW_RUNS = "billing.view_billingrun"
RUN_BILLING = "billing.run_billing"
PAGE_SIZE = 50
