from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField
from wtforms.validators import NumberRange, Optional

from ..forms import VersionedForm
from .service import LIMIT_MAX


class LimitForm(VersionedForm):
    team_id = HiddenField()
    max_off_per_day = IntegerField(
        _l("People off on the same weekday"), validators=[Optional(), NumberRange(1, LIMIT_MAX)],
        description=_l("Leave it empty for no limit."))

    def team_number(self) -> int | None:
        try:
            return int(self.team_id.data)
        except (TypeError, ValueError):
            return None
