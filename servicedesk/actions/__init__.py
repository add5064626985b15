"""Service-desk operations: one function per business operation (DESIGN.md §5)."""

from .contact import RequestContact, reveal_request_contact
from .dispatch import arrange_visit, assign_request, choose_crew
from .field import add_photo, complete_visit, record_findings, report_found_problem, start_visit
from .intake import Contact, Intake, RequestDraft, clean_details, take_requests
from .lifecycle import (
    announce_delay,
    cancel_request,
    complete_request,
    on_live_visit,
    pause_request,
    resume_request,
)
from .survey import Answers, answer_survey, record_no_answer
from .sweeps import escalate_overdue, warn_of_delays

__all__ = [
    "Answers",
    "Contact",
    "Intake",
    "RequestContact",
    "RequestDraft",
    "add_photo",
    "announce_delay",
    "answer_survey",
    "arrange_visit",
    "assign_request",
    "cancel_request",
    "choose_crew",
    "clean_details",
    "complete_request",
    "complete_visit",
    "escalate_overdue",
    "on_live_visit",
    "pause_request",
    "record_findings",
    "record_no_answer",
    "report_found_problem",
    "resume_request",
    "reveal_request_contact",
    "start_visit",
    "take_requests",
    "warn_of_delays",
]
