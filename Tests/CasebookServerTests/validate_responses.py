"""Checks recorded HTTP responses against the OpenAPI document's response schemas.

Usage: validate_responses.py OPENAPI.json RESPONSES.jsonl
Each line of RESPONSES.jsonl is {"operation": operationId, "status": int, "body": <JSON>}.
Prints one line per response that does not match (or has no schema) and exits 1 if any.
"""

import json
import sys

from jsonschema import Draft202012Validator


def main():
    document = json.load(open(sys.argv[1]))
    schemas = {}
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            schemas[operation["operationId"]] = operation["responses"]
    failures = 0
    checked = 0
    for line in open(sys.argv[2]):
        record = json.loads(line)
        responses = schemas.get(record["operation"])
        if responses is None:
            print(f"{record['operation']}: not in the document")
            failures += 1
            continue
        response = responses.get(str(record["status"]))
        if response is None:
            print(f"{record['operation']}: status {record['status']} is not documented")
            failures += 1
            continue
        schema = response["content"]["application/json"]["schema"]
        errors = list(Draft202012Validator(schema).iter_errors(record["body"]))
        checked += 1
        for error in errors[:3]:
            where = "/".join(str(p) for p in error.absolute_path)
            print(f"{record['operation']} {record['status']}: at '{where}': {error.message[:300]}")
        failures += bool(errors)
    print(f"checked {checked} responses, {failures} not as documented")
    sys.exit(1 if failures else 0)


main()
