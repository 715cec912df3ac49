from flask import Blueprint, render_template

from ..permissions import can_use_hr, guard

bp = Blueprint("hr", __name__, url_prefix="/hr")
bp.before_request(guard(can_use_hr))


@bp.get("")
def dashboard():
    return render_template("dev_days/placeholder.html")
