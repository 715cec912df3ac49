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


def init_app(app):
    app.jinja_env.globals.update(
        ROLES=ROLES, LEAVE_REASONS=LEAVE_REASONS, ACTIVITY_KINDS=ACTIVITY_KINDS,
        SKIP_REASONS=SKIP_REASONS, RATINGS=RATINGS, GOAL_STATUSES=GOAL_STATUSES,
        REVIEW_STATUSES=REVIEW_STATUSES, REVIEW_STAGES=REVIEW_STAGES, DAY_STATUSES=DAY_STATUSES,
        LANGUAGE_NAMES=LANGUAGE_NAMES, REVIEW_ASPECTS=REVIEW_ASPECTS,
        PRACTICE_PARTS=PRACTICE_PARTS,
    )
