"""China's working-day calendar, the same for every area (``workdays.counting`` explains the counting).

    workdays.is_workday(day, unit=dept)            → bool
    workdays.add(received, 3, unit=dept)           → the date 3 working days after ``received``
    workdays.between(received, today, unit=dept)   → working days after ``received`` up to ``today``
    workdays.deadline(received, 15, unit=dept)     → Deadline(due, uncovered) with ``.warning`` for the page
    workdays.uncovered_years(start, end, unit=dept) → [2027] when 2027 is counted Monday to Friday
    workdays.calendar(dept)                        → a Calendar to ask many times (one store of rows)

``unit`` is an ``OrgUnit`` (None: the national calendar alone); days are dates, or aware datetimes read in the
federation's time zone. Nothing here raises for a year that is not entered.
"""


def calendar(unit=None):
    """A ``Calendar`` of ``unit`` sharing the current request's rows (``workdays.counting.cached``)."""
    from workdays.counting import Calendar

    return Calendar(unit)


def cached():
    """A block in which every calendar reads each year once (each request is one already)."""
    from workdays.counting import cached as block

    return block()


def is_workday(day, *, unit=None):
    """Whether ``day`` is a working day for ``unit``."""
    return calendar(unit).is_workday(day)


def add(start, n, *, unit=None):
    """The date ``n`` working days after ``start``, ``start`` not counted (a reply due within 3 working days of
    a demand received on ``start`` is due on ``add(start, 3)``)."""
    return calendar(unit).add(start, n)


def between(start, end, *, unit=None):
    """The working days after ``start`` up to and including ``end`` (negative when ``end`` comes first)."""
    return calendar(unit).between(start, end)


def deadline(start, n, *, unit=None):
    """``add(start, n)`` as a ``Deadline``: ``.due``, ``.uncovered`` years and the ``.warning`` to show."""
    return calendar(unit).deadline(start, n)


def uncovered_years(start, end, *, unit=None):
    """The years from ``start`` to ``end`` whose holidays nobody entered for ``unit``: counted Monday to Friday."""
    return calendar(unit).uncovered_years(start, end)


def warning(start, end, *, unit=None):
    """The sentence "2027 年的节假日安排尚未录入，期限按周一至周五计算" for the years from ``start`` to ``end`` not entered; ""."""
    return calendar(unit).warning(start, end)
