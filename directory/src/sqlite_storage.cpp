#include "sqlite_storage.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema.hpp"
#include "sqlite_correspondents.hpp"
#include "sqlite_policies.hpp"
#include "sqlite_trace.hpp"
#include "sqlite_handles.hpp"

namespace segel::directory {

namespace {

Result<void> exec(sqlite3* db, const char* text) {
    if (sqlite3_exec(db, text, nullptr, nullptr, nullptr) != SQLITE_OK)
        return db_error(db, std::string("\"") + text + "\" failed");
    return {};
}

std::optional<std::pair<dev_t, ino_t>> file_identity(const std::string& path) {
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0)
        return std::nullopt;
    return std::make_pair(status.st_dev, status.st_ino);
}

// Opens and migrates one connection (WAL, foreign keys).
Result<sql::DbPtr> open_connection(const std::string& path, const SqliteStorageOptions& options) {
    sqlite3* raw = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (options.create ? SQLITE_OPEN_CREATE : 0);
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    sql::DbPtr db(raw);
    if (rc != SQLITE_OK)
        return make_error(ErrorKind::unavailable,
                          "cannot open " + path + ": " + (raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"));
    sqlite3_busy_timeout(db.get(), static_cast<int>(options.busy_timeout.count()));
    for (const char* pragma : {"PRAGMA journal_mode = WAL", "PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL"})
        if (auto done = exec(db.get(), pragma); !done)
            return done.error();
    if (auto migrated = schema::migrate(db.get()); !migrated)
        return migrated.error();
    return db;
}

struct State {
    std::mutex mutex;
    std::string path;
    std::optional<std::pair<dev_t, ino_t>> identity; // of the file opened; none in memory
    sql::DbPtr db;
    sql::StatementCache statements{nullptr}; // after db: destroyed first
    SqliteStorageOptions options;
    std::atomic<bool> replaced{false}; // read without the mutex (a session may hold it)
};

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty())
            out.push_back(line);
    return out;
}

constexpr const char* k_record_columns =
    "SELECT c.id, c.fingerprint, c.serial, c.issuer, c.subject, c.not_before, c.not_after, c.kind, p.email, "
    "c.status, c.reason, c.status_effective, c.der, "
    "EXISTS (SELECT 1 FROM private_keys k WHERE k.cert_id = c.id), "
    "(SELECT group_concat(e.email, char(10)) FROM certificate_emails e WHERE e.cert_id = c.id), "
    "(SELECT group_concat(a.login, char(10)) FROM authorised_logins a WHERE a.cert_id = c.id), c.imported_at "
    "FROM certificates c JOIN people p ON p.id = c.owner_id ";

CertificateRecord read_record(const sql::Statement& row) {
    CertificateRecord record;
    record.fingerprint = row.text(1);
    record.serial = row.text(2);
    record.issuer = row.text(3);
    record.subject = row.text(4);
    record.not_before = from_seconds(row.integer(5));
    record.not_after = from_seconds(row.integer(6));
    record.kind = parse_certificate_kind(row.text(7)).value_or(CertificateKind::individual);
    record.owner_email = row.text(8);
    record.status = parse_certificate_status(row.text(9)).value_or(CertificateStatus::active);
    if (!row.is_null(10))
        record.reason = parse_revocation_reason(row.text(10));
    if (!row.is_null(11))
        record.status_effective = from_seconds(row.integer(11));
    record.der = row.blob(12);
    record.has_private_key = row.integer(13) != 0;
    record.emails = split_lines(row.text(14));
    record.authorised_logins = split_lines(row.text(15));
    record.imported_at = from_seconds(row.integer(16));
    return record;
}

// The WHERE and ORDER BY of a filter, with its parameters in order.
std::string filter_sql(const CertificateFilter& filter, std::vector<std::string>& binds) {
    std::vector<std::string> conditions;
    const auto next = [&](std::string value) {
        binds.push_back(std::move(value));
        return "?" + std::to_string(binds.size());
    };
    if (filter.fingerprint_prefix) {
        const std::string p = next(*filter.fingerprint_prefix);
        conditions.push_back("c.fingerprint >= " + p + " AND c.fingerprint < " + p + " || 'g'");
    }
    if (filter.serial)
        conditions.push_back("c.serial = " + next(*filter.serial));
    if (filter.issuer)
        conditions.push_back("c.issuer = " + next(*filter.issuer));
    if (filter.email)
        conditions.push_back("c.id IN (SELECT cert_id FROM certificate_emails WHERE email = " + next(*filter.email) + ")");
    if (filter.with_private_key_only)
        conditions.emplace_back("EXISTS (SELECT 1 FROM private_keys k WHERE k.cert_id = c.id)");
    if (filter.text) {
        const std::string t = next("%" + *filter.text + "%");
        conditions.push_back("(p.email LIKE " + t + " OR p.name LIKE " + t + " OR p.nip LIKE " + t + " OR p.unit LIKE " +
                             t + " OR c.serial LIKE " + t + " OR c.fingerprint LIKE " + t + " OR c.subject LIKE " + t +
                             " OR EXISTS (SELECT 1 FROM certificate_emails e WHERE e.cert_id = c.id AND e.email LIKE " +
                             t + "))");
    }
    std::string where;
    for (const auto& condition : conditions)
        where += (where.empty() ? "WHERE " : " AND ") + condition;
    where += filter.order == CertificateFilter::Order::newest_first ? " ORDER BY c.not_before DESC, c.id DESC"
                                                                    : " ORDER BY p.unit, p.email, c.not_before";
    if (filter.limit > 0)
        where += " LIMIT " + std::to_string(filter.limit);
    return where;
}

class SqliteSession final : public StorageSession {
public:
    SqliteSession(std::unique_lock<std::mutex> lock, State& state)
        : m_lock(std::move(lock)), m_db(state.db.get()), m_cache(state.statements) {}
    ~SqliteSession() override {
        if (m_in_transaction)
            sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
    }

