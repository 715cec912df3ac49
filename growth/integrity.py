"""One-time form keys and row versions: a double submit makes one row, a stale edit
answers 409 instead of silently replacing someone else's save."""

from peewee import IntegrityError, Model


class StaleEdit(Exception):
    """The row was saved by someone else since the form was loaded; `row` is what is saved
    now (None: the row is gone)."""

    def __init__(self, row: Model | None):
        super().__init__(row.id if row is not None else None)
        self.row = row


def earlier_submission(model, submission: str | None, **owner):
    """The row an earlier post of the same form made: same key, same person (`owner` names
    the column that says whose it is). None when there is no key or no such row."""
    if not submission:
        return None
    query = model.select().where(model.submission == submission)
    for name, value in owner.items():
        query = query.where(getattr(model, name) == value)
    return query.first()


def created_once(model, submission: str | None, create, **owner):
    """Run `create()` (a transaction that stores `submission` on its new row) once per key:
    a repeat of the same form returns the row the first post made. An IntegrityError that is
    not about the key is raised again for the caller to explain."""
    earlier = earlier_submission(model, submission, **owner)
    if earlier is not None:
        return earlier
    try:
        return create()
    except IntegrityError:
        earlier = earlier_submission(model, submission, **owner)
        if earlier is None:
            raise
        return earlier


def update_versioned(model, row_id: int, version: int, changes: dict,
                     also: dict | None = None) -> bool:
    """UPDATE the row SET `changes` (and `also`), version = version + 1 WHERE id = ? AND
    version = ?, in one statement; True when it did. When the version has moved on, a
    repeat of the very same change (a double-clicked save: the row already holds
    `changes`) is done already (False: nothing to record again); anything else raises
    StaleEdit with the row as it is now."""
    updated = (model.update(**changes, **(also or {}), version=model.version + 1)
               .where(model.id == row_id, model.version == version).execute())
    if updated:
        return True
    current = model.get_or_none(model.id == row_id)
    if current is None or not holds(current, changes):
        raise StaleEdit(current)
    return False


def holds(row: Model, changes: dict) -> bool:
    """Whether the row already holds every value in `changes` (foreign keys by id)."""
    return all(row.__data__.get(name) == value for name, value in changes.items())
