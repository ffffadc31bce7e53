"""Arbitrary input at every door finds no 500, on the demo data: Hypothesis throws text (control characters, lone
surrogates, over-long strings) and JSON of every shape at each operation of the OpenAPI document, as each kind of
user, and at every form the demo users reach by following links, fields filled with anything. The examples are
derived from a fixed seed, so a run in CI is the same run as on a laptop; a failure prints the request to replay."""

import json
import re
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orgs import services as org_services
from orgs.models import User
from qingdan.api import api

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
PEOPLE = ("office", "reporter", "reviewer", "leader", "evaluator", "admin", "security", "auditor", "office2")

# Any character a JSON body can carry (lone surrogates included) and, for forms, any a browser can send.
ANY_CHARACTER = st.characters(codec=None, exclude_categories=())
FORM_CHARACTER = st.characters(exclude_categories=("Cs",))
NASTY = st.sampled_from(["", " ", "\x00", "\ud800", "\x1b[2J", '=HYPERLINK("x")', "长" * 100_001, "9" * 5000])


@pytest.fixture
def demo(demo_loaded, db):
    """The demo, loaded once for the module (``demo_loaded``)."""


# --- the API -----------------------------------------------------------------------------------------------------


def _json_value():
    return st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(ANY_CHARACTER) | NASTY,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(ANY_CHARACTER, max_size=8), inner, max_size=4)
        ),
        max_leaves=12,
    )


def _from_schema(schema, components):
    """A strategy for values that mostly fit ``schema`` and sometimes break it."""
    if "$ref" in schema:
        return st.deferred(lambda: _from_schema(components[schema["$ref"].rsplit("/", 1)[-1]], components))
    if "anyOf" in schema:
        return st.one_of([_from_schema(alternative, components) for alternative in schema["anyOf"]])
    kind = schema.get("type")
    if "enum" in schema:
        fitting = st.sampled_from(schema["enum"])
    elif kind == "string":
        most = schema.get("maxLength", 300)
        fitting = st.text(ANY_CHARACTER, max_size=min(most, 60)) | st.just("长" * (most + 1)) | NASTY
        if schema.get("format") == "date":
            fitting |= st.dates().map(str) | st.just("2026-02-30")
    elif kind == "integer":
        fitting = st.integers() | st.integers(min_value=-(2**70), max_value=2**70)
    elif kind == "number":
        fitting = st.floats() | st.decimals(allow_nan=False).map(str)
    elif kind == "boolean":
        fitting = st.booleans()
    elif kind == "array":
        fitting = st.lists(_from_schema(schema.get("items", {}), components), max_size=4)
    elif kind == "object" or "properties" in schema:
        properties = {name: _from_schema(prop, components) for name, prop in schema.get("properties", {}).items()}
        required = set(schema.get("required", ()))
        fitting = st.fixed_dictionaries(
            {name: s for name, s in properties.items() if name in required},
            optional={name: s for name, s in properties.items() if name not in required},
        )
        if isinstance(schema.get("additionalProperties"), dict):
            fitting = st.dictionaries(
                st.text(ANY_CHARACTER, max_size=8), _from_schema(schema["additionalProperties"], components), max_size=4
            )
    else:
        fitting = _json_value()
    return st.one_of(fitting, fitting, fitting, _json_value())  # mostly the right shape


def _operations():
    document = api.get_openapi_schema()
    components = document["components"]["schemas"]
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            parameters = {
                p["name"]: (p["in"], _from_schema(p.get("schema", {}), components))
                for p in operation.get("parameters", [])
            }
            body = None
            for content in operation.get("requestBody", {}).get("content", {}).values():
                body = _from_schema(content["schema"], components)
            found.append((method, path, parameters, body))
    return found


def _ids_in_use():
    """Real ids, so that the operations on one object reach it (not only its 404)."""
    from assistance.models import Household
    from cases.models import Demand, Dispute, Enterprise, JointMeeting, Letter, Project, Subcontract
    from checklists.models import Checklist, Extension, Item
    from orgs.models import OrgUnit
    from scoring.models import Round, Score
    from surveys.models import Distribution, Poll, Questionnaire, Target

    return {
        "item_id": list(Item.objects.values_list("pk", flat=True)[:40]),
        "list_id": list(Checklist.objects.values_list("pk", flat=True)[:20]),
        "extension_id": list(Extension.objects.values_list("pk", flat=True)[:10]),
        "questionnaire_id": list(Questionnaire.objects.values_list("pk", flat=True)),
        "distribution_id": list(Distribution.objects.values_list("pk", flat=True)),
        "target_id": list(Target.objects.values_list("pk", flat=True)[:20]),
        "unit_id": list(OrgUnit.objects.values_list("pk", flat=True)[:20]),
        "round_id": list(Round.objects.values_list("pk", flat=True)),
        "score_id": list(Score.objects.values_list("pk", flat=True)[:40]),
        "slug": list(Poll.objects.values_list("slug", flat=True)),
        "unit": ["320922", "320922t01", "320921"],
        "enterprise_id": list(Enterprise.objects.values_list("pk", flat=True)[:20]),
        "project_id": list(Project.objects.values_list("pk", flat=True)),
        "subcontract_id": list(Subcontract.objects.values_list("pk", flat=True)),
        "meeting_id": list(JointMeeting.objects.values_list("pk", flat=True)[:20]),
        "demand_id": list(Demand.objects.values_list("pk", flat=True)[:20]),
        "dispute_id": list(Dispute.objects.values_list("pk", flat=True)[:20]),
        "letter_id": list(Letter.objects.values_list("pk", flat=True)[:20]),
        "household_id": list(Household.objects.values_list("pk", flat=True)[:20]),
    }