    Result<void> begin_write() override {
        auto begun = exec(m_db, "BEGIN IMMEDIATE");
        m_in_transaction = begun.has_value();
        return begun;
    }
    Result<void> commit() override {
        auto done = exec(m_db, "COMMIT");
        if (done)
            m_in_transaction = false;
        return done;
    }

    Result<std::optional<Person>> person(std::string_view email) override {
        sql::Statement select = m_cache.prepare("SELECT email, name, nip, unit, login FROM people WHERE email = ?1");
        select.bind(1, email);
        const int rc = select.step();
        if (rc == SQLITE_DONE)
            return std::optional<Person>();
        if (rc != SQLITE_ROW)
            return db_error(m_db, "cannot read a person");
        return std::optional<Person>(read_person(select));
    }

    Result<std::vector<Person>> people() override {
        sql::Statement select = m_cache.prepare("SELECT email, name, nip, unit, login FROM people ORDER BY unit, email");
        std::vector<Person> people;
        int rc = 0;
        while ((rc = select.step()) == SQLITE_ROW)
            people.push_back(read_person(select));
        if (rc != SQLITE_DONE)
            return db_error(m_db, "cannot read people");
        return people;
    }

    Result<void> upsert_person(const Person& person) override {
        sql::Statement upsert = m_cache.prepare(
            "INSERT INTO people(email, name, nip, unit, login) VALUES (?1, ?2, ?3, ?4, ?5) "
            "ON CONFLICT(email) DO UPDATE SET "
            "name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE name END, "
            "nip = CASE WHEN excluded.nip <> '' THEN excluded.nip ELSE nip END, "
            "unit = CASE WHEN excluded.unit <> '' THEN excluded.unit ELSE unit END, "
            "login = CASE WHEN excluded.login <> '' THEN excluded.login ELSE login END");
        upsert.bind(1, person.email).bind(2, person.name).bind(3, person.nip).bind(4, person.unit).bind(5, person.login);
        if (upsert.step() != SQLITE_DONE)
            return db_error(m_db, "cannot store person " + person.email);
        return {};
    }

    Result<bool> insert_correspondent(const CorrespondentRecord& record) override {
        return sqlite_correspondents::insert(m_cache, record);
    }
    Result<std::vector<CorrespondentRecord>> correspondents(const CorrespondentFilter& filter) override {
        return sqlite_correspondents::select(m_cache, filter);
    }
    Result<bool> delete_correspondent(const std::string& fingerprint) override {
        return sqlite_correspondents::remove(m_cache, fingerprint);
    }
    Result<bool> approve_correspondent(const std::string& fingerprint) override {
        return sqlite_correspondents::approve(m_cache, fingerprint);
    }

