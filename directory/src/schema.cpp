#include "schema.hpp"

#include <string>

#include "sqlite_handles.hpp"

namespace segel::directory::schema {

namespace {
// Migration N takes the schema from version N-1 to N. Never edit one that
// has shipped; add the next.
constexpr const char* k_migrations[] = {
    // 1: the first schema.
    R"sql(
CREATE TABLE people (
    id     INTEGER PRIMARY KEY,
    email  TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name   TEXT NOT NULL DEFAULT '',
    nip    TEXT NOT NULL DEFAULT '',
    unit   TEXT NOT NULL DEFAULT '',
    login  TEXT NOT NULL DEFAULT '' COLLATE NOCASE
);
CREATE TABLE certificates (
    id               INTEGER PRIMARY KEY,
    fingerprint      TEXT NOT NULL UNIQUE,
    serial           TEXT NOT NULL,
    issuer           TEXT NOT NULL,
    subject          TEXT NOT NULL,
    not_before       INTEGER NOT NULL,
    not_after        INTEGER NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('individual', 'position', 'system')),
    owner_id         INTEGER NOT NULL REFERENCES people(id),
    status           TEXT NOT NULL DEFAULT 'active'
                     CHECK (status IN ('active', 'superseded', 'revoked', 'expired')),
    reason           TEXT,
    status_effective INTEGER,
    der              BLOB NOT NULL,
    imported_at      INTEGER NOT NULL,
    UNIQUE (issuer, serial)
);
CREATE INDEX certificates_owner ON certificates(owner_id);
CREATE INDEX certificates_serial ON certificates(serial);
CREATE INDEX certificates_not_after ON certificates(not_after);
CREATE TABLE certificate_emails (
    email   TEXT NOT NULL COLLATE NOCASE,
    cert_id INTEGER NOT NULL REFERENCES certificates(id) ON DELETE CASCADE,
    PRIMARY KEY (email, cert_id)
) WITHOUT ROWID;
CREATE INDEX certificate_emails_cert ON certificate_emails(cert_id);
CREATE TABLE authorised_logins (
    login   TEXT NOT NULL COLLATE NOCASE,
    cert_id INTEGER NOT NULL REFERENCES certificates(id) ON DELETE CASCADE,
    PRIMARY KEY (login, cert_id)
) WITHOUT ROWID;
CREATE INDEX authorised_logins_cert ON authorised_logins(cert_id);
CREATE TABLE private_keys (
    cert_id       INTEGER PRIMARY KEY REFERENCES certificates(id) ON DELETE CASCADE,
    master_key_id TEXT NOT NULL,
    nonce         BLOB NOT NULL,
    ciphertext    BLOB NOT NULL
);
CREATE TABLE ca_certificates (
    fingerprint TEXT PRIMARY KEY,
    subject     TEXT NOT NULL,
    der         BLOB NOT NULL
);
CREATE INDEX ca_certificates_subject ON ca_certificates(subject);
CREATE TABLE reminders_sent (
    fingerprint    TEXT NOT NULL,
    threshold_days INTEGER NOT NULL,
    sent_at        INTEGER NOT NULL,
    PRIMARY KEY (fingerprint, threshold_days)
) WITHOUT ROWID;
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq  INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);
)sql",
    // 2: correspondents' certificates (issue 12, ENC-01).
    R"sql(
CREATE TABLE correspondent_certificates (
    id          INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    serial      TEXT NOT NULL,
    issuer      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    not_before  INTEGER NOT NULL,
    not_after   INTEGER NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('operator_import', 'harvested', 'domain')),
    domain      TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    learned_at  INTEGER NOT NULL,
    der         BLOB NOT NULL
);
CREATE INDEX correspondent_certificates_domain ON correspondent_certificates(domain);
CREATE TABLE correspondent_emails (
    email   TEXT NOT NULL COLLATE NOCASE,
    cert_id INTEGER NOT NULL REFERENCES correspondent_certificates(id) ON DELETE CASCADE,
    PRIMARY KEY (email, cert_id)
) WITHOUT ROWID;
CREATE INDEX correspondent_emails_cert ON correspondent_emails(cert_id);
)sql",
    // 3: encryption policy rules (issue 12, ENC-03) and what correspondents'
    // last verified signatures advertised (SMIMECapabilities).
    R"sql(
