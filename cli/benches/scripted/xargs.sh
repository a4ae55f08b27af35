#!/bin/sh
# Adds the tag Webinar (blue) to every contact of a CSV whose first column
# is contact_id, eight requests at a time, as one would script it without
# the tool: curl fails on an HTTP error and nothing is retried.
#
#   TALKTOHUMANS_API_KEY=... TALKTOHUMANS_BASE_URL=https://api.talktohumans.app \
#     sh xargs.sh contacts.csv
#
# xargs goes on past a failed row and exits 123 at the end.
set -eu
KEY=${TALKTOHUMANS_API_KEY:?set TALKTOHUMANS_API_KEY}
BASE=${TALKTOHUMANS_BASE_URL:-https://api.talktohumans.app}

tail -n +2 "$1" | cut -d, -f1 | xargs -P 8 -I{} \
  curl -sS --fail -o /dev/null -X PATCH \
    -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: application/json' \
    -d '{"tags":{"add":[{"name":"Webinar","color":"blue"}]}}' \
    "$BASE/v1/contacts/{}"
