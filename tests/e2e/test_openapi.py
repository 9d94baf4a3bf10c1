"""docs/openapi.yaml against the route table (`bazaar functions --json`) and docs/problems.md."""

import json
import re
import subprocess

import pytest
import yaml
from openapi_spec_validator import validate

from conftest import BIN, ROOT

DOCUMENT = yaml.safe_load((ROOT / "docs/openapi.yaml").read_text())
RUNNER_PATHS = {"/healthz", "/readyz", "/openapi.yaml", "/operator/status"}
TYPES = {"string": "string", "integer": "integer", "boolean": "boolean"}


def resolve(node):
    while "$ref" in node:
        name = node["$ref"].split("/")
        node = DOCUMENT
        for part in name[1:]:
            node = node[part]
    return node


@pytest.fixture(scope="module")
def functions():
    out = subprocess.run([str(BIN), "functions", "--json"], capture_output=True, check=True).stdout
    return json.loads(out)


def operations():
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield path, method.upper(), operation, item.get("parameters", [])


def test_the_document_is_valid_openapi_3_1():
    validate(DOCUMENT)
    assert DOCUMENT["openapi"].startswith("3.1")


def test_every_function_has_its_operation(functions):
    documented = {(path, method): operation for path, method, operation, _ in operations()}
    for function in functions:
        operation = documented.get((function["path"], function["method"]))
        assert operation, f"{function['method']} {function['path']} ({function['name']}) is not documented"
        assert operation["operationId"] == function["name"]
        assert operation["x-bazaar-auth"] == function["auth"]
        assert operation["security"] == ([] if function["auth"] == "public" else [{"bearer": []}])
        success = [code for code in operation["responses"] if code.startswith("2")]
        assert success == [str(function["successStatus"])], function["name"]
        if function["auth"] != "public":
            assert {"401", "403"} <= set(operation["responses"]), function["name"]


def test_every_operation_is_a_function_or_the_runner(functions):
    routes = {(f["path"], f["method"]) for f in functions}
    for path, method, operation, _ in operations():
        if path in RUNNER_PATHS:
            assert operation.get("x-bazaar-runner") is True
        else:
            assert (path, method) in routes, f"{method} {path} is documented but no function answers it"


def test_parameters_match_the_route(functions):
    documented = {(path, method): (operation, shared) for path, method, operation, shared in operations()}
    for function in functions:
        operation, shared = documented[(function["path"], function["method"])]
        parameters = [resolve(p) for p in shared + operation.get("parameters", [])]
        path_names = re.findall(r"\{(\w+)\}", function["path"])
        assert sorted(p["name"] for p in parameters if p["in"] == "path") == sorted(path_names)
        query = {p["name"]: TYPES[p["schema"]["type"]] for p in parameters if p["in"] == "query"}
        assert query == {q["name"]: q["type"] for q in function["query"]}, function["name"]


def problem_codes_in_docs():
    table = (ROOT / "docs/problems.md").read_text().split("## `bazaar queue` codes")[0]
    return set(re.findall(r"^\| `([a-z_]+)` \| \d{3} \|", table, re.M))


def test_problem_codes_match_docs_problems():
    enum = set(DOCUMENT["components"]["schemas"]["Problem"]["properties"]["code"]["enum"])
    # `unknown_function` comes from `bazaar invoke` only: no HTTP route can name a function that is not there.
    assert enum == problem_codes_in_docs() - {"unknown_function"}


def test_every_code_in_the_sources_is_documented():
    sources = "\n".join(p.read_text() for p in (ROOT / "Sources").rglob("*.swift"))
    used = set(re.findall(r'code: "([a-z_]+)"', sources))
    docs = (ROOT / "docs/problems.md").read_text()
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", docs, re.M))
    documented |= {c for line in re.findall(r"^\| `[a-z_]+` / `[a-z_]+` \|", docs, re.M)
                   for c in re.findall(r"`([a-z_]+)`", line)}
    assert used - documented == set()
    field_codes = set(DOCUMENT["components"]["schemas"]["FieldError"]["properties"]["code"]["enum"])
    problem_codes = set(DOCUMENT["components"]["schemas"]["Problem"]["properties"]["code"]["enum"])
    queue_codes = set(re.findall(r"^\| `([a-z_]+)` \| \d{3} \|", docs.split("## `bazaar queue` codes")[1], re.M))
    assert used <= field_codes | problem_codes | queue_codes | {"unknown_function"}
