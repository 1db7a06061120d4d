-- Runs once, when the local postgres_data volume is first initialised (docker-entrypoint-initdb.d).
-- The application's schema is owned by the backend's migrations; this only prepares the cluster.
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE DATABASE funlynk_test OWNER funlynk;
