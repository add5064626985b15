"""Late fees, dunning, protection, payment arrangements, disconnection and reconnection (docs/collection.md).

Modules: ``config`` (the ordinance's settings, checked at start-up), ``fees`` (가산금),
``stages`` (reminder, disconnection notice, disconnection order), ``arrangements`` (분납),
``protection``, ``reconnection`` (단수해제), ``run`` (the daily job), ``notices`` (SMS / e-mail),
``letters`` (the PDF letters), ``panels`` (what the worklist and the household page show).
"""
