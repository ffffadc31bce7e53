"""The project's URLs plus the two baselines of the HTTP benchmark.

``bench/bare/`` goes through the same gunicorn workers and the same middleware as
every Qingdan page, but uses no template, no form, no session data and no
database: what it costs is the floor that any page of the project pays.

``bench/orm/`` is the smallest honest page: 20 org units read through the ORM and
rendered with ``render()`` and a small Django template that extends nothing (a
plain table). It is anonymous (no session read or saved), like ``bare``; the
template is compiled once per worker, as the cached template loader does for the
project's own templates.
"""

from html import escape

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from orgs.models import OrgUnit
from qingdan.urls import urlpatterns as project

ROWS = [(i, f"第{i}单位", f"3209{i:04d}", "县级" if i % 2 else "镇级") for i in range(1, 21)]

ORM_TEMPLATE = engines["django"].from_string(
    """<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>orm</title></head><body>
<table><thead><tr><th>#</th><th>名称</th><th>代码</th><th>类别</th></tr></thead><tbody>
{% for unit in units %}<tr><td>{{ forloop.counter }}</td><td>{{ unit.name }}</td><td>{{ unit.code }}</td><td>{{ unit.get_kind_display }}</td></tr>
{% endfor %}</tbody></table>
</body></html>"""
)


def bare(request):
    body = "".join(
        f"<tr><td>{n}</td><td>{escape(name)}</td><td>{code}</td><td>{escape(kind)}</td></tr>"
        for n, name, code, kind in ROWS
    )
    html = (
        '<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>bare</title></head><body>'
        f"<table><thead><tr><th>#</th><th>名称</th><th>代码</th><th>类别</th></tr></thead><tbody>{body}</tbody></table>"
        "</body></html>"
    )
    return HttpResponse(html, content_type="text/html; charset=utf-8")


def orm(request):
    units = OrgUnit.objects.order_by("path")[:20]
    return HttpResponse(ORM_TEMPLATE.render({"units": units}, request), content_type="text/html; charset=utf-8")


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), path("bench/orm/", orm, name="bench-orm"), *project]
