"""How auto-debit's audit events read. Details never hold a bank account or a name in clear."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.audit import ActionText, register_actions

from ..choices import MandateEndReason, PayerRelation
from .banks import result_text

MANDATE_ENROLLED = "autodebit.enrolled"
MANDATE_ENDED = "autodebit.ended"
MANDATE_REVEALED = "autodebit.revealed"
DEBIT_FAILED = "autodebit.debit_failed"
REQUESTS_MADE = "autodebit.requests_made"
REQUESTS_WITHDRAWN = "autodebit.requests_withdrawn"
REQUEST_FILE_DOWNLOADED = "autodebit.request_file_downloaded"


def _enrolled(details) -> str:
    sentence = (
        gettext(
            "Account %(account)s pays by auto-debit from %(bank)s %(bank_account)s (holder %(holder)s, %(payer_relation)s) "
            "for bills due from %(starts_on)s."
        )
        % details
    )
    if details.get("replaces"):
        sentence += " " + gettext("It replaces the mandate on %(replaces)s.") % details
    if details.get("moved_from"):
        sentence += " " + gettext("The mandate moved along from account %(moved_from)s.") % details
    return sentence


def _ended(details) -> str:
    sentence = (
        gettext(
            "Auto-debit of account %(account)s from %(bank)s %(bank_account)s ends on %(ended_on)s: %(end_reason)s."
        )
        % details
    )
    if details.get("result_code"):
        sentence += " " + gettext("(The bank answered a debit with code %(result_code)s.)") % details
    return sentence


def _failed(details) -> str:
    code = details.get("result_code", "")
    result = result_text(code, details.get("bank_message", ""))  # in the reader's language for known codes
    return gettext(
        "The auto-debit of %(amount)s won for account %(account)s (bill due %(due_on)s, request %(reference)s) "
        "failed: %(result)s. The bill stays owed."
    ) % {**details, "result": f"{code} {result}"}


ACTIONS = {
    MANDATE_ENROLLED: ActionText(_("Auto-debit enrolled"), _enrolled),
    MANDATE_ENDED: ActionText(_("Auto-debit ended"), _ended),
    MANDATE_REVEALED: ActionText(
        _("Bank account revealed"),
        _("The bank account of account %(account)s's auto-debit mandate was revealed: %(why)s."),
    ),
    DEBIT_FAILED: ActionText(_("Auto-debit failed"), _failed),
    REQUESTS_MADE: ActionText(
        _("Debit requests made"),
        _("Debit-request file for %(collect_on)s: %(count)s requests, %(amount)s won."),
    ),
    REQUESTS_WITHDRAWN: ActionText(
        _("Debit requests withdrawn"),
        _("The debit-request file for %(collect_on)s (%(count)s requests, %(amount)s won) was withdrawn."),
    ),
    REQUEST_FILE_DOWNLOADED: ActionText(
        _("Debit-request file downloaded"),
        _("The debit-request file for %(collect_on)s was downloaded (%(count)s bank accounts in clear)."),
    ),
}

register_actions(ACTIONS, {"end_reason": MandateEndReason, "payer_relation": PayerRelation})