CREATE TABLE advertised_capabilities (
    email       TEXT PRIMARY KEY COLLATE NOCASE,
    aes256_gcm  INTEGER NOT NULL,
    rsa_oaep    INTEGER NOT NULL,
    learned_at  INTEGER NOT NULL
);
CREATE TABLE encryption_policies (
    scope         TEXT PRIMARY KEY COLLATE NOCASE,
    mode          TEXT CHECK (mode IN ('never', 'opportunistic', 'required')),
    cipher        TEXT CHECK (cipher IN ('auto', 'aes256-cbc', 'aes256-gcm')),
    key_transport TEXT CHECK (key_transport IN ('auto', 'rsa-pkcs1', 'rsa-oaep')),
    set_at        INTEGER NOT NULL,
    set_by        TEXT NOT NULL
);
)sql",
    // 4: harvested certificates that wait for an operator's approval, and
    // the Message-IDs of mail the gateway decrypted (issue 13, DEC-09).
    R"sql(
ALTER TABLE correspondent_certificates ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;
CREATE TABLE decrypted_messages (
    message_id   TEXT PRIMARY KEY,
    decrypted_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // 5: the message trace: what segel-milter decided for each message
    // (issue 15), pruned after its retention period.
    R"sql(
CREATE TABLE message_trace (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    queue_id   TEXT NOT NULL,
    message_id TEXT NOT NULL,
    direction  TEXT NOT NULL,
    decision   TEXT NOT NULL,
    action     TEXT NOT NULL,
    login      TEXT NOT NULL,
    sender     TEXT NOT NULL,
    recipients TEXT NOT NULL,
    serial     TEXT NOT NULL,
    reason     TEXT NOT NULL
);
CREATE INDEX message_trace_at ON message_trace(at);
)sql",
};
constexpr int k_migration_count = sizeof k_migrations / sizeof k_migrations[0];
static_assert(k_migration_count == k_current_version);

int user_version(sqlite3* db) {
    sql::Statement statement(db, "PRAGMA user_version");
    return statement.ok() && statement.step() == SQLITE_ROW ? static_cast<int>(statement.integer(0)) : -1;
}

Result<void> exec(sqlite3* db, const std::string& text) {
    char* message = nullptr;
    if (sqlite3_exec(db, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        std::string detail = message != nullptr ? message : sqlite3_errmsg(db);
        sqlite3_free(message);
        return make_error(ErrorKind::unavailable, detail);
    }
    return {};
}
} // namespace

Result<void> migrate(sqlite3* db) {
    const int version = user_version(db);
    if (version < 0)
        return make_error(ErrorKind::unavailable, std::string("cannot read the schema version: ") + sqlite3_errmsg(db));
    if (version > k_current_version)
        return make_error(ErrorKind::conflict, "the database has schema version " + std::to_string(version) +
                                                   "; this Segel knows up to " + std::to_string(k_current_version));
    for (int next = version + 1; next <= k_current_version; ++next) {
        const std::string script = std::string("BEGIN IMMEDIATE;") + k_migrations[next - 1] +
                                   "PRAGMA user_version = " + std::to_string(next) + "; COMMIT;";
        if (auto done = exec(db, script); !done) {
            sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr); // best effort; the error above is the news
            return make_error(ErrorKind::unavailable,
                              "migration to schema version " + std::to_string(next) + " failed: " + done.error().detail);
        }
    }
    return {};
}

} // namespace segel::directory::schema
