#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialised (the official
# image runs every file in /docker-entrypoint-initdb.d/).
#
# One database and one login role per service that owns data, so no service
# can read another's tables; each service then creates its own schema (named
# after it) inside its database on start. The gateway gets a role that can
# only connect to `postgres` and run `SELECT 1`, for the fleet's /health.
#
# Every role has a connection limit, so no one service (and not the public
# /health behind the gateway's role) can take the server's connections from
# the others: a service pool holds at most 5 (platform::db::DbOptions), the
# limit leaves room for a restart overlapping the old process; the gateway's
# /health opens one connection at most every 2 s.
#
# ONETIP_DB_PASSWORD is the (development) password of every service role.
set -eu

psql -v ON_ERROR_STOP=1 -v pw="${ONETIP_DB_PASSWORD:?set ONETIP_DB_PASSWORD}" \
     --username "$POSTGRES_USER" --dbname postgres <<'SQL'
CREATE ROLE gateway LOGIN PASSWORD :'pw' CONNECTION LIMIT 3;

CREATE ROLE auth LOGIN PASSWORD :'pw' CONNECTION LIMIT 12;
CREATE DATABASE auth OWNER auth;
REVOKE ALL ON DATABASE auth FROM PUBLIC;

CREATE ROLE profile LOGIN PASSWORD :'pw' CONNECTION LIMIT 12;
CREATE DATABASE profile OWNER profile;
REVOKE ALL ON DATABASE profile FROM PUBLIC;

CREATE ROLE integrations LOGIN PASSWORD :'pw' CONNECTION LIMIT 12;
CREATE DATABASE integrations OWNER integrations;
REVOKE ALL ON DATABASE integrations FROM PUBLIC;

CREATE ROLE recommender LOGIN PASSWORD :'pw' CONNECTION LIMIT 12;
CREATE DATABASE recommender OWNER recommender;
REVOKE ALL ON DATABASE recommender FROM PUBLIC;
SQL
