"""How proactive care's audit events read in the household timeline."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.audit import ActionText, register_actions

from .choices import EventKind, PrecallOutcome, Suppression
from .wording import finding_sentence

UNUSUAL_USE_ALERTED = "proactive.unusual_use_alerted"
UNUSUAL_USE_SUPPRESSED = "proactive.unusual_use_suppressed"
PRECALL_RECORDED = "proactive.precall_recorded"
LEAK_FINDING_RECORDED = "proactive.leak_finding_recorded"
EVENT_DECLARED = "proactive.event_declared"
EVENT_WITHDRAWN = "proactive.event_withdrawn"
RESIDENTS_REGISTERED = "proactive.residents_registered"
FLOWS_IMPORTED = "proactive.flows_imported"

ACTIONS = {
    UNUSUAL_USE_ALERTED: ActionText(_("Unusual use found"), lambda d: _describe_detection(d)),
    UNUSUAL_USE_SUPPRESSED: ActionText(_("Unusual use explained"), lambda d: _describe_detection(d)),
    PRECALL_RECORDED: ActionText(
        _("Pre-call made"), _("Pre-call on request %(number)s: %(precall_outcome)s. %(note)s")
    ),
    LEAK_FINDING_RECORDED: ActionText(_("Leak diagnosis recorded"), lambda d: _describe_finding(d)),
    EVENT_DECLARED: ActionText(
        _("Event declared"),
        _(
            "The household of account %(account)s declared %(event_kind)s from %(starts_on)s to %(ends_on)s. %(note)s"
        ),
    ),
    EVENT_WITHDRAWN: ActionText(
        _("Declared event withdrawn"),
        _("%(event_kind)s from %(starts_on)s to %(ends_on)s withdrawn (account %(account)s)."),
    ),
    RESIDENTS_REGISTERED: ActionText(
        _("Residents registered"),
        _("%(residents)s resident(s) on account %(account)s from %(effective_from)s. %(reason)s"),
    ),
    FLOWS_IMPORTED: ActionText(
        _("Hourly flows imported"),
        _(
            "Hourly flow file %(file)s: %(accepted)s hours accepted, %(already)s already on record, "
            "%(rejected)s rejected."
        ),
    ),
}


def _describe_detection(details) -> str:
    found = finding_sentence(
        details.get("detection_kind", ""),
        details.get("read_on", ""),
        float(details.get("use") or 0),
        float(details["usual"]) if details.get("usual") not in (None, "", "—") else None,
        float(details["ratio"]) if details.get("ratio") not in (None, "") else None,
    )
    if details.get("suppression"):
        return gettext("Account %(account)s: %(found)s Not alerted: %(suppression)s %(note)s") % {
            **details,
            "found": found,
        }
    return gettext("Account %(account)s: %(found)s Proactive request %(number)s opened for a pre-call.") % {
        **details,
        "found": found,
    }


def _describe_finding(details) -> str:
    if details.get("leak_found") and details.get("repaired_on"):
        found = gettext("a leak was found and repaired on %(repaired_on)s") % details
    elif details.get("leak_found"):
        found = gettext("a leak was found, not yet repaired")
    else:
        found = gettext("no leak was found")
    return gettext("Leak diagnosis on request %(number)s: %(found)s. %(note)s") % {**details, "found": found}


register_actions(
    ACTIONS,
    {
        "suppression": Suppression,
        "precall_outcome": PrecallOutcome,
        "event_kind": EventKind,
    },
)
