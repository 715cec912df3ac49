from flask import Blueprint, render_template

bp = Blueprint("goals", __name__)


@bp.get("/goals")
def index():
    return render_template("dev_days/placeholder.html")
