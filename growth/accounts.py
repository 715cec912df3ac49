"""Rules about accounts that hold whoever changes them: the admin, HR, or the people import."""

from datetime import date

from flask_babel import gettext as _

from .db import is_sqlite
from .models import Role, User


class LastAdminError(ValueError):
    """The change would leave no admin who can sign in."""


def staying_admins(today: date | None = None):
    """Admins who can sign in and have no leaving date: the ones who keep Growth managed.
    Locked on PostgreSQL (call inside `write_transaction()`; SQLite's BEGIN IMMEDIATE already
    serialises writers), so two changes made together can't each leave the other admin."""
    today = today or date.today()
    query = (User.select(User.id).where(User.role == Role.ADMIN.value,
                                        User.active == True,  # noqa: E712
                                        User.left_on.is_null())
             .order_by(User.id))
    return query if is_sqlite() else query.for_update()


def refuse_losing_the_last_admin(person: User, *, role: str, active: bool,
                                 left_on: date | None) -> None:
    """Raise LastAdminError when `person` is the only staying admin and would stop being an
    admin, be deactivated, or get a leaving date."""
    staying = person.role == Role.ADMIN and person.active and person.left_on is None
    still = role == Role.ADMIN and active and left_on is None
    if not staying or still:
        return
    if [row.id for row in staying_admins()] == [person.id]:
        raise LastAdminError(_("%(name)s is the only admin: make someone else an admin first.",
                               name=person.name))