    Result<std::vector<PolicyRule>> policy_rules() override { return sqlite_policies::select(m_cache); }
    Result<void> put_policy_rule(const PolicyRule& rule) override { return sqlite_policies::put(m_cache, rule); }
    Result<bool> delete_policy_rule(const std::string& scope) override {
        return sqlite_policies::remove(m_cache, scope);
    }
    Result<void> put_capabilities(const std::string& email, const smime::AdvertisedAlgorithms& advertised,
                                  TimePoint at) override {
        return sqlite_policies::put_capabilities(m_cache, email, advertised, at);
    }
    Result<void> put_decrypted_message(const std::string& message_id, TimePoint at) override {
        return sqlite_policies::put_decrypted_message(m_cache, message_id, at);
    }
    Result<bool> any_decrypted(const std::vector<std::string>& message_ids) override {
        return sqlite_policies::any_decrypted(m_cache, message_ids);
    }
    Result<std::optional<smime::AdvertisedAlgorithms>> capabilities(const std::string& email) override {
        return sqlite_policies::capabilities(m_cache, email);
    }
    Result<std::vector<CapabilitiesRow>> all_capabilities() override {
        return sqlite_policies::all_capabilities(m_cache);
    }
    Result<std::vector<DecryptedMessageRow>> decrypted_messages() override {
        return sqlite_policies::decrypted_messages(m_cache);
    }

    Result<void> append_trace(const std::vector<TraceRecord>& records) override {
        return sqlite_trace::append(m_cache, records);
    }
    Result<std::vector<TraceRecord>> trace(const TraceQuery& query) override {
        return sqlite_trace::select(m_cache, query);
    }
    Result<std::int64_t> prune_trace(TimePoint before) override { return sqlite_trace::prune(m_cache, before); }

    Result<std::vector<CertificateRecord>> certificates(const CertificateFilter& filter) override {
        std::vector<std::string> binds;
        sql::Statement select = m_cache.prepare(std::string(k_record_columns) + filter_sql(filter, binds));
        if (!select.ok())
            return make_error(ErrorKind::internal, "bad query: " + select.prepare_error());
        for (std::size_t i = 0; i < binds.size(); ++i)
            select.bind(static_cast<int>(i + 1), binds[i]);
        std::vector<CertificateRecord> records;
        int rc = 0;
        while ((rc = select.step()) == SQLITE_ROW)
            records.push_back(read_record(select));
        if (rc != SQLITE_DONE)
            return db_error(m_db, "cannot read certificates");
        return records;
    }

    Result<bool> insert_certificate(const CertificateRecord& record, TimePoint imported_at) override {
        if (auto id = certificate_id(record.fingerprint); !id || *id != 0)
            return id ? Result<bool>(false) : Result<bool>(id.error());
        sql::Statement insert = m_cache.prepare(
            "INSERT INTO certificates(fingerprint, serial, issuer, subject, not_before, not_after, kind, owner_id, der, "
            "imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, (SELECT id FROM people WHERE email = ?8), ?9, ?10)");
        insert.bind(1, record.fingerprint).bind(2, record.serial).bind(3, record.issuer).bind(4, record.subject);
        insert.bind(5, to_seconds(record.not_before)).bind(6, to_seconds(record.not_after));
        insert.bind(7, to_string(record.kind)).bind(8, record.owner_email).bind_blob(9, record.der);
        insert.bind(10, to_seconds(imported_at));
        if (insert.step() != SQLITE_DONE)
            return sqlite3_errcode(m_db) == SQLITE_CONSTRAINT
                       ? make_error(ErrorKind::conflict, "another certificate with serial " + record.serial +
                                                             " from the same issuer is already stored")
                       : db_error(m_db, "cannot store the certificate");
        const std::int64_t id = sqlite3_last_insert_rowid(m_db);
        for (const auto& email : record.emails) {
            sql::Statement add = m_cache.prepare("INSERT OR IGNORE INTO certificate_emails(email, cert_id) VALUES (?1, ?2)");
            add.bind(1, email).bind(2, id);
            if (add.step() != SQLITE_DONE)
                return db_error(m_db, "cannot index the certificate's addresses");
        }
        for (const auto& login : record.authorised_logins)
            if (auto added = set_login(record.fingerprint, login, true); !added)
                return added.error();
        return true;
    }

