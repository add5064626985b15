"""Auto-debit (자동납부): mandates, the banks' debit-request files and their result files.

- ``banks``: the bank codes we accept and the result codes the banks send back (one table each);
- ``mandates``: enrolment, cancellation, a logged reveal of the bank account (household operations);
- ``requests``: the debit-request file for a collection date (출금 요청);
- ``results``: importing the bank's result file (출금 결과): payments for the debits, notices for the failures.

Nothing is imported here: the models import ``events`` from this package while they load.
"""
