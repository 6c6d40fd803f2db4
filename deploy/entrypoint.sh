#!/bin/sh
# The image's entry point: `serve` (default) or `migrate`; anything else is run as given.
# A setting may come from a file: FOO_FILE=/run/secrets/foo sets FOO to the file's content
# (compose secrets, Kubernetes secret volumes), so no secret sits in an image or a manifest.
set -eu
: "${SERVICE:?SERVICE is not set (the image is built with --build-arg SERVICE=...)}"

for var in $(env | sed -n 's/^\([A-Z][A-Z0-9_]*\)_FILE=.*/\1/p'); do
  eval "path=\${${var}_FILE}"
  value=$(cat "$path")
  export "$var=$value"
  unset "${var}_FILE"
done

case "${1:-serve}" in
  serve)
    # uvicorn stops accepting, lets requests drain for GRACEFUL_SHUTDOWN_SECONDS, then the
    # app flushes its outbox and commits its offsets; the orchestrator's grace period
    # (terminationGracePeriodSeconds, stop_grace_period) is longer than this.
    exec uvicorn "${SERVICE}_service.main:app" --host 0.0.0.0 --port "${PORT:-8000}" \
      --timeout-graceful-shutdown "${GRACEFUL_SHUTDOWN_SECONDS:-15}" --no-access-log --proxy-headers
    ;;
  migrate)
    exec python -m aftersales_chassis.migrate "$SERVICE" upgrade
    ;;
  *)
    exec "$@"
    ;;
esac
