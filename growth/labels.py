"""Stored values and the words people read for them (translated when shown)."""

from flask_babel import lazy_gettext as _l

# Each language is named in its own words, whatever the page's language.
LANGUAGE_NAMES = {"en": "English", "es": "Español"}

ROLES = {
    "agent": _l("Agent"),
    "lead": _l("Lead"),
    "hr": _l("HR"),
    "admin": _l("Admin"),
}

LEAVE_REASONS = {
    "voluntary": _l("Voluntary"),
    "involuntary": _l("Involuntary"),
    "other": _l("Other"),
}

ACTIVITY_KINDS = {
    "docs": _l("Writing or updating documentation"),
    "coding": _l("Coding or learning to code"),
    "tickets": _l("Reading colleagues' tickets"),
    "product": _l("Catching up on product changes"),
    "learning": _l("Courses, talks, books and articles"),
    "writing": _l("Blog post or tutorial"),
    "roleplay": _l("Role-play practice"),
    "other": _l("Other"),
}

SKIP_REASONS = {
    "away": _l("Away (holiday, sickness or leave)"),
    "workload": _l("The queue took the day"),
    "other": _l("Other"),
}

RATINGS = {
    1: _l("Rough"),
    2: _l("Fine"),
    3: _l("Better than fine"),
    4: _l("Amazing"),
}

REVIEW_ASPECTS = {
    "empathy": _l("Validated the customer's feeling"),
    "understanding": _l("Restated the problem before solving it"),
    "tone": _l("Tone"),
    "accuracy": _l("Accuracy"),
    "clarity": _l("Clarity"),
}

PRACTICE_PARTS = {
    "customer": _l("Customer"),
    "agent": _l("Agent"),
    "observer": _l("Observer"),
}

GOAL_STATUSES = {
    "open": _l("Open"),
    "achieved": _l("Achieved"),
    "partly": _l("Partly achieved"),
    "missed": _l("Missed"),
    "dropped": _l("Dropped"),
}

REVIEW_STATUSES = {
    "draft": _l("Draft"),
    "shared": _l("Shared"),
    "acknowledged": _l("Acknowledged"),
}

# A review's stage (models.ReviewStage), in the order a review moves through them.
REVIEW_STAGES = {
    "not_opened": _l("Not opened"),
    "self_in_progress": _l("Self-assessment in progress"),
    "self_submitted": _l("Self-assessment submitted"),
    "lead_drafting": _l("Lead drafting"),
    "shared": _l("Shared"),
    "acknowledged": _l("Acknowledged"),
}

DAY_STATUSES = {
    "planned": _l("Planned"),
    "logged": _l("Logged"),
    "skipped": _l("Skipped"),
}

# Audit events as people read them; the stored names stay as they are (filters, exports).
AUDIT_ACTIONS = {
    "sign_in": _l("Signed in"),
    "sign_in_failed": _l("Sign-in refused"),
    "sign_in_throttled": _l("Sign-in attempts paused"),
    "sign_out": _l("Signed out"),
    "password_changed": _l("Password changed"),
    "password_change_failed": _l("Wrong current password"),
    "password_change_throttled": _l("Password change attempts paused"),
    "password_reset": _l("Password reset by an admin"),
    "set_password_link_created": _l("Set-password link made"),
    "password_set_by_link": _l("Password set with a link"),
    "account_updated": _l("Own account changed"),
    "authz_denied": _l("Access refused"),
    "user_created": _l("Person added"),
    "user_updated": _l("Person changed"),
    "user_deactivated": _l("Person deactivated"),
    "user_reactivated": _l("Person reactivated"),
    "role_changed": _l("Role changed"),
    "team_changed": _l("Moved to another team"),
    "employment_updated": _l("Employment record changed"),
    "team_created": _l("Team created"),
    "team_updated": _l("Team changed"),
    "team_lead_changed": _l("Team lead changed"),
    "coverage_limit_changed": _l("Coverage limit changed"),
    "cycle_created": _l("Review cycle created"),
    "review_opened": _l("Review opened"),
    "self_assessment_submitted": _l("Self-assessment submitted"),
    "review_shared": _l("Review shared"),
    "review_acknowledged": _l("Review acknowledged"),
    "one_on_one_recorded": _l("One-on-one recorded"),
    "own_data_export": _l("Own data downloaded"),
    "hr_export_retention": _l("Retention by team downloaded"),
    "hr_export_employees": _l("Figures per person downloaded"),
    "reminders_sent": _l("Reminders sent"),
    "reminders_unsubscribed": _l("Reminders turned off"),
    "calendar_feed_made": _l("Calendar link made"),
    "calendar_feed_revoked": _l("Calendar link turned off"),
    "calendar_feed_read": _l("Calendar read"),
    "calendar_feed_refused": _l("Calendar link refused"),
}

# The kinds of object an audit event names (people and teams are named by their name).
AUDIT_OBJECTS = {
    "user": _l("Person"),
    "team": _l("Team"),
    "review": _l("Review"),
    "reviewcycle": _l("Review cycle"),
    "oneonone": _l("One-on-one"),
}


def init_app(app):
    app.jinja_env.globals.update(
        ROLES=ROLES, LEAVE_REASONS=LEAVE_REASONS, ACTIVITY_KINDS=ACTIVITY_KINDS,
        SKIP_REASONS=SKIP_REASONS, RATINGS=RATINGS, GOAL_STATUSES=GOAL_STATUSES,
        REVIEW_STATUSES=REVIEW_STATUSES, REVIEW_STAGES=REVIEW_STAGES, DAY_STATUSES=DAY_STATUSES,
        LANGUAGE_NAMES=LANGUAGE_NAMES, REVIEW_ASPECTS=REVIEW_ASPECTS,
        PRACTICE_PARTS=PRACTICE_PARTS, AUDIT_ACTIONS=AUDIT_ACTIONS, AUDIT_OBJECTS=AUDIT_OBJECTS,
    )