    Result<bool> set_status(const std::string& fingerprint, CertificateStatus status,
                            std::optional<RevocationReason> reason, std::optional<TimePoint> effective) override {
        sql::Statement update = m_cache.prepare(
            "UPDATE certificates SET status = ?2, reason = ?3, status_effective = ?4 WHERE fingerprint = ?1");
        update.bind(1, fingerprint).bind(2, to_string(status));
        if (reason)
            update.bind(3, to_string(*reason));
        else
            update.bind_null(3);
        update.bind_optional(4, effective ? std::optional<std::int64_t>(to_seconds(*effective)) : std::nullopt);
        if (update.step() != SQLITE_DONE)
            return db_error(m_db, "cannot change a certificate's status");
        return sqlite3_changes(m_db) > 0;
    }

    Result<bool> set_login(const std::string& fingerprint, std::string_view login, bool present) override {
        sql::Statement change = m_cache.prepare(
            present ? "INSERT OR IGNORE INTO authorised_logins(login, cert_id) "
                      "SELECT ?1, id FROM certificates WHERE fingerprint = ?2"
                    : "DELETE FROM authorised_logins WHERE login = ?1 "
                      "AND cert_id = (SELECT id FROM certificates WHERE fingerprint = ?2)");
        change.bind(1, login).bind(2, fingerprint);
        if (change.step() != SQLITE_DONE)
            return db_error(m_db, present ? "cannot authorise" : "cannot unauthorise");
        return sqlite3_changes(m_db) > 0;
    }

    Result<std::optional<smime::SealedKey>> sealed_key(const std::string& fingerprint) override {
        sql::Statement row = m_cache.prepare("SELECT k.master_key_id, k.nonce, k.ciphertext FROM private_keys k "
                                             "JOIN certificates c ON c.id = k.cert_id WHERE c.fingerprint = ?1");
        row.bind(1, fingerprint);
        const int rc = row.step();
        if (rc == SQLITE_DONE)
            return std::optional<smime::SealedKey>();
        if (rc != SQLITE_ROW)
            return db_error(m_db, "cannot read a sealed key");
        return std::optional<smime::SealedKey>(smime::SealedKey{row.text(0), row.blob(1), row.blob(2)});
    }

    Result<std::vector<std::pair<std::string, smime::SealedKey>>> sealed_keys() override {
        sql::Statement select = m_cache.prepare("SELECT c.fingerprint, k.master_key_id, k.nonce, k.ciphertext "
                                                "FROM private_keys k JOIN certificates c ON c.id = k.cert_id");
        std::vector<std::pair<std::string, smime::SealedKey>> keys;
        int rc = 0;
        while ((rc = select.step()) == SQLITE_ROW)
            keys.emplace_back(select.text(0), smime::SealedKey{select.text(1), select.blob(2), select.blob(3)});
        if (rc != SQLITE_DONE)
            return db_error(m_db, "cannot read the sealed keys");
        return keys;
    }

    Result<void> put_sealed_key(const std::string& fingerprint, const smime::SealedKey& key, bool replace) override {
        sql::Statement put = m_cache.prepare(
            std::string("INSERT INTO private_keys(cert_id, master_key_id, nonce, ciphertext) "
                        "SELECT id, ?2, ?3, ?4 FROM certificates WHERE fingerprint = ?1 ON CONFLICT(cert_id) ") +
            (replace ? "DO UPDATE SET master_key_id = excluded.master_key_id, nonce = excluded.nonce, "
                       "ciphertext = excluded.ciphertext"
                     : "DO NOTHING"));
        put.bind(1, fingerprint).bind(2, key.master_key_id).bind_blob(3, key.nonce).bind_blob(4, key.ciphertext);
        if (put.step() != SQLITE_DONE)
            return db_error(m_db, "cannot store a sealed private key");
        return {};
    }

    Result<void> add_ca_certificate(const smime::Certificate& ca) override {
        sql::Statement add =
            m_cache.prepare("INSERT OR IGNORE INTO ca_certificates(fingerprint, subject, der) VALUES (?1, ?2, ?3)");
        add.bind(1, ca.sha256_fingerprint_hex()).bind(2, ca.subject()).bind_blob(3, ca.der());
        if (add.step() != SQLITE_DONE)
            return db_error(m_db, "cannot store an issuing CA certificate");
        return {};
    }

