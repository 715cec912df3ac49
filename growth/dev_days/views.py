from flask import Blueprint, render_template

bp = Blueprint("dev_days", __name__)


@bp.get("/")
def current_week():
    return render_template("dev_days/placeholder.html")


@bp.get("/history")
def history():
    return render_template("dev_days/placeholder.html")


@bp.get("/me/export.csv")
def export_csv():
    return render_template("dev_days/placeholder.html")


@bp.get("/me/export.json")
def export_json():
    return render_template("dev_days/placeholder.html")
