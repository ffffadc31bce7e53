"""The layout a maintainer relies on."""

import ast

from qingdan.tests.test_clock import ROOT, product_modules


def test_each_app_lists_its_pages_in_its_own_urls_module():
    """No view module keeps routes of its own: one file shows an app's pages."""
    defined = [
        str(module)
        for module in product_modules()
        if not module.name.endswith("urls.py")
        and any(
            isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "urlpatterns" for t in node.targets)
            for node in ast.parse((ROOT / module).read_text(encoding="utf-8")).body
        )
    ]
    assert defined == []