    Result<std::optional<std::string>> ca_certificate_der(const std::string& subject) override {
        sql::Statement ca = m_cache.prepare("SELECT der FROM ca_certificates WHERE subject = ?1 LIMIT 1");
        ca.bind(1, subject);
        const int rc = ca.step();
        if (rc == SQLITE_DONE)
            return std::optional<std::string>();
        if (rc != SQLITE_ROW)
            return db_error(m_db, "cannot read a CA certificate");
        return std::optional<std::string>(ca.blob(0));
    }

    Result<std::vector<std::string>> ca_certificates_der() override {
        sql::Statement select = m_cache.prepare("SELECT der FROM ca_certificates ORDER BY fingerprint");
        std::vector<std::string> ders;
        int rc = 0;
        while ((rc = select.step()) == SQLITE_ROW)
            ders.push_back(select.blob(0));
        if (rc != SQLITE_DONE)
            return db_error(m_db, "cannot read the CA certificates");
        return ders;
    }

    Result<bool> release_reminder(std::string_view fingerprint, int threshold_days) override {
        sql::Statement remove =
            m_cache.prepare("DELETE FROM reminders_sent WHERE fingerprint = ?1 AND threshold_days = ?2");
        remove.bind(1, fingerprint).bind(2, static_cast<std::int64_t>(threshold_days));
        if (remove.step() != SQLITE_DONE)
            return db_error(m_db, "cannot undo a reminder's claim");
        return sqlite3_changes(m_db) > 0;
    }

    Result<std::vector<ReminderRow>> reminders() override {
        sql::Statement select =
            m_cache.prepare("SELECT fingerprint, threshold_days, sent_at FROM reminders_sent ORDER BY fingerprint");
        std::vector<ReminderRow> rows;
        int rc = 0;
        while ((rc = select.step()) == SQLITE_ROW)
            rows.push_back(ReminderRow{select.text(0), static_cast<int>(select.integer(1)),
                                       from_seconds(select.integer(2))});
        if (rc != SQLITE_DONE)
            return db_error(m_db, "cannot read the reminders");
        return rows;
    }

    Result<bool> reminder_recorded(std::string_view fingerprint, int threshold_days) override {
        sql::Statement select =
            m_cache.prepare("SELECT 1 FROM reminders_sent WHERE fingerprint = ?1 AND threshold_days = ?2");
        select.bind(1, fingerprint).bind(2, static_cast<std::int64_t>(threshold_days));
        const int rc = select.step();
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return db_error(m_db, "cannot read the reminders");
        return rc == SQLITE_ROW;
    }

    Result<bool> claim_reminder(std::string_view fingerprint, int threshold_days, TimePoint at) override {
        sql::Statement insert = m_cache.prepare(
            "INSERT OR IGNORE INTO reminders_sent(fingerprint, threshold_days, sent_at) VALUES (?1, ?2, ?3)");
        insert.bind(1, fingerprint).bind(2, static_cast<std::int64_t>(threshold_days)).bind(3, to_seconds(at));
        if (insert.step() != SQLITE_DONE)
            return db_error(m_db, "cannot record a reminder");
        return sqlite3_changes(m_db) > 0;
    }

    // BEGIN IMMEDIATE already holds the database's one write lock.
    Result<AuditHead> lock_audit_head() override { return audit_head(); }

