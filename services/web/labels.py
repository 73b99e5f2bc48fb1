"""Words for statuses, steps, deadlines and report types. Message ids are English; the
Indonesian catalogue gives the statuses in LAPOR!'s own words (shared.statuses.LABELS_ID, checked
by a unit test)."""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks a message id for extraction; translated where it is shown."""
    return message


STATUS = {
    "received": N_("Waiting for verification"),
    "assigned": N_("Forwarded, not yet followed up"),
    "in_progress": N_("Forwarded, being processed"),
    "resolved": N_("Forwarded, done"),
    "closed": N_("Closed"),
    "postponed": N_("On hold"),
    "archived": N_("Archived"),
}
ACTION = {
    "submitted": N_("Report received"),
    "assigned": N_("Forwarded to the agency"),
    "verify": N_("Verified and forwarded to the agency"),
    "forward": N_("Forwarded to a unit"),
    "bounce": N_("Returned to the coordinator: not this agency's authority"),
    "respond": N_("The agency answered"),
    "resolve": N_("The agency marked it done"),
    "postpone": N_("The agency needs more information from you"),
    "archive": N_("Archived"),
    "merge": N_("Merged with a report about the same matter"),
    "close": N_("Closed"),
    "reporter_replied": N_("You replied"),
    "reopened": N_("You reopened the report"),
    "auto_closed": N_("Closed automatically: no reply after it was done"),
    "urgency_raised": N_("Marked urgent by the coordinator"),
    "urgency_lowered": N_("Urgency lowered by the coordinator"),
}
STAGE = {
    "verification": N_("Verification by the coordinator"),
    "first_follow_up": N_("First follow-up by the agency"),
    "answer": N_("Answer to you"),
    "resolution": N_("Resolution"),
    "auto_close": N_("Closing if you do not reply"),
}
TYPE = {
    "complaint": N_("Complaint"),
    "aspiration": N_("Aspiration"),
    "information_request": N_("Information request"),
}
ROLE = {
    "coordinator": N_("Coordinator"),
    "officer": N_("Agency officer"),
    "oversight": N_("Oversight"),
}
STEP = {
    "verify": N_("Verify and forward"),
    "forward": N_("Forward to a unit"),
    "bounce": N_("Not our authority"),
    "respond": N_("Respond"),
    "resolve": N_("Mark as done"),
    "postpone": N_("Ask the reporter"),
    "archive": N_("Archive"),
    "merge": N_("Merge into another case"),
    "close": N_("Close"),
    "urgency": N_("Urgency changed"),
}
CHANNEL = {
    "web": N_("Web"),
    "sms": N_("SMS"),
    "app": N_("App"),
    "integrator": N_("Regional apps"),
    "open311": N_("Open311"),
}
CONTACT = {
    "officer": N_("Liaison officer"),
    "head": N_("Head of the agency"),
    "coordinator": N_("Coordinator"),
    "oversight": N_("Oversight"),
}
# the same clocks as staff read them
STAGE_STAFF = {
    **STAGE,
    "answer": N_("Answer to the reporter"),
    "auto_close": N_("Closing if the reporter does not reply"),
}
