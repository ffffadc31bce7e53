"""The project's URLs plus ``bench/bare/``: the baseline of the HTTP benchmark.

The bare view goes through the same gunicorn workers and the same middleware as
every Qingdan page, but uses no template, no form, no session data and no
database: what it costs is the floor that any page of the project pays.
"""

from html import escape

from django.http import HttpResponse
from django.urls import path

from qingdan.urls import urlpatterns as project

ROWS = [(i, f"第{i}单位", f"3209{i:04d}", "县级" if i % 2 else "镇级") for i in range(1, 21)]


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


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *project]
