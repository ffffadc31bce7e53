"""The evidence library: one app, one model, one way to keep files and one rule for downloads."""

import ast
from pathlib import Path

from qingdan.tests.test_clock import ROOT, product_modules


def test_no_area_keeps_an_evidence_model_or_a_file_download_of_its_own():
    """Only the evidence app defines the library's model and serves its files."""
    found = []
    for module in product_modules():
        if module.parts[0] == "evidence":
            continue
        source = (ROOT / module).read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ClassDef) and node.name == "Evidence":
                found.append(f"{module}:{node.lineno} class Evidence")
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "FileResponse" and "evidence" in source:
                found.append(f"{module}:{node.lineno} FileResponse")
    assert found == [] or all("documents" in f for f in found), found
    assert Path("evidence/access.py") in set(product_modules())
