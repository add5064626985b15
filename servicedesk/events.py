"""How the service desk's audit events read in the household timeline."""

from django.utils.translation import gettext_lazy as _

from core.audit import ActionText, register_actions

from .choices import Channel, LinkKind, RequestStatus

REQUEST_RECEIVED = "request.received"
REQUEST_ASSIGNED = "request.assigned"
REQUEST_PAUSED = "request.paused"
REQUEST_RESUMED = "request.resumed"
REQUEST_COMPLETED = "request.completed"
REQUEST_CANCELLED = "request.cancelled"
REQUEST_DELAY_NOTICED = "request.delay_noticed"
REQUEST_ESCALATED = "request.escalated"
REQUEST_CONTACT_REVEALED = "request.contact_revealed"
VISIT_ARRANGED = "visit.arranged"
VISIT_STARTED = "visit.started"
VISIT_COMPLETED = "visit.completed"
SURVEY_ANSWERED = "survey.answered"

ACTIONS = {
    REQUEST_RECEIVED: ActionText(
        _("Request received"), _("Request %(number)s (%(type)s) received by %(channel)s.")
    ),
    REQUEST_ASSIGNED: ActionText(_("Request assigned"), _("Request %(number)s assigned to %(owner)s.")),
    REQUEST_PAUSED: ActionText(
        _("Waiting for the citizen"), _("Request %(number)s waits for the citizen: %(reason)s")
    ),
    REQUEST_RESUMED: ActionText(_("Request resumed"), _("Request %(number)s resumed; now due %(due)s.")),
    REQUEST_COMPLETED: ActionText(_("Request completed"), _("Request %(number)s completed: %(resolution)s")),
    REQUEST_CANCELLED: ActionText(_("Request cancelled"), _("Request %(number)s cancelled: %(reason)s")),
    REQUEST_DELAY_NOTICED: ActionText(
        _("Delay announced"), _("The citizen was told request %(number)s will take longer: %(reason)s")
    ),
    REQUEST_ESCALATED: ActionText(
        _("Request escalated"), _("Request %(number)s is overdue and was escalated to the supervisor.")
    ),
    REQUEST_CONTACT_REVEALED: ActionText(
        _("Request contact revealed"), _("The contact of request %(number)s was revealed: %(why)s.")
    ),
    VISIT_ARRANGED: ActionText(
        _("Visit arranged"), _("Visit %(number)s arranged for %(appointment)s with %(crew)s.")
    ),
    VISIT_STARTED: ActionText(_("Crew on site"), _("Crew arrived for visit %(number)s.")),
    VISIT_COMPLETED: ActionText(_("Visit completed"), _("Visit %(number)s completed: %(work_done)s")),
    SURVEY_ANSWERED: ActionText(
        _("Happy Call answered"), _("Survey on request %(number)s answered: %(verdict)s.")
    ),
}

register_actions(ACTIONS, {"channel": Channel, "link_kind": LinkKind, "status": RequestStatus})
