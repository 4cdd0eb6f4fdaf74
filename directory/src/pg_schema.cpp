#include "pg_schema.hpp"

#include <string>

namespace segel::directory::pg::schema {

namespace {

// Migration N takes the schema from version N-1 to N. Never edit one that
// has shipped; add the next. Addresses, logins and scopes compare without
// case (unique indexes on lower()), as SQLite's COLLATE NOCASE does;
// fingerprints and serials compare bytewise (COLLATE "C").
constexpr const char* k_migrations[] = {
    // 1: the whole directory, as SQLite's schema version 4 has it.
    R"sql(
CREATE TABLE people (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email  text NOT NULL,
    name   text NOT NULL DEFAULT '',
    nip    text NOT NULL DEFAULT '',
    unit   text NOT NULL DEFAULT '',
    login  text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX people_email ON people (lower(email));
CREATE TABLE certificates (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fingerprint      text COLLATE "C" NOT NULL UNIQUE,
    serial           text COLLATE "C" NOT NULL,
    issuer           text NOT NULL,
    subject          text NOT NULL,
    not_before       bigint NOT NULL,
    not_after        bigint NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('individual', 'position', 'system')),
    owner_id         bigint NOT NULL REFERENCES people(id),
    status           text NOT NULL DEFAULT 'active'
                     CHECK (status IN ('active', 'superseded', 'revoked', 'expired')),
    reason           text,
    status_effective bigint,
    der              bytea NOT NULL,
    imported_at      bigint NOT NULL,
    UNIQUE (issuer, serial)
);
CREATE INDEX certificates_owner ON certificates(owner_id);
CREATE INDEX certificates_serial ON certificates(serial);
CREATE INDEX certificates_not_after ON certificates(not_after);
CREATE TABLE certificate_emails (
    email   text NOT NULL,
    cert_id bigint NOT NULL REFERENCES certificates(id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX certificate_emails_key ON certificate_emails (lower(email), cert_id);
CREATE INDEX certificate_emails_cert ON certificate_emails(cert_id);
CREATE TABLE authorised_logins (
    login   text NOT NULL,
    cert_id bigint NOT NULL REFERENCES certificates(id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX authorised_logins_key ON authorised_logins (lower(login), cert_id);
CREATE INDEX authorised_logins_cert ON authorised_logins(cert_id);
CREATE TABLE private_keys (
    cert_id       bigint PRIMARY KEY REFERENCES certificates(id) ON DELETE CASCADE,
    master_key_id text NOT NULL,
    nonce         bytea NOT NULL,
    ciphertext    bytea NOT NULL
);
CREATE TABLE ca_certificates (
    fingerprint text COLLATE "C" PRIMARY KEY,
    subject     text NOT NULL,
    der         bytea NOT NULL
);
CREATE INDEX ca_certificates_subject ON ca_certificates(subject);
CREATE TABLE reminders_sent (
    fingerprint    text COLLATE "C" NOT NULL,
    threshold_days integer NOT NULL,
    sent_at        bigint NOT NULL,
    PRIMARY KEY (fingerprint, threshold_days)
);
CREATE TABLE audit_log (
    seq       bigint PRIMARY KEY,
    at        bigint NOT NULL,
    actor     text NOT NULL,
    action    text NOT NULL,
    detail    text NOT NULL,
    prev_hash text NOT NULL,
    hash      text NOT NULL
);
-- One row from the start: appends lock it (SELECT ... FOR UPDATE), so
-- writers on every node append one after the other, the first ones too.
CREATE TABLE audit_head (
    id        integer PRIMARY KEY CHECK (id = 1),
    last_seq  bigint NOT NULL,
    last_hash text NOT NULL
);
INSERT INTO audit_head(id, last_seq, last_hash) VALUES (1, 0, '');
CREATE TABLE correspondent_certificates (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fingerprint text COLLATE "C" NOT NULL UNIQUE,
    serial      text COLLATE "C" NOT NULL,
    issuer      text NOT NULL,
    subject     text NOT NULL,
    not_before  bigint NOT NULL,
    not_after   bigint NOT NULL,
    source      text NOT NULL CHECK (source IN ('operator_import', 'harvested', 'domain')),
    domain      text NOT NULL DEFAULT '',
    learned_at  bigint NOT NULL,
    der         bytea NOT NULL,
    pending     boolean NOT NULL DEFAULT false
);
CREATE INDEX correspondent_certificates_domain ON correspondent_certificates (lower(domain));
CREATE TABLE correspondent_emails (
    email   text NOT NULL,
    cert_id bigint NOT NULL REFERENCES correspondent_certificates(id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX correspondent_emails_key ON correspondent_emails (lower(email), cert_id);
CREATE INDEX correspondent_emails_cert ON correspondent_emails(cert_id);
CREATE TABLE advertised_capabilities (
    email       text NOT NULL,
    aes256_gcm  boolean NOT NULL,
    rsa_oaep    boolean NOT NULL,
    learned_at  bigint NOT NULL
);
CREATE UNIQUE INDEX advertised_capabilities_email ON advertised_capabilities (lower(email));
CREATE TABLE encryption_policies (
    scope         text NOT NULL,
    mode          text CHECK (mode IN ('never', 'opportunistic', 'required')),
    cipher        text CHECK (cipher IN ('auto', 'aes256-cbc', 'aes256-gcm')),
    key_transport text CHECK (key_transport IN ('auto', 'rsa-pkcs1', 'rsa-oaep')),
    set_at        bigint NOT NULL,
    set_by        text NOT NULL
);
CREATE UNIQUE INDEX encryption_policies_scope ON encryption_policies (lower(scope));
CREATE TABLE decrypted_messages (
    message_id   text PRIMARY KEY,
    decrypted_at bigint NOT NULL
);
)sql",
    // 2: the message trace (SQLite's schema version 5).
    R"sql(
CREATE TABLE message_trace (
    id         bigserial PRIMARY KEY,
    at         bigint NOT NULL,
    queue_id   text NOT NULL,
    message_id text NOT NULL,
    direction  text NOT NULL,
    decision   text NOT NULL,
    action     text NOT NULL,
    login      text NOT NULL,
    sender     text NOT NULL,
    recipients text NOT NULL,
    serial     text NOT NULL,
    reason     text NOT NULL
);
CREATE INDEX message_trace_at ON message_trace(at);
)sql",
};
constexpr int k_current_version = sizeof k_migrations / sizeof k_migrations[0];

// Any number, as long as no other program on the same database uses it.
constexpr const char* k_migration_lock = "7306455112";

Result<int> current_version(Connection& connection) {
    auto exists = connection.run("SELECT to_regclass('segel_schema') IS NOT NULL");
    if (!exists)
        return exists.error();
    if (exists->text(0, 0) != "t")
        return 0;
    auto version = connection.run("SELECT max(version) FROM segel_schema");
    if (!version)
        return version.error();
    return version->is_null(0, 0) ? 0 : static_cast<int>(version->integer(0, 0));
}

Result<void> run_migrations(Connection& connection, int from) {
    for (int next = from + 1; next <= k_current_version; ++next) {
        const std::string script = std::string("BEGIN; CREATE TABLE IF NOT EXISTS segel_schema (version integer NOT NULL);") +
                                   k_migrations[next - 1] + "INSERT INTO segel_schema(version) VALUES (" +
                                   std::to_string(next) + "); COMMIT;";
        if (auto done = connection.run_script(script); !done) {
            connection.reusable(); // rolls the failed transaction back
            return make_error(done.error().kind, "migration to schema version " + std::to_string(next) +
                                                     " failed: " + done.error().detail);
        }
    }
    return {};
}

Result<void> check_not_newer(int version) {
    if (version > k_current_version)
        return make_error(ErrorKind::conflict, "the database has schema version " + std::to_string(version) +
                                                   "; this Segel knows up to " + std::to_string(k_current_version));
    return {};
}

} // namespace

Result<void> migrate(Connection& connection, bool create) {
    auto version = current_version(connection);
    if (!version)
        return version.error();
    if (*version == 0 && !create)
        return make_error(ErrorKind::unavailable,
                          "the PostgreSQL database holds no Segel directory; create it with `segel directory init`");
    if (auto checked = check_not_newer(*version); !checked || *version == k_current_version)
        return checked;
    if (auto locked = connection.run_script(std::string("SELECT pg_advisory_lock(") + k_migration_lock + ")"); !locked)
        return locked.error();
    version = current_version(connection); // another node may have migrated meanwhile
    Result<void> done = !version ? Result<void>(version.error()) : check_not_newer(*version);
    if (done)
        done = run_migrations(connection, *version);
    auto unlocked = connection.run_script(std::string("SELECT pg_advisory_unlock(") + k_migration_lock + ")");
    return done && !unlocked ? unlocked : done;
}

} // namespace segel::directory::pg::schema