def _api_error_shape(response):
    if response.status_code >= 400 and response.get("Content-Type", "").startswith("application/json"):
        body = response.json()
        assert isinstance(body, dict) and {"code", "message"} <= set(body), body


def test_no_api_operation_answers_500_to_anything(demo):
    operations = _operations()
    assert len(operations) > 30
    ids = _ids_in_use()
    tokens = {}
    for user in User.objects.filter(username__in=PEOPLE):
        tokens[user.username] = org_services.create_api_token(user=user, name="fuzz", actor=user)[1]

    @FUZZ
    @given(st.data())
    def probe(data):
        method, path, parameters, body = data.draw(st.sampled_from(operations), label="operation")
        who = data.draw(st.sampled_from((*PEOPLE, None)), label="as")
        url, query = path, {}
        for name, (where, strategy) in parameters.items():
            known = ids.get(name)
            value = data.draw(st.sampled_from(known) | strategy if known else strategy, label=name)
            if where == "path":
                url = url.replace("{" + name + "}", quote(str(value), safe="", errors="surrogatepass"))
            elif where == "query" and data.draw(st.booleans(), label=f"send {name}"):
                query[name] = value if isinstance(value, str) else json.dumps(value)
        payload = data.draw(body, label="body") if body is not None else None
        headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[who]}"} if who else {}
        if query:
            url += "?" + "&".join(
                f"{quote(k, safe='')}={quote(v, safe='', errors='surrogatepass')}" for k, v in query.items()
            )
        response = Client().generic(
            method.upper(),
            url,
            json.dumps(payload) if payload is not None else "",
            content_type="application/json",
            **headers,
        )
        assert response.status_code < 500, (method, url, payload, response.content[:300])
        _api_error_shape(response)

    probe()


# --- the forms ---------------------------------------------------------------------------------------------------


class _Forms(HTMLParser):
    """The links of a page and its POST forms: action and fields (name → kind, options)."""

    def __init__(self):
        super().__init__()
        self.links, self.forms, self._form, self._select = [], [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href", "").startswith("/"):
            self.links.append(attrs["href"])
        elif tag == "form" and attrs.get("method", "get").lower() == "post":
            self._form = {"action": attrs.get("action") or "", "fields": {}}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea", "select") and attrs.get("name"):
            kind = attrs.get("type", tag) if tag == "input" else tag
            if kind not in ("submit", "button", "image", "reset"):
                self._form["fields"].setdefault(attrs["name"], [kind, []])
            if tag == "select":
                self._select = attrs["name"]
        elif tag == "option" and self._form is not None and self._select and "value" in attrs:
            self._form["fields"][self._select][1].append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


SKIPPED = re.compile(
    r"^/(logout|i18n|static|media|admin)/|/(export|download|template|print|docx)/?|\.xlsx|/evidence/\d+"
)


def _crawl(client, most=70):
    """The POST forms reachable from the workbench by links, each once: ``[(page, action, fields)]``. Each page
    read on the way must carry the Content-Security-Policy."""
    seen, queue, forms, shapes = set(), ["/"], [], set()
    while queue and len(seen) < most:
        url = queue.pop(0)
        if url in seen or SKIPPED.search(urlsplit(url).path):
            continue
        seen.add(url)
        response = client.get(url)
        # Every page the people reach carries the Content-Security-Policy (qingdan/tests/test_boundary.py reads it).
        assert "script-src 'self'" in response.get("Content-Security-Policy", ""), url
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        parser = _Forms()
        parser.feed(response.content.decode())
        for form in parser.forms:
            action = urljoin(url, form["action"]) if form["action"] else url
            shape = (re.sub(r"\d+", "N", urlsplit(action).path), tuple(sorted(form["fields"])))
            if shape not in shapes and not SKIPPED.search(urlsplit(action).path):
                shapes.add(shape)
                forms.append((url, action, form["fields"]))
        queue += [link.split("#")[0] for link in parser.links if link.split("#")[0] not in seen]
    return forms


def _field_value(kind, options):
    text = st.text(FORM_CHARACTER, max_size=40) | NASTY.filter(lambda s: "\ud800" not in s)
    if kind == "file":
        return st.binary(max_size=200).map(lambda b: SimpleUploadedFile("清单.xlsx", b))
    if options:
        return st.sampled_from(options) | text | st.lists(st.sampled_from(options), max_size=3)
    if kind in ("number", "hidden"):
        return st.integers().map(str) | text
    if kind == "date":
        return st.dates().map(str) | text
    return text


def test_no_form_answers_500_to_anything(demo):
    clients, forms = {}, []
    for username in PEOPLE:
        client = Client()
        client.force_login(User.objects.get(username=username))
        clients[username] = client
        forms += [(username, *form) for form in _crawl(client)]
    assert len(forms) > 25, forms
    public = Client()
    from surveys.models import Poll

    for poll in Poll.objects.all():
        forms += [(None, *form) for form in _crawl_one(public, f"/p/{poll.slug}/")]

    @FUZZ
    @given(st.data())
    def probe(data):
        username, page, action, fields = data.draw(st.sampled_from(forms), label="form")
        client = clients.get(username, public)
        values = {}
        for name, (kind, options) in fields.items():
            if name != "csrfmiddlewaretoken" and data.draw(st.integers(0, 9), label=f"send {name}") > 0:
                values[name] = data.draw(_field_value(kind, options), label=name)
        response = client.post(action, values)
        assert response.status_code < 500, (username, page, action, values, response.content[:300])

    probe()


def _crawl_one(client, url):
    response = client.get(url)
    parser = _Forms()
    parser.feed(response.content.decode())
    return [(url, urljoin(url, form["action"]) if form["action"] else url, form["fields"]) for form in parser.forms]
