-- Roles and grants for a shared Segel directory on PostgreSQL 15.
--
-- Run once, as the role that owns the database, after `segel directory init`
-- (run as that owner) created the schema, and again after an upgrade that
-- adds tables:
--     psql "postgresql:///segel?host=/run/postgresql" -v ON_ERROR_STOP=1 -f roles.sql
--
-- segel_daemon   what every segel-milter node connects as: reads the
--                directory, appends to the audit chain (and moves its head),
--                remembers correspondents' certificates and capabilities
--                learned from verified signatures, the Message-IDs of
--                mail it decrypted, and the message trace (records what it
--                decided, prunes them after their retention). It never changes a certificate, a status
--                or a key, and never edits or deletes an audit entry.
-- segel_operator what `segel` (the RA's operators) connects as: changes
--                certificates, statuses, keys, correspondents and policy,
--                records reminders, and appends to the audit chain; it too
--                can neither edit nor delete an audit entry.
-- Both log in without a password here: give them peer authentication over
-- the unix socket (pg_hba.conf: local segel segel_daemon peer map=segel) or
-- a password in the connecting user's ~/.pgpass; never in the URL.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'segel_daemon') THEN
        CREATE ROLE segel_daemon LOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'segel_operator') THEN
        CREATE ROLE segel_operator LOGIN;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO segel_daemon, segel_operator', current_database());
END
$$;

GRANT USAGE ON SCHEMA public TO segel_daemon, segel_operator;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO segel_daemon, segel_operator;

-- The daemon: the audit chain (append; the head is locked FOR UPDATE and
-- moved), harvested correspondents, capabilities, decrypted Message-IDs.
GRANT INSERT ON audit_log TO segel_daemon;
GRANT UPDATE ON audit_head TO segel_daemon;
GRANT INSERT ON correspondent_certificates, correspondent_emails TO segel_daemon;
GRANT INSERT, UPDATE ON advertised_capabilities, decrypted_messages TO segel_daemon;
GRANT INSERT, DELETE ON message_trace TO segel_daemon;

-- Operators: everything but rewriting history and the schema version.
GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO segel_operator;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO segel_daemon, segel_operator;
REVOKE UPDATE, DELETE ON audit_log FROM segel_operator;
REVOKE DELETE ON audit_head FROM segel_operator;
REVOKE INSERT, UPDATE, DELETE ON segel_schema FROM segel_operator;
