#!/bin/bash
# A custom runtime in bash and curl, to show that any Lambda Runtime API client works.
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
echo "bootstrap $$ starting"
while true; do
  HEADERS="$(mktemp)"
  EVENT="$(curl -sS -D "$HEADERS" "$API/invocation/next")"
  ID="$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | cut -d: -f2 | tr -d '[:space:]')"
  DEADLINE="$(grep -i '^Lambda-Runtime-Deadline-Ms:' "$HEADERS" | cut -d: -f2 | tr -d '[:space:]')"
  rm -f "$HEADERS"
  echo "bootstrap handling $ID"
  if [[ "$EVENT" == *'"spawn"'* ]]; then
    sleep 600 &
    curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" -d "{\"pid\":$$,\"child\":$!}"
    exit 3 # the runtime dies; its child must not outlive it
  elif [[ "$EVENT" == *'"fail"'* ]]; then
    curl -sS -o /dev/null -X POST -H 'Lambda-Runtime-Function-Error-Type: Custom.Failed' \
      "$API/invocation/$ID/error" \
      -d '{"errorMessage":"asked to fail","errorType":"Custom.Failed","stackTrace":[]}'
  else
    curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" \
      -d "{\"pid\":$$,\"handler\":\"$_HANDLER\",\"deadline\":$DEADLINE,\"event\":$EVENT}"
    if [[ "$EVENT" == *'"linger"'* ]]; then
      sleep 60 # work after the response, longer than the timeout
    fi
    if [[ "$EVENT" == *'"pause"'* ]]; then
      sleep 3 # work after the response, within the timeout
    fi
  fi
done
