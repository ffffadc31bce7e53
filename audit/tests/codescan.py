"""The action codes the code base records, read from its sources: every ``action="area.verb"`` keyword, every
constant named ``*ACTION*`` and the refusals' ``Kind``, and the codes an f-string builds
(``f"checklists.{action}"``), resolved by following the formatted name back to the string literals (or
``TextChoices`` members) its callers pass. Whatever cannot be resolved is reported, so a new way of building a
code makes the label test fail rather than slip past it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "node_modules", "tests", "bench", "migrations", "var"}


def _is_code(value):
    return isinstance(value, str) and "." in value and " " not in value and value.split(".")[0].isidentifier()


class _Module:
    def __init__(self, path):
        self.path = path
        self.name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                child.parent = node

    def functions(self, name):
        return [n for n in ast.walk(self.tree) if isinstance(n, ast.FunctionDef) and n.name == name]

    def imports(self, name, source):
        """Whether this module imports ``name`` from the module ``source``."""
        return any(
            isinstance(n, ast.ImportFrom) and n.module == source and any(a.name == name for a in n.names)
            for n in ast.walk(self.tree)
        )

    def calls(self, name):
        return [
            n
            for n in ast.walk(self.tree)
            if isinstance(n, ast.Call)
            and (getattr(n.func, "id", None) == name or getattr(n.func, "attr", None) == name)
        ]


def _enclosing_function(node):
    while node is not None and not isinstance(node, ast.FunctionDef):
        node = getattr(node, "parent", None)
    return node


class Scan:
    def __init__(self, root=ROOT):
        paths = [p for p in root.rglob("*.py") if not set(p.relative_to(root).parts) & SKIP]
        self.modules = [_Module(p) for p in paths]
        self.classes = {}
        for module in self.modules:
            for node in ast.walk(module.tree):
                if isinstance(node, ast.ClassDef):
                    self.classes.setdefault(node.name, []).append(node)
        self.codes = {}  # code -> where it was found
        self.unresolved = []

    def run(self):
        for module in self.modules:
            for node in ast.walk(module.tree):
                if isinstance(node, ast.keyword) and node.arg == "action":
                    self._collect(module, node.value, node.value)
                elif isinstance(node, ast.FunctionDef):  # def log_out(request, *, action="auth.logout")
                    args = node.args
                    pairs = list(zip(args.args[len(args.args) - len(args.defaults) :], args.defaults, strict=True))
                    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None]
                    for arg, default in pairs:
                        if arg.arg == "action":
                            self._collect(module, default, node)
                elif isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and "ACTION" in t.id for t in node.targets
                ):
                    self._collect(module, node.value, node)
                elif isinstance(node, ast.ClassDef) and node.name == "Kind" and module.path.name == "refusals.py":
                    for item in node.body:
                        if isinstance(item, ast.Assign):
                            self._collect(module, item.value, item)
        return self

    def _where(self, module, node):
        return f"{module.path.relative_to(ROOT)}:{node.lineno}"

    def _collect(self, module, value, at):
        if isinstance(value, ast.Constant):
            if _is_code(value.value):
                self.codes.setdefault(value.value, self._where(module, at))
        elif isinstance(value, ast.IfExp):
            self._collect(module, value.body, at)
            self._collect(module, value.orelse, at)
        elif isinstance(value, ast.JoinedStr):
            self._template(module, value, at)

    def _template(self, module, joined, at):
        parts = []
        for piece in joined.values:
            if isinstance(piece, ast.Constant):
                parts.append([piece.value])
            elif isinstance(piece, ast.FormattedValue) and isinstance(piece.value, ast.Name):
                values = self._values_of(module, piece.value.id, _enclosing_function(joined), depth=0)
                if values is None:
                    self.unresolved.append(f"{self._where(module, at)} {ast.unparse(joined)}")
                    return
                parts.append(sorted(values))
            else:
                self.unresolved.append(f"{self._where(module, at)} {ast.unparse(joined)}")
                return
        codes = [""]
        for options in parts:
            codes = [c + o for c in codes for o in options]
        for code in codes:
            self.codes.setdefault(code, self._where(module, at))

    def _values_of(self, module, name, function, depth):
        """The strings ``name`` may hold inside ``function``: a parameter is followed to every call of the
        function in its module; a local variable to its assignments. None when something is not a literal."""
        if function is None or depth > 4:
            return None
        params = [a.arg for a in function.args.posonlyargs + function.args.args]
        keywords = [a.arg for a in function.args.kwonlyargs]
        values = set()
        if name in params or name in keywords:
            # The function's own module and those that import it by name; not every function of that name.
            callers = [m for m in self.modules if m is module or m.imports(function.name, module.name)]
            calls = [(m, c) for m in callers for c in m.calls(function.name)]
            if not calls:
                return None
            for caller, call in calls:
                arg = next((k.value for k in call.keywords if k.arg == name), None)
                if arg is None and name in params:
                    index = params.index(name) - (1 if params and params[0] in ("self", "cls") else 0)
                    arg = call.args[index] if index < len(call.args) else None
                found = self._literal(caller, arg, _enclosing_function(call), depth)
                if found is None:
                    return None
                values |= found
            return values
        assigns = [
            n.value
            for n in ast.walk(function)
            if isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in n.targets)
        ]
        if not assigns:
            return None
        for value in assigns:
            found = self._literal(module, value, function, depth)
            if found is None:
                return None
            values |= found
        return values

    def _literal(self, module, node, function, depth):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            body = self._literal(module, node.body, function, depth)
            orelse = self._literal(module, node.orelse, function, depth)
            return None if body is None or orelse is None else body | orelse
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            return self._member(node.value.id, node.attr)
        if isinstance(node, ast.Name):
            return self._values_of(module, node.id, function, depth + 1)
        return None

    def _member(self, class_name, attr):
        """The value of a ``TextChoices`` member (or a plain class constant)."""
        for cls in self.classes.get(class_name, []):
            for item in cls.body:
                if isinstance(item, ast.Assign) and any(isinstance(t, ast.Name) and t.id == attr for t in item.targets):
                    value = item.value.elts[0] if isinstance(item.value, ast.Tuple) else item.value
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        return {value.value}
        return None


def recorded_codes():
    """``({code: "path:line"}, [unresolved templates])``."""
    scan = Scan().run()
    return scan.codes, scan.unresolved


WRITERS = {"record", "_save", "_finish", "_audit"}  # record() and the areas' helpers that pass data to it
NOT_DATA = {"request", "note", "kind", "before", "after", "message", "fields", "actor", "obj", "org_unit", "result"}


def recorded_keys():
    """``{(area, key)}``: the keys the code base writes into events' before/after data, as dict literals given to
    ``record`` (or to an area's helper that passes them on) and as the extra keywords of those helpers."""
    keys = set()
    for module in Scan().modules:
        area = module.name.split(".")[0]
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in WRITERS:
                continue
            for keyword in node.keywords:
                if keyword.arg in ("before", "after") and isinstance(keyword.value, ast.Dict):
                    keys |= {(area, k.value) for k in keyword.value.keys if isinstance(k, ast.Constant)}
                elif name != "record" and keyword.arg and keyword.arg not in NOT_DATA:
                    keys.add((area, keyword.arg))
    return keys
