"""The app gunicorn serves for tests/test_export_cut.py: Growth whose HR downloads run past
their time after the first row. Each row is a chunk of its own, and the exports' clock moves
one second each time it is read, so with GROWTH_EXPORT_MAX_SECONDS=2.5 the header and the
first row are sent and the second row is over time."""

from growth import create_app
from growth.hr import exports


class _OneSecondAReading:
    def __init__(self):
        self.now = 0.0

    def monotonic(self) -> float:
        self.now += 1.0
        return self.now


def app():
    exports.CHUNK = 1
    exports.time = _OneSecondAReading()
    return create_app()
