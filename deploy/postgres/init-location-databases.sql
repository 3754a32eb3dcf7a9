-- Runs once, when the compose Postgres volume is first initialised (/docker-entrypoint-initdb.d).
-- Each location gets its own warehouse database on the stack's server, as the local stack does,
-- so teams never share tables by accident. The instance itself uses POSTGRES_DB.
CREATE DATABASE "cd";
CREATE DATABASE "ds";
CREATE DATABASE "is";
CREATE DATABASE "ss";
CREATE DATABASE "nps";
-- The operations location: the `alerts` table of failed runs and checks.
CREATE DATABASE "platform";
