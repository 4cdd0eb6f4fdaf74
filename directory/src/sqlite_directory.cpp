#include "directory/sqlite_directory.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <unordered_map>
#include <mutex>
#include <optional>
#include <utility>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "audit_chain.hpp"
#include "parsed_cache.hpp"
#include "schema.hpp"
#include "signing_selection.hpp"
#include "sqlite_handles.hpp"

namespace segel::directory {

struct SqliteDirectory::State {
    std::mutex mutex;
    std::string path;
    std::optional<std::pair<dev_t, ino_t>> identity; // of the file opened; none in memory
    sql::DbPtr db;
    sql::StatementCache statements{nullptr}; // after db: destroyed first
    SqliteOptions options;
    ParsedCache parsed{4096}; // about 4096 x 5 KB at most
    std::unordered_map<std::string, std::vector<smime::Certificate>> chains; // by issuer DN; cleared on import
};

namespace {

std::int64_t to_seconds(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
TimePoint from_seconds(std::int64_t s) { return TimePoint(std::chrono::seconds(s)); }

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

Error db_error(sqlite3* db, const std::string& what) {
    const int code = sqlite3_errcode(db);
    const ErrorKind kind = (code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_IOERR ||
                            code == SQLITE_READONLY || code == SQLITE_CANTOPEN || code == SQLITE_FULL)
                               ? ErrorKind::unavailable
                               : ErrorKind::internal;
    return make_error(kind, what + ": " + sqlite3_errmsg(db));
}

Result<void> exec(sqlite3* db, const char* text) {
    if (sqlite3_exec(db, text, nullptr, nullptr, nullptr) != SQLITE_OK)
        return db_error(db, std::string("\"") + text + "\" failed");
    return {};
}

// BEGIN IMMEDIATE ... COMMIT, rolled back unless committed.
class Transaction {
public:
    explicit Transaction(sqlite3* db) : m_db(db) {}
    ~Transaction() {
        if (m_open)
            sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    Result<void> begin() {
        auto begun = exec(m_db, "BEGIN IMMEDIATE");
        m_open = begun.has_value();
        return begun;
    }
    Result<void> commit() {
        auto done = exec(m_db, "COMMIT");
        if (done)
            m_open = false;
        return done;
    }

private:
    sqlite3* m_db;
    bool m_open = false;
};

bool valid_login(std::string_view login) {
    return !login.empty() && login.size() <= 256 &&
           std::all_of(login.begin(), login.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

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
    "(SELECT group_concat(a.login, char(10)) FROM authorised_logins a WHERE a.cert_id = c.id) "
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
    return record;
}

Result<std::vector<CertificateRecord>> load_records(sql::StatementCache& cache, const std::string& where,
                                                    const std::vector<std::string>& binds) {
    sqlite3* db = cache.db();
    sql::Statement select = cache.prepare(std::string(k_record_columns) + where);
    if (!select.ok())
        return make_error(ErrorKind::internal, "bad query: " + select.prepare_error());
    for (std::size_t i = 0; i < binds.size(); ++i)
        select.bind(static_cast<int>(i + 1), binds[i]);
    std::vector<CertificateRecord> records;
    int rc = 0;
    while ((rc = select.step()) == SQLITE_ROW)
        records.push_back(read_record(select));
    if (rc != SQLITE_DONE)
        return db_error(db, "cannot read certificates");
    return records;
}

Result<std::int64_t> resolve(sql::StatementCache& cache, std::string_view reference) {
    const std::string ref = lower(reference);
    const bool hex = ref.size() >= 8 && std::all_of(ref.begin(), ref.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
    std::vector<std::int64_t> ids;
    if (hex) {
        sql::Statement by_fingerprint = cache.prepare("SELECT id FROM certificates WHERE fingerprint >= ?1 AND fingerprint < ?1 || 'g' LIMIT 2");
        by_fingerprint.bind(1, ref);
        while (by_fingerprint.step() == SQLITE_ROW)
            ids.push_back(by_fingerprint.integer(0));
    }
    if (ids.empty()) {
        std::string serial(reference);
        std::transform(serial.begin(), serial.end(), serial.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        const auto first = serial.find_first_not_of('0');
        serial = first == std::string::npos ? std::string("0") : serial.substr(first);
        sql::Statement by_serial = cache.prepare("SELECT id FROM certificates WHERE serial = ?1 LIMIT 2");
        by_serial.bind(1, serial);
        while (by_serial.step() == SQLITE_ROW)
            ids.push_back(by_serial.integer(0));
    }
    if (ids.empty())
        return make_error(ErrorKind::not_found, "no certificate with fingerprint or serial " + std::string(reference));
    if (ids.size() > 1)
        return make_error(ErrorKind::conflict, std::string(reference) + " names more than one certificate; give more of the fingerprint");
    return ids.front();
}

Result<std::int64_t> upsert_person(sql::StatementCache& cache, const Person& person) {
    sqlite3* db = cache.db();
    sql::Statement upsert(db,
                          "INSERT INTO people(email, name, nip, unit, login) VALUES (?1, ?2, ?3, ?4, ?5) "
                          "ON CONFLICT(email) DO UPDATE SET "
                          "name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE name END, "
                          "nip = CASE WHEN excluded.nip <> '' THEN excluded.nip ELSE nip END, "
                          "unit = CASE WHEN excluded.unit <> '' THEN excluded.unit ELSE unit END, "
                          "login = CASE WHEN excluded.login <> '' THEN excluded.login ELSE login END "
                          "RETURNING id");
    upsert.bind(1, lower(person.email)).bind(2, person.name).bind(3, person.nip).bind(4, person.unit).bind(5, person.login);
    if (upsert.step() != SQLITE_ROW)
        return db_error(db, "cannot store person " + person.email);
    return upsert.integer(0);
}

std::string describe_person(const Person& p) {
    return "email=" + p.email + "; name=" + p.name + "; nip=" + p.nip + "; unit=" + p.unit + "; login=" + p.login;
}

} // namespace

namespace {

std::optional<std::pair<dev_t, ino_t>> file_identity(const std::string& path) {
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0)
        return std::nullopt;
    return std::make_pair(status.st_dev, status.st_ino);
}

// Opens and migrates one connection (WAL, foreign keys).
Result<sql::DbPtr> open_connection(const std::string& path, const SqliteOptions& options) {
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

} // namespace

SqliteDirectory::SqliteDirectory(std::unique_ptr<State> state) : m_state(std::move(state)) {}
SqliteDirectory::~SqliteDirectory() = default;

Result<std::unique_ptr<SqliteDirectory>> SqliteDirectory::open(const std::string& path, SqliteOptions options) {
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
    for (auto& domain : options.domains)
        domain = lower(domain);
    auto state = std::make_unique<State>();
    state->path = path;
    if (!in_memory)
        state->identity = file_identity(path);
    state->db = std::move(db).value();
    state->statements = sql::StatementCache(state->db.get());
    state->options = std::move(options);
    return std::unique_ptr<SqliteDirectory>(new SqliteDirectory(std::move(state)));
}

namespace {
// The directory's one lock, taken by every operation. A database file
// replaced under us (a restore renamed over it) is noticed here by its
// device and inode: our WAL is checkpointed into the old file and emptied,
// so it can never be replayed into the new one (SQLite's "renamed while in
// use" corruption), and the new file is opened in its place.
Result<std::unique_lock<std::mutex>> lock_current(SqliteDirectory::State& state) {
    std::unique_lock lock(state.mutex);
    if (!state.identity)
        return lock;
    const auto now = file_identity(state.path);
    if (now == state.identity)
        return lock;
    sqlite3_wal_checkpoint_v2(state.db.get(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    state.statements = sql::StatementCache(nullptr);
    state.db.reset();
    state.parsed.clear();
    state.chains.clear();
    if (!now)
        return make_error(ErrorKind::unavailable, "the directory database " + state.path +
                                                      " was moved or deleted while in use");
    SqliteOptions options = state.options;
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
} // namespace

namespace {
// The issuing chain from stored CA certificates, up to but not including the
// root (CH-12).
std::vector<smime::Certificate> stored_chain(sql::StatementCache& cache, const smime::Certificate& cert) {
    std::vector<smime::Certificate> chain;
    std::string issuer = cert.issuer();
    for (int depth = 0; depth < 8; ++depth) {
        sql::Statement ca = cache.prepare("SELECT der FROM ca_certificates WHERE subject = ?1 LIMIT 1");
        ca.bind(1, issuer);
        if (ca.step() != SQLITE_ROW)
            break;
        auto parsed = smime::Certificate::from_der(ca.blob(0));
        if (!parsed || parsed->is_self_signed())
            break;
        issuer = parsed->issuer();
        chain.push_back(std::move(parsed).value());
    }
    return chain;
}

Result<void> check_domain(const SqliteOptions& options, std::string_view email) {
    if (options.domains.empty())
        return {};
    const auto at = email.rfind('@');
    const std::string domain = at == std::string_view::npos ? std::string() : lower(email.substr(at + 1));
    if (std::find(options.domains.begin(), options.domains.end(), domain) == options.domains.end()) {
        std::string allowed;
        for (const auto& d : options.domains)
            allowed += (allowed.empty() ? "" : ", ") + d;
        return make_error(ErrorKind::invalid_input,
                          std::string(email) + " is outside the internal domains (" + allowed + ")");
    }
    return {};
}
} // namespace

Result<ImportOutcome> SqliteDirectory::import_certificate(const ImportRequest& request, const Actor& actor) {
    const auto& cert = request.certificate;
    const std::string owner_email = lower(request.owner.email);
    if (owner_email.empty() || owner_email.find('@') == std::string::npos)
        return make_error(ErrorKind::invalid_input, "the owner needs an email address");
    if (!valid_login(request.owner.effective_login()))
        return make_error(ErrorKind::invalid_input, "the owner's login has spaces or control characters");
    if (auto in_domain = check_domain(m_state->options, owner_email); !in_domain)
        return in_domain.error();
    std::vector<std::string> emails;
    for (const auto& email : cert.email_addresses()) {
        if (auto in_domain = check_domain(m_state->options, email); !in_domain)
            return make_error(ErrorKind::invalid_input, "the certificate names " + in_domain.error().detail);
        emails.push_back(lower(email));
    }
    if (emails.empty())
        return make_error(ErrorKind::invalid_input, "the certificate carries no email address");
    if (request.kind == CertificateKind::individual &&
        std::find(emails.begin(), emails.end(), owner_email) == emails.end())
        return make_error(ErrorKind::invalid_input, "an individual certificate must carry its owner's address " + owner_email);
    std::optional<smime::SealedKey> sealed;
    const std::string fingerprint = cert.sha256_fingerprint_hex();
    if (request.private_key) {
        if (auto matches = smime::SigningIdentity::assemble(cert, request.private_key, {}); !matches)
            return make_error(ErrorKind::invalid_input, matches.error().detail);
        if (!m_state->options.master_key)
            return make_error(ErrorKind::key_unavailable, "no master key is loaded; private keys cannot be stored");
        auto sealing = m_state->options.master_key->seal(request.private_key.get(), fingerprint);
        if (!sealing)
            return make_error(ErrorKind::internal, sealing.error().detail);
        sealed = std::move(sealing).value();
    }

    auto lock = lock_current(*m_state);
    if (!lock)
        return lock.error();
    sqlite3* db = m_state->db.get();
    sql::StatementCache& cache = m_state->statements;
    Transaction transaction(db);
    if (auto begun = transaction.begin(); !begun)
        return begun.error();
    Person owner = request.owner;
    owner.email = owner_email;
    auto owner_id = upsert_person(cache, owner);
    if (!owner_id)
        return owner_id.error();

    ImportOutcome outcome;
    outcome.fingerprint = fingerprint;
    std::int64_t cert_id = 0;
    {
        sql::Statement existing = cache.prepare("SELECT id FROM certificates WHERE fingerprint = ?1");
        existing.bind(1, fingerprint);
        if (existing.step() == SQLITE_ROW)
            cert_id = existing.integer(0);
    }
    const std::int64_t not_before = to_seconds(cert.not_before());
    if (cert_id == 0) {
        sql::Statement insert = cache.prepare("INSERT INTO certificates(fingerprint, serial, issuer, subject, not_before, not_after, "
                                  "kind, owner_id, der, imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
        insert.bind(1, fingerprint).bind(2, cert.serial_hex()).bind(3, cert.issuer()).bind(4, cert.subject());
        insert.bind(5, not_before).bind(6, to_seconds(cert.not_after())).bind(7, to_string(request.kind));
        insert.bind(8, *owner_id).bind_blob(9, cert.der()).bind(10, to_seconds(std::chrono::system_clock::now()));
        if (insert.step() != SQLITE_DONE)
            return sqlite3_errcode(db) == SQLITE_CONSTRAINT
                       ? make_error(ErrorKind::conflict, "another certificate with serial " + cert.serial_hex() +
                                                             " from the same issuer is already stored")
                       : db_error(db, "cannot store the certificate");
        cert_id = sqlite3_last_insert_rowid(db);
        outcome.inserted = true;
        for (const auto& email : emails) {
            sql::Statement add = cache.prepare("INSERT OR IGNORE INTO certificate_emails(email, cert_id) VALUES (?1, ?2)");
            add.bind(1, email).bind(2, cert_id);
            if (add.step() != SQLITE_DONE)
                return db_error(db, "cannot index the certificate's addresses");
        }
        if (request.kind == CertificateKind::individual) {
            // The owner may sign with an individual certificate by default.
            sql::Statement add = cache.prepare("INSERT OR IGNORE INTO authorised_logins(login, cert_id) VALUES (?1, ?2)");
            add.bind(1, owner.effective_login()).bind(2, cert_id);
            if (add.step() != SQLITE_DONE)
                return db_error(db, "cannot authorise the owner");
        }
        // A renewal supersedes the owner's older active certificates of the
        // same kind for the same address (art. 9, 18); a certificate imported
        // after its own renewal is superseded at once.
        constexpr const char* k_same_line =
            "SELECT DISTINCT c.id, c.fingerprint FROM certificates c "
            "JOIN certificate_emails e ON e.cert_id = c.id "
            "WHERE c.owner_id = ?1 AND c.kind = ?2 AND c.status = 'active' AND c.id <> ?4 "
            "AND e.email IN (SELECT email FROM certificate_emails WHERE cert_id = ?4) AND ";
        std::vector<std::pair<std::int64_t, std::string>> superseded;
        {
            sql::Statement newer = cache.prepare(std::string(k_same_line) + "c.not_before > ?3 LIMIT 1");
            newer.bind(1, *owner_id).bind(2, to_string(request.kind)).bind(3, not_before).bind(4, cert_id);
            if (newer.step() == SQLITE_ROW)
                superseded.emplace_back(cert_id, fingerprint);
        }
        if (superseded.empty()) {
            sql::Statement older = cache.prepare(std::string(k_same_line) + "c.not_before < ?3");
            older.bind(1, *owner_id).bind(2, to_string(request.kind)).bind(3, not_before).bind(4, cert_id);
            while (older.step() == SQLITE_ROW)
                superseded.emplace_back(older.integer(0), older.text(1));
        }
        for (const auto& [id, old_fingerprint] : superseded) {
            sql::Statement update = cache.prepare("UPDATE certificates SET status = 'superseded', reason = NULL, "
                                      "status_effective = ?2 WHERE id = ?1");
            update.bind(1, id).bind(2, to_seconds(std::chrono::system_clock::now()));
            if (update.step() != SQLITE_DONE)
                return db_error(db, "cannot supersede an older certificate");
            if (auto logged = audit::append(cache, actor, "supersede",
                                            "fingerprint=" + old_fingerprint + "; by=" + fingerprint);
                !logged)
                return logged.error();
            outcome.superseded.push_back(old_fingerprint);
        }
    }
    if (sealed) {
        sql::Statement key = cache.prepare("INSERT INTO private_keys(cert_id, master_key_id, nonce, ciphertext) VALUES (?1, ?2, ?3, ?4) "
                               "ON CONFLICT(cert_id) DO NOTHING");
        key.bind(1, cert_id).bind(2, sealed->master_key_id).bind_blob(3, sealed->nonce).bind_blob(4, sealed->ciphertext);
        if (key.step() != SQLITE_DONE)
            return db_error(db, "cannot store the sealed private key");
    }
    for (const auto& ca : request.chain) {
        if (ca.is_self_signed())
            continue;
        sql::Statement add = cache.prepare("INSERT OR IGNORE INTO ca_certificates(fingerprint, subject, der) VALUES (?1, ?2, ?3)");
        add.bind(1, ca.sha256_fingerprint_hex()).bind(2, ca.subject()).bind_blob(3, ca.der());
        if (add.step() != SQLITE_DONE)
            return db_error(db, "cannot store an issuing CA certificate");
    }
    m_state->chains.clear(); // the import may have brought issuing CAs
    const std::string detail = "fingerprint=" + fingerprint + "; serial=" + cert.serial_hex() + "; kind=" +
                               std::string(to_string(request.kind)) + "; owner=" + owner_email +
                               "; key=" + (sealed ? "yes" : "no") + (outcome.inserted ? "" : "; already stored");
    if (auto logged = audit::append(cache, actor, "import", detail); !logged)
        return logged.error();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return outcome;
}

Result<std::optional<Person>> SqliteDirectory::find_person(std::string_view email) {
    auto lock = lock_current(*m_state);
    if (!lock)
        return lock.error();
    sql::Statement select = m_state->statements.prepare("SELECT email, name, nip, unit, login FROM people WHERE email = ?1");
    select.bind(1, lower(email));
    if (select.step() != SQLITE_ROW)
        return std::optional<Person>();
    return std::optional<Person>(Person{select.text(0), select.text(1), select.text(2), select.text(3), select.text(4)});
}

Result<std::vector<Person>> SqliteDirectory::list_people() {
    auto lock = lock_current(*m_state);
    if (!lock)
        return lock.error();
    sql::Statement select = m_state->statements.prepare("SELECT email, name, nip, unit, login FROM people ORDER BY unit, email");
    std::vector<Person> people;
    while (select.step() == SQLITE_ROW)
        people.push_back(Person{select.text(0), select.text(1), select.text(2), select.text(3), select.text(4)});
    return people;
}

Result<std::vector<CertificateRecord>> SqliteDirectory::find_certificates(const CertificateQuery& query) {
    std::string where;
    std::vector<std::string> binds;
    if (!query.text.empty()) {
        where = "WHERE p.email LIKE ?1 OR p.name LIKE ?1 OR p.nip LIKE ?1 OR p.unit LIKE ?1 OR c.serial LIKE ?1 "
                "OR c.fingerprint LIKE ?1 OR c.subject LIKE ?1 "
                "OR EXISTS (SELECT 1 FROM certificate_emails e WHERE e.cert_id = c.id AND e.email LIKE ?1) ";
        binds.push_back("%" + query.text + "%");
    }
    where += "ORDER BY p.unit, p.email, c.not_before";
    auto lock = lock_current(*m_state);
    if (!lock)
        return lock.error();
    auto records = load_records(m_state->statements, where, binds);
    if (!records)
        return records;
    auto& all = records.value();
    all.erase(std::remove_if(all.begin(), all.end(),
                             [&](const CertificateRecord& r) {
                                 const auto status = r.status_at(query.now);
                                 if (query.status && status != *query.status)
                                     return true;
                                 if (query.expiring_before &&
                                     (status != CertificateStatus::active || r.not_after >= *query.expiring_before))
                                     return true;
                                 return false;
                             }),
              all.end());
    return records;
}

Result<CertificateRecord> SqliteDirectory::get_certificate(std::string_view reference) {
    auto lock = lock_current(*m_state);
    if (!lock)
        return lock.error();
    auto id = resolve(m_state->statements, reference);
    if (!id)
        return id.error();
    auto records = load_records(m_state->statements, "WHERE c.id = ?1", {std::to_string(*id)});
    if (!records)
        return records.error();
    if (records->empty())
        return make_error(ErrorKind::not_found, "certificate " + std::string(reference) + " vanished");
    return records->front();
}

namespace {
// Adds or removes one authorised login, with its audit entry.
Result<void> change_authorisation(sql::StatementCache& cache, std::string_view reference, std::string_view login, bool add,
                                  const Actor& actor) {
    sqlite3* db = cache.db();
    Transaction transaction(db);
    if (auto begun = transaction.begin(); !begun)
        return begun;
    auto id = resolve(cache, reference);
    if (!id)
        return id.error();
    sql::Statement change = cache.prepare(add ? "INSERT OR IGNORE INTO authorised_logins(login, cert_id) VALUES (?1, ?2)"
                                  : "DELETE FROM authorised_logins WHERE login = ?1 AND cert_id = ?2");
    change.bind(1, login).bind(2, *id);
    if (change.step() != SQLITE_DONE)
        return db_error(db, add ? "cannot authorise" : "cannot unauthorise");
    if (sqlite3_changes(db) == 0) {
        if (add)
            return {}; // already authorised: nothing changed, nothing to log
        return make_error(ErrorKind::not_found,
                          "login " + std::string(login) + " is not authorised for that certificate");
    }
    sql::Statement fingerprint = cache.prepare("SELECT fingerprint FROM certificates WHERE id = ?1");
    fingerprint.bind(1, *id);
    fingerprint.step();
    if (auto logged = audit::append(cache, actor, add ? "authorise" : "unauthorise",
                                    "fingerprint=" + fingerprint.text(0) + "; login=" + std::string(login));
        !logged)
        return logged;
    return transaction.commit();
}
} // namespace

Result<void> SqliteDirectory::authorise(std::string_view reference, std::string_view login, const Actor& actor) {
    if (!valid_login(login))
        return make_error(ErrorKind::invalid_input, "a login has no spaces or control characters");
    auto lock = lock_current(*m_state);
    if (!lock)
        return lock.error();
    return change_authorisation(m_state->statements, reference, login, true, actor);
}

Result<void> SqliteDirectory::unauthorise(std::string_view reference, std::string_view login, const Actor& actor) {
    auto lock = lock_current(*m_state);
    if (!lock)
        return lock.error();
    return change_authorisation(m_state->statements, reference, login, false, actor);
}

Result<void> SqliteDirectory::apply(const ChangeSet& changes, const Actor& actor) {
    for (const auto& person : changes.people)
        if (auto in_domain = check_domain(m_state->options, person.email); !in_domain)
            return in_domain;
    auto lock = lock_current(*m_state);
    if (!lock)
        return lock.error();
    sqlite3* db = m_state->db.get();
    sql::StatementCache& cache = m_state->statements;
    Transaction transaction(db);
    if (auto begun = transaction.begin(); !begun)
        return begun;
    for (const auto& person : changes.people) {
        if (auto stored = upsert_person(cache, person); !stored)
            return stored.error();
        if (auto logged = audit::append(cache, actor, "person", changes.description + ": " + describe_person(person)); !logged)
            return logged;
    }
    for (const auto& change : changes.statuses) {
        sql::Statement update = cache.prepare("UPDATE certificates SET status = ?2, reason = ?3, status_effective = ?4 "
                                  "WHERE fingerprint = ?1");
        update.bind(1, change.fingerprint).bind(2, to_string(change.status));
        if (change.reason)
            update.bind(3, to_string(*change.reason));
        else
            update.bind_null(3);
        update.bind_optional(4, change.effective ? std::optional<std::int64_t>(to_seconds(*change.effective)) : std::nullopt);
        if (update.step() != SQLITE_DONE)
            return db_error(db, "cannot change a certificate's status");
        if (sqlite3_changes(db) == 0)
            return make_error(ErrorKind::not_found, "no certificate with fingerprint " + change.fingerprint);
        std::string detail = changes.description + ": fingerprint=" + change.fingerprint +
                             "; status=" + std::string(to_string(change.status));
        if (change.reason)
            detail += "; reason=" + std::string(to_string(*change.reason)) +
                      "; rfc5280=" + std::to_string(rfc5280_code(*change.reason));
        if (change.effective)
            detail += "; effective=" + smime::format_utc(*change.effective);
        if (auto logged = audit::append(cache, actor, "status", detail); !logged)
            return logged;
    }
    return transaction.commit();
}

Result<SigningChoice> SqliteDirectory::choose_signing_certificate(std::string_view login, std::string_view from,
                                                                  TimePoint now, const Actor& actor) {
    auto lock = lock_current(*m_state);
    if (!lock)
        return lock.error();
    sqlite3* db = m_state->db.get();
    sql::StatementCache& cache = m_state->statements;
    auto candidates = load_records(cache,
                                   "WHERE c.id IN (SELECT cert_id FROM certificate_emails WHERE email = ?1) "
                                   "ORDER BY c.not_before DESC, c.id DESC",
                                   {lower(from)});
    if (!candidates)
        return candidates.error();
    std::vector<ParsedCertificate*> entries;
    std::vector<const smime::Certificate*> parsed;
    for (const auto& record : *candidates) {
        ParsedCertificate* entry = m_state->parsed.find(record.fingerprint);
        if (entry == nullptr) {
            auto cert = smime::Certificate::from_der(record.der);
            if (!cert)
                return make_error(ErrorKind::internal, "stored certificate " + record.serial + ": " + cert.error().detail);
            entry = &m_state->parsed.insert(record.fingerprint, {std::move(cert).value(), {}, nullptr});
        }
        entries.push_back(entry);
        parsed.push_back(&entry->certificate);
    }
    const Selection selection = select_signing_certificate(*candidates, parsed, login, from, now);
    SigningChoice choice;
    if (!selection.chosen) {
        choice.refusal = selection.refusal;
        choice.detail = selection.detail;
        if (selection.explaining)
            choice.certificate = (*candidates)[*selection.explaining];
        return choice;
    }
    const CertificateRecord& record = (*candidates)[*selection.chosen];
    ParsedCertificate& entry = *entries[*selection.chosen];
    if (!m_state->options.master_key)
        return make_error(ErrorKind::key_unavailable, "no master key is loaded; private keys cannot be opened");
    // Read the sealed key in a statement that is finished before the audit
    // write begins: an open read would pin an old snapshot and the write
    // could not start (SQLITE_BUSY_SNAPSHOT) under WAL.
    smime::SealedKey sealed;
    {
        sql::Statement key_row = cache.prepare("SELECT k.master_key_id, k.nonce, k.ciphertext FROM private_keys k "
                                   "JOIN certificates c ON c.id = k.cert_id WHERE c.fingerprint = ?1");
        key_row.bind(1, record.fingerprint);
        if (key_row.step() != SQLITE_ROW)
            return db_error(db, "the private key row vanished");
        sealed = {key_row.text(0), key_row.blob(1), key_row.blob(2)};
    }
    if (!entry.key || entry.sealed_ciphertext != sealed.ciphertext) {
        auto key = m_state->options.master_key->unseal(sealed, record.fingerprint);
        if (!key)
            return make_error(ErrorKind::key_unavailable, "certificate " + record.serial + ": " + key.error().detail);
        entry.key = std::move(key).value();
        entry.sealed_ciphertext = sealed.ciphertext;
    }
    const std::string issuer = entry.certificate.issuer();
    auto chain = m_state->chains.find(issuer);
    if (chain == m_state->chains.end())
        chain = m_state->chains.emplace(issuer, stored_chain(cache, entry.certificate)).first;
    auto identity = smime::SigningIdentity::assemble(entry.certificate, entry.key, chain->second);
    if (!identity)
        return make_error(ErrorKind::key_unavailable, identity.error().detail);
    Transaction transaction(db);
    if (auto begun = transaction.begin(); !begun)
        return begun.error();
    if (auto logged = audit::append(cache, actor, "key_access",
                                    "fingerprint=" + record.fingerprint + "; serial=" + record.serial +
                                        "; login=" + std::string(login) + "; from=" + lower(from));
        !logged)
        return logged.error();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    choice.identity = std::move(identity).value();
    choice.certificate = record;
    return choice;
}

Result<void> SqliteDirectory::record_signing(const SigningEvent& event, const Actor& actor) {
    auto lock = lock_current(*m_state);
    if (!lock)
        return lock.error();
    sqlite3* db = m_state->db.get();
    sql::StatementCache& cache = m_state->statements;
    Transaction transaction(db);
    if (auto begun = transaction.begin(); !begun)
        return begun;
    if (auto logged = audit::append(cache, actor, "sign",
                                    "login=" + event.login + "; serial=" + event.serial + "; fingerprint=" +
                                        event.fingerprint + "; message_id=" + event.message_id +
                                        "; at=" + smime::format_utc(event.at));
        !logged)
        return logged;
    return transaction.commit();
}

Result<bool> SqliteDirectory::reminder_sent(std::string_view fingerprint, int threshold_days) {
    auto lock = lock_current(*m_state);
    if (!lock)
        return lock.error();
    sql::Statement select = m_state->statements.prepare("SELECT 1 FROM reminders_sent WHERE fingerprint = ?1 AND threshold_days = ?2");
    select.bind(1, fingerprint).bind(2, static_cast<std::int64_t>(threshold_days));
    return select.step() == SQLITE_ROW;
}

Result<void> SqliteDirectory::record_reminder(std::string_view fingerprint, int threshold_days, const Actor& actor) {
    auto lock = lock_current(*m_state);
    if (!lock)
        return lock.error();
    sqlite3* db = m_state->db.get();
    sql::StatementCache& cache = m_state->statements;
    Transaction transaction(db);
    if (auto begun = transaction.begin(); !begun)
        return begun;
    sql::Statement insert = cache.prepare("INSERT OR IGNORE INTO reminders_sent(fingerprint, threshold_days, sent_at) VALUES (?1, ?2, ?3)");
    insert.bind(1, fingerprint).bind(2, static_cast<std::int64_t>(threshold_days)).bind(3, to_seconds(std::chrono::system_clock::now()));
    if (insert.step() != SQLITE_DONE)
        return db_error(db, "cannot record a reminder");
    if (auto logged = audit::append(cache, actor, "remind", "fingerprint=" + std::string(fingerprint) +
                                                            "; threshold_days=" + std::to_string(threshold_days));
        !logged)
        return logged;
    return transaction.commit();
}

Result<std::vector<AuditEntry>> SqliteDirectory::audit_entries() {
    auto lock = lock_current(*m_state);
    if (!lock)
        return lock.error();
    return audit::read_all(m_state->statements);
}

Result<AuditVerification> SqliteDirectory::verify_audit_log() {
    auto lock = lock_current(*m_state);
    if (!lock)
        return lock.error();
    return audit::verify(m_state->statements);
}

Result<int> SqliteDirectory::reseal_keys(std::shared_ptr<const smime::MasterKey> new_key, const Actor& actor) {
    if (!m_state->options.master_key || !new_key)
        return make_error(ErrorKind::key_unavailable, "rotation needs the current and the new master key");
    auto lock = lock_current(*m_state);
    if (!lock)
        return lock.error();
    sqlite3* db = m_state->db.get();
    sql::StatementCache& cache = m_state->statements;
    Transaction transaction(db);
    if (auto begun = transaction.begin(); !begun)
        return begun.error();
    sql::Statement select = cache.prepare("SELECT k.cert_id, c.fingerprint, k.master_key_id, k.nonce, k.ciphertext "
                              "FROM private_keys k JOIN certificates c ON c.id = k.cert_id");
    std::vector<std::pair<std::int64_t, smime::SealedKey>> resealed;
    while (select.step() == SQLITE_ROW) {
        const std::string fingerprint = select.text(1);
        auto key = m_state->options.master_key->unseal({select.text(2), select.blob(3), select.blob(4)}, fingerprint);
        if (!key)
            return make_error(ErrorKind::key_unavailable, "key of " + fingerprint + ": " + key.error().detail);
        auto sealed = new_key->seal(key->get(), fingerprint);
        if (!sealed)
            return make_error(ErrorKind::internal, sealed.error().detail);
        resealed.emplace_back(select.integer(0), std::move(sealed).value());
    }
    for (const auto& [cert_id, sealed] : resealed) {
        sql::Statement update = cache.prepare("UPDATE private_keys SET master_key_id = ?2, nonce = ?3, ciphertext = ?4 WHERE cert_id = ?1");
        update.bind(1, cert_id).bind(2, sealed.master_key_id).bind_blob(3, sealed.nonce).bind_blob(4, sealed.ciphertext);
        if (update.step() != SQLITE_DONE)
            return db_error(db, "cannot store a re-sealed key");
    }
    if (auto logged = audit::append(cache, actor, "master_key_rotation",
                                    "from=" + m_state->options.master_key->id() + "; to=" + new_key->id() +
                                        "; keys=" + std::to_string(resealed.size()));
        !logged)
        return logged.error();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    m_state->options.master_key = std::move(new_key);
    m_state->parsed.clear();
    return static_cast<int>(resealed.size());
}

Result<std::shared_ptr<const smime::MasterKey>> load_master_key_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return make_error(ErrorKind::key_unavailable, "cannot read the master key file " + path + ": " + std::strerror(errno));
    if ((st.st_mode & 077) != 0)
        return make_error(ErrorKind::key_unavailable,
                          "the master key file " + path + " is readable by others; chmod 600 it (owner: the daemon's user)");
    // Read with one read() into a buffer we wipe (OPENSSL_cleanse, which the
    // compiler may not drop), never through a stream's own buffer.
    std::array<char, 256> text{};
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    const ssize_t length = fd < 0 ? -1 : ::read(fd, text.data(), text.size());
    if (fd >= 0)
        ::close(fd);
    if (length <= 0) {
        OPENSSL_cleanse(text.data(), text.size());
        return make_error(ErrorKind::key_unavailable, "cannot read the master key file " + path);
    }
    std::string_view line(text.data(), static_cast<std::size_t>(length));
    line = line.substr(0, line.find('\n'));
    auto key = smime::MasterKey::from_hex(line);
    OPENSSL_cleanse(text.data(), text.size());
    if (!key)
        return make_error(ErrorKind::key_unavailable, path + ": " + key.error().detail);
    return std::shared_ptr<const smime::MasterKey>(std::make_shared<smime::MasterKey>(std::move(key).value()));
}

Result<std::shared_ptr<const smime::MasterKey>> create_master_key_file(const std::string& path) {
    auto key = smime::MasterKey::generate();
    if (!key)
        return make_error(ErrorKind::internal, key.error().detail);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return make_error(ErrorKind::key_unavailable, "cannot create the master key file " + path + ": " + std::strerror(errno));
    std::string text = key->to_hex() + "\n";
    const bool written = ::fchmod(fd, 0600) == 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                         ::fsync(fd) == 0;
    OPENSSL_cleanse(text.data(), text.size());
    ::close(fd);
    if (!written) {
        ::unlink(path.c_str());
        return make_error(ErrorKind::key_unavailable, "cannot write the master key file " + path);
    }
    return std::shared_ptr<const smime::MasterKey>(std::make_shared<smime::MasterKey>(std::move(key).value()));
}

} // namespace segel::directory
