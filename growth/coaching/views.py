from flask import Blueprint, render_template

from ..permissions import can_lead, guard

bp = Blueprint("coaching", __name__)
team_bp = None


@bp.get("/one-on-ones")
def my_coaching():
    return render_template("dev_days/placeholder.html")


@bp.get("/team")
def team():
    guard(can_lead)()
    return render_template("dev_days/placeholder.html")
