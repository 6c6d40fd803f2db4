#!/bin/bash
# Runs once, when the PostgreSQL volume is first initialised (docker-entrypoint-initdb.d):
# one role and one database per service, the role owning its database and nothing else.
# Each role's password comes from <SERVICE>_DB_PASSWORD, or from the file <SERVICE>_DB_PASSWORD_FILE
# names (compose secrets); none is written in this repository.
set -euo pipefail

for service in ${AFTERSALES_SERVICES:-tickets returns reviews callcenter finance}; do
  upper=$(echo "$service" | tr '[:lower:]' '[:upper:]')
  password_var="${upper}_DB_PASSWORD"
  file_var="${upper}_DB_PASSWORD_FILE"
  password="${!password_var:-}"
  if [ -z "$password" ] && [ -n "${!file_var:-}" ]; then
    password=$(cat "${!file_var}")
  fi
  if [ -z "$password" ]; then
    echo "init-databases: no password for $service ($password_var or $file_var)" >&2
    exit 1
  fi
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v role="$service" -v password="$password" -v database="aftersales_$service" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"database" OWNER :"role";
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
\connect :"database"
ALTER SCHEMA public OWNER TO :"role";
SQL
done