    Result<void> append_audit(const AuditRow& row) override {
        sql::Statement insert = m_cache.prepare("INSERT INTO audit_log(seq, at, actor, action, detail, prev_hash, hash) "
                                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        insert.bind(1, row.seq).bind(2, row.at).bind(3, row.actor).bind(4, row.action).bind(5, row.detail);
        insert.bind(6, row.prev_hash).bind(7, row.hash);
        if (insert.step() != SQLITE_DONE)
            return db_error(m_db, "cannot append to the audit log");
        sql::Statement head = m_cache.prepare(
            "INSERT INTO audit_head(id, last_seq, last_hash) VALUES (1, ?1, ?2) "
            "ON CONFLICT(id) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash");
        head.bind(1, row.seq).bind(2, row.hash);
        if (head.step() != SQLITE_DONE)
            return db_error(m_db, "cannot update the audit head");
        return {};
    }

    Result<std::vector<AuditRow>> audit_rows() override {
        sql::Statement select =
            m_cache.prepare("SELECT seq, at, actor, action, detail, prev_hash, hash FROM audit_log ORDER BY seq");
        std::vector<AuditRow> rows;
        int rc = 0;
        while ((rc = select.step()) == SQLITE_ROW)
            rows.push_back(AuditRow{select.integer(0), select.integer(1), select.text(2), select.text(3),
                                    select.text(4), select.text(5), select.text(6)});
        if (rc != SQLITE_DONE)
            return db_error(m_db, "cannot read the audit log");
        return rows;
    }

    Result<AuditHead> audit_head() override {
        sql::Statement head = m_cache.prepare("SELECT last_seq, last_hash FROM audit_head WHERE id = 1");
        const int rc = head.step();
        if (rc == SQLITE_DONE)
            return AuditHead{};
        if (rc != SQLITE_ROW)
            return db_error(m_db, "cannot read the audit head");
        return AuditHead{head.integer(0), head.text(1)};
    }

private:
    static Person read_person(const sql::Statement& row) {
        return Person{row.text(0), row.text(1), row.text(2), row.text(3), row.text(4)};
    }

    Result<std::int64_t> certificate_id(const std::string& fingerprint) {
        sql::Statement existing = m_cache.prepare("SELECT id FROM certificates WHERE fingerprint = ?1");
        existing.bind(1, fingerprint);
        const int rc = existing.step();
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return db_error(m_db, "cannot look up a certificate");
        return rc == SQLITE_ROW ? existing.integer(0) : 0;
    }

    std::unique_lock<std::mutex> m_lock;
    sqlite3* m_db;
    sql::StatementCache& m_cache;
    bool m_in_transaction = false;
};

class SqliteStorage final : public DirectoryStorage {
public:
    explicit SqliteStorage(std::unique_ptr<State> state) : m_state(std::move(state)) {}

    Result<std::unique_ptr<StorageSession>> session() override {
        auto lock = lock_current();
        if (!lock)
            return lock.error();
        return std::unique_ptr<StorageSession>(new SqliteSession(std::move(lock).value(), *m_state));
    }

    bool take_replaced_flag() override { return m_state->replaced.exchange(false); }

private:
    // A database file replaced under us (a restore renamed over it) is
    // noticed by its device and inode: our WAL is checkpointed into the old
    // file and emptied, so it can never be replayed into the new one
    // (SQLite's "renamed while in use" corruption), and the new file is
    // opened in its place.
    Result<std::unique_lock<std::mutex>> lock_current() {
        State& state = *m_state;
        std::unique_lock lock(state.mutex);
        if (!state.identity)
            return lock;
        const auto now = file_identity(state.path);
        if (now == state.identity)
            return lock;
        sqlite3_wal_checkpoint_v2(state.db.get(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
        state.statements = sql::StatementCache(nullptr);
        state.db.reset();
        state.replaced = true;
        if (!now)
            return make_error(ErrorKind::unavailable, "the directory database " + state.path +
                                                          " was moved or deleted while in use");
        SqliteStorageOptions options = state.options;
        options.create = false;
        auto db = open_connection(state.path, options);
        if (!db)
            return db.error();
        state.db = std::move(db).value();
        state.statements = sql::StatementCache(state.db.get());
        state.identity = now;
        if (state.options.on_reopen)
            state.options.on_reopen("the directory database " + state.path + " was replaced; reopened it");
        return lock;
    }

    std::unique_ptr<State> m_state;
};

} // namespace

Result<std::unique_ptr<DirectoryStorage>> open_sqlite_storage(const std::string& path, SqliteStorageOptions options) {
    const bool in_memory = path == ":memory:";
    if (!in_memory && !options.create && ::access(path.c_str(), F_OK) != 0)
        return make_error(ErrorKind::unavailable, "the directory database " + path +
                                                      " does not exist; create it with `segel directory init`");
    if (!in_memory && options.create && ::access(path.c_str(), F_OK) != 0) {
        // Create the file ourselves so its mode is 0640 whatever the umask;
        // SQLite gives its -wal and -shm files the same mode.
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
        if (fd < 0)
            return make_error(ErrorKind::unavailable, "cannot create " + path + ": " + std::strerror(errno));
        ::fchmod(fd, 0640);
        ::close(fd);
    }
    auto db = open_connection(path, options);
    if (!db)
        return db.error();
    auto state = std::make_unique<State>();
    state->path = path;
    if (!in_memory)
        state->identity = file_identity(path);
    state->db = std::move(db).value();
    state->statements = sql::StatementCache(state->db.get());
    state->options = std::move(options);
    return std::unique_ptr<DirectoryStorage>(new SqliteStorage(std::move(state)));
}

} // namespace segel::directory
