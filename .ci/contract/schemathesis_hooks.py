"""schemathesis hooks for the contract checks (run.sh loads them through
SCHEMATHESIS_HOOKS).

schemathesis's `positive_data_acceptance` check expects every request that
matches the schema to be accepted. A few rules of the API cannot be written
in an OpenAPI 3.0 schema, so schemathesis sends requests that match the schema
and still break a rule, and the mock is right to refuse them with 422:

- `notes_json` must be valid JSON text (API reference: "Valid JSON text");
  to the schema any string is valid;
- `account_id` is required when the contact exists under several accounts
  (API reference); the schema cannot know which contacts those are;
- a tag both added and removed in one request is refused. The API reference
  is silent here: this is an assumption that the crate and the mock share
  (the client refuses such an update before sending it), and the schema does
  not state it.

This hook drops such a failure only when the request itself breaks one of
these rules, checked here from the request, and the mock names that rule in
its error body. Any other refusal of a schema-valid request still fails.
"""

import json

import schemathesis

# The mock's error code for each rule (its `{"error": {"code": ...}}` body).
NOTES_NOT_JSON = "invalid_notes_json"
ACCOUNT_ID_REQUIRED = "account_id_required"
TAG_ADDED_AND_REMOVED = "tag_added_and_removed"


def _is_json_text(text: str) -> bool:
    def refuse(constant: str) -> None:
        # Python accepts NaN and Infinity; JSON (RFC 8259) does not.
        raise ValueError(constant)

    try:
        json.loads(text, parse_constant=refuse)
    except (ValueError, RecursionError):
        return False
    return True


def _error_code(response) -> str | None:
    try:
        body = json.loads(response.content)
    except (TypeError, ValueError):
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error.get("code") if isinstance(error, dict) else None


def _breaks(rule: str, body: dict) -> bool:
    if rule == NOTES_NOT_JSON:
        notes = body.get("notes_json")
        # null and "" clear the notes; any other text must be JSON.
        return isinstance(notes, str) and notes != "" and not _is_json_text(notes)
    if rule == ACCOUNT_ID_REQUIRED:
        return "account_id" not in body
    if rule == TAG_ADDED_AND_REMOVED:
        tags = body.get("tags")
        if not isinstance(tags, dict):
            return False
        added = {t.get("name") for t in tags.get("add") or [] if isinstance(t, dict)}
        return bool(added & set(tags.get("remove") or []))
    return False


@schemathesis.hook
def filter_failure(ctx, failure, case, response):
    """Keeps every failure but a justified refusal of a schema-valid request."""
    if failure.code != "ST202" or response.status_code != 422:
        return True
    body = case.body if isinstance(case.body, dict) else None
    rule = _error_code(response)
    justified = body is not None and rule is not None and _breaks(rule, body)
    return not justified
