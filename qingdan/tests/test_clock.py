"""One clock for the product (``qingdan.clock``), and the frozen clock every test runs under."""

import ast
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from conftest import TEST_NOW
from qingdan import clock

ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Where reading the machine's clock is allowed: the clock itself, and code that is not the product.
NOT_PRODUCT = {".venv", "node_modules", "var", "migrations", "tests", "bench"}

# module → names whose every use reads the clock; and names that read it only when called with no argument
ALWAYS = {"timezone": {"now"}, "date": {"today"}, "datetime": {"now", "utcnow", "today"}, "time": {"time", "time_ns"}}
WITHOUT_ARGUMENT = {"timezone": {"localdate", "localtime"}, "time": {"localtime", "gmtime"}}
IMPORTED = {"django.utils.timezone": {"now", "localdate", "localtime"}, "time": {"time", "time_ns", "localtime"}}


def clock_reads(source):
    """The lines of ``source`` that read the machine's clock instead of asking ``qingdan.clock``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module in IMPORTED:
            found += [node.lineno for alias in node.names if alias.name in IMPORTED[node.module]]
        elif isinstance(node, ast.Attribute):
            owner = node.value.attr if isinstance(node.value, ast.Attribute) else getattr(node.value, "id", None)
            if node.attr in ALWAYS.get(owner, ()):
                found.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not (node.args or node.keywords):
            owner = getattr(node.func.value, "id", None)
            if node.func.attr in WITHOUT_ARGUMENT.get(owner, ()):
                found.append(node.lineno)
    return sorted(set(found))


def product_modules():
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if NOT_PRODUCT.isdisjoint(relative.parts[:-1]) and not relative.name.startswith(("test_", "conftest")):
            yield relative


def test_no_product_module_reads_the_clock_outside_the_clock_module():
    offenders = [
        f"{module}:{line}"
        for module in product_modules()
        if module != Path("qingdan/clock.py")
        for line in clock_reads((ROOT / module).read_text(encoding="utf-8"))
    ]
    assert offenders == [], "read the time from qingdan.clock instead: " + ", ".join(offenders)


def test_the_scan_covers_the_product():
    modules = set(product_modules())
    assert {Path("checklists/workflow.py"), Path("orgs/auth.py"), Path("scoring/demo/records.py")} <= modules
    assert not any("migrations" in m.parts or m.name.startswith("test_") for m in modules)


@pytest.mark.parametrize(
    "line",
    [
        "from django.utils import timezone\nx = timezone.now()",
        "from django.utils import timezone\nfield_default = timezone.now",
        "from django.utils import timezone\nx = timezone.localdate()",
        "from django.utils import timezone\nx = timezone.localtime()",
        "from datetime import date\nx = date.today()",
        "from datetime import datetime\nx = datetime.now()",
        "import datetime\nx = datetime.datetime.now(tz=None)",
        "from datetime import datetime\nx = datetime.utcnow()",
        "import time\nx = time.time()",
        "from django.utils.timezone import now",
        "from time import time",
    ],
)
def test_each_way_of_reading_the_machines_clock_is_caught(line):
    assert clock_reads(line) != []


@pytest.mark.parametrize(
    "line",
    [
        "from qingdan import clock\nx = clock.now()",
        "from django.utils import timezone\nx = timezone.localdate(event.at)",
        "from django.utils import timezone\nx = timezone.localtime(value)",
        "import time\nx = time.monotonic()",
    ],
)
def test_converting_a_given_moment_is_not_reading_the_clock(line):
    assert clock_reads(line) == []


def test_the_suite_runs_at_the_moment_it_was_given(frozen_clock):
    assert clock.now() == TEST_NOW
    assert timezone.now() == TEST_NOW  # the machine's clock underneath is frozen as well
    assert clock.today() == TEST_NOW.astimezone(SHANGHAI).date()


def test_the_clock_stands_still_until_a_test_moves_it(frozen_clock):
    before = clock.now()
    assert clock.now() == before
    frozen_clock.shift(timedelta(minutes=31))
    assert clock.now() - before == timedelta(minutes=31)


def test_today_is_chinas_date_not_utcs(frozen_clock):
    frozen_clock.move_to(datetime(2027, 2, 28, 16, 30, tzinfo=ZoneInfo("UTC")))
    assert clock.today() == date(2027, 3, 1)
    assert clock.local_now().hour == 0 and clock.local_now().minute == 30


def test_at_runs_a_block_as_of_a_moment_and_blocks_nest():
    outer = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    with clock.at(outer):
        assert clock.now() == outer
        with clock.at(datetime(2026, 3, 5, 14, 30)) as inner:  # noqa: DTZ001 - naive means China time
            assert inner.astimezone(SHANGHAI).hour == 14
            assert clock.today() == date(2026, 3, 5)
        assert clock.now() == outer
    assert clock.now() == TEST_NOW


def test_field_defaults_read_the_clock(db):
    from audit.models import AuditEvent

    moment = datetime(2026, 4, 1, 0, 30, tzinfo=SHANGHAI)
    with clock.at(moment):
        event = AuditEvent(action="auth.login")
    assert event.created_at == moment
