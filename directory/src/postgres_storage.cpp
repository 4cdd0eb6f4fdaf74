#include "postgres_storage.hpp"

#include "pg_rows.hpp"
#include "pg_trace.hpp"
#include "pg_schema.hpp"
#include "stored_time.hpp"

namespace segel::directory {

namespace {

// The one advisory lock every write transaction takes: writers on all
// nodes run one after the other, as SQLite's single writer does.
constexpr const char* k_begin_write = "BEGIN; SELECT pg_advisory_xact_lock(7306455113)";

constexpr const char* k_record_columns =
    "SELECT c.id, c.fingerprint, c.serial, c.issuer, c.subject, c.not_before, c.not_after, c.kind, p.email, "
    "c.status, c.reason, c.status_effective, c.der, "
    "EXISTS (SELECT 1 FROM private_keys k WHERE k.cert_id = c.id), "
    "(SELECT string_agg(e.email, E'\\n') FROM certificate_emails e WHERE e.cert_id = c.id), "
    "(SELECT string_agg(a.login, E'\\n') FROM authorised_logins a WHERE a.cert_id = c.id), c.imported_at "
    "FROM certificates c JOIN people p ON p.id = c.owner_id ";

CertificateRecord read_record(const pg::Rows& rows, int i) {
    CertificateRecord record;
    record.fingerprint = rows.text(i, 1);
    record.serial = rows.text(i, 2);
    record.issuer = rows.text(i, 3);
    record.subject = rows.text(i, 4);
    record.not_before = from_seconds(rows.integer(i, 5));
    record.not_after = from_seconds(rows.integer(i, 6));
    record.kind = parse_certificate_kind(rows.text(i, 7)).value_or(CertificateKind::individual);
    record.owner_email = rows.text(i, 8);
    record.status = parse_certificate_status(rows.text(i, 9)).value_or(CertificateStatus::active);
    if (!rows.is_null(i, 10))
        record.reason = parse_revocation_reason(rows.text(i, 10));
    if (!rows.is_null(i, 11))
        record.status_effective = from_seconds(rows.integer(i, 11));
    record.der = rows.bytes(i, 12);
    record.has_private_key = rows.text(i, 13) == "t";
    record.emails = rows.lines(i, 14);
    record.authorised_logins = rows.lines(i, 15);
    record.imported_at = from_seconds(rows.integer(i, 16));
    return record;
}

// The WHERE and ORDER BY of a filter, with its parameters in order.
std::string filter_sql(const CertificateFilter& filter, pg::Params& params) {
    std::vector<std::string> conditions;
    const auto next = [&](const std::string& value) {
        params.text(value);
        return "$" + std::to_string(params.size()) + "::text";
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
        conditions.push_back("c.id IN (SELECT cert_id FROM certificate_emails WHERE lower(email) = lower(" +
                             next(*filter.email) + "))");
    if (filter.with_private_key_only)
        conditions.emplace_back("EXISTS (SELECT 1 FROM private_keys k WHERE k.cert_id = c.id)");
    if (filter.text) {
        const std::string t = next("%" + *filter.text + "%");
        conditions.push_back("(p.email ILIKE " + t + " OR p.name ILIKE " + t + " OR p.nip ILIKE " + t +
                             " OR p.unit ILIKE " + t + " OR c.serial ILIKE " + t + " OR c.fingerprint ILIKE " + t +
                             " OR c.subject ILIKE " + t +
                             " OR EXISTS (SELECT 1 FROM certificate_emails e WHERE e.cert_id = c.id AND e.email ILIKE " +
                             t + "))");
    }
    std::string where;
    for (const auto& condition : conditions)
        where += (where.empty() ? "WHERE " : " AND ") + condition;
    where += filter.order == CertificateFilter::Order::newest_first
                 ? " ORDER BY c.not_before DESC, c.id DESC"
                 : " ORDER BY p.unit COLLATE \"C\", lower(p.email) COLLATE \"C\", c.not_before";
    if (filter.limit > 0)
        where += " LIMIT " + std::to_string(filter.limit);
    return where;
}

Result<bool> changed(Result<pg::Rows> rows) {
    if (!rows)
        return rows.error();
    return rows->affected() > 0;
}

Result<void> done(Result<pg::Rows> rows) {
    if (!rows)
        return rows.error();
    return {};
}

class PostgresSession final : public StorageSession {
public:
    PostgresSession(pg::Pool& pool, std::unique_ptr<pg::Connection> connection)
        : m_pool(pool), m_connection(std::move(connection)), m_db(*m_connection) {}
    ~PostgresSession() override { m_pool.release(std::move(m_connection)); } // rolls back what is left open

    Result<void> begin_write() override {
        m_locked_head.reset();
        m_head_moved = false;
        auto begun = m_db.run_script(k_begin_write);
        m_in_write = static_cast<bool>(begun);
        return begun;
    }
    Result<void> commit() override {
        m_in_write = false;
        if (m_head_moved) {
            m_head_moved = false;
            if (auto stored = store_head(*m_locked_head); !stored)
                return stored;
        }
        m_locked_head.reset();
        return m_db.run_script("COMMIT");
    }

    Result<std::optional<Person>> person(std::string_view email) override {
        auto rows = m_db.run("SELECT email, name, nip, unit, login FROM people WHERE lower(email) = lower($1::text)",
                             pg::Params().text(email), "cannot read a person");
        if (!rows)
            return rows.error();
        if (rows->empty())
            return std::optional<Person>();
        return std::optional<Person>(read_person(*rows, 0));
    }

    Result<std::vector<Person>> people() override {
        auto rows = m_db.run("SELECT email, name, nip, unit, login FROM people "
                             "ORDER BY unit COLLATE \"C\", lower(email) COLLATE \"C\"",
                             {}, "cannot read people");
        if (!rows)
            return rows.error();
        std::vector<Person> people;
        for (int i = 0; i < rows->size(); ++i)
            people.push_back(read_person(*rows, i));
        return people;
    }

    Result<void> upsert_person(const Person& person) override {
        pg::Params params;
        params.text(person.email).text(person.name).text(person.nip).text(person.unit).text(person.login);
        return done(m_db.run(
            "INSERT INTO people(email, name, nip, unit, login) VALUES ($1::text, $2::text, $3::text, $4::text, $5::text) "
            "ON CONFLICT ((lower(email))) DO UPDATE SET "
            "name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE people.name END, "
            "nip = CASE WHEN excluded.nip <> '' THEN excluded.nip ELSE people.nip END, "
            "unit = CASE WHEN excluded.unit <> '' THEN excluded.unit ELSE people.unit END, "
            "login = CASE WHEN excluded.login <> '' THEN excluded.login ELSE people.login END",
            params, "cannot store person " + person.email));
    }

    Result<std::vector<CertificateRecord>> certificates(const CertificateFilter& filter) override {
        pg::Params params;
        const std::string sql = std::string(k_record_columns) + filter_sql(filter, params);
        auto rows = m_db.run(sql, params, "cannot read certificates");
        if (!rows)
            return rows.error();
        std::vector<CertificateRecord> records;
        for (int i = 0; i < rows->size(); ++i)
            records.push_back(read_record(*rows, i));
        return records;
    }

    Result<bool> insert_certificate(const CertificateRecord& record, TimePoint imported_at) override;
    Result<bool> set_status(const std::string& fingerprint, CertificateStatus status,
                            std::optional<RevocationReason> reason, std::optional<TimePoint> effective) override;

    Result<bool> set_login(const std::string& fingerprint, std::string_view login, bool present) override {
        return changed(m_db.run(present ? "INSERT INTO authorised_logins(login, cert_id) "
                                          "SELECT $1::text, id FROM certificates WHERE fingerprint = $2::text "
                                          "ON CONFLICT DO NOTHING"
                                        : "DELETE FROM authorised_logins WHERE lower(login) = lower($1::text) "
                                          "AND cert_id = (SELECT id FROM certificates WHERE fingerprint = $2::text)",
                                pg::Params().text(login).text(fingerprint),
                                present ? "cannot authorise" : "cannot unauthorise"));
    }

    Result<std::optional<smime::SealedKey>> sealed_key(const std::string& fingerprint) override {
        auto rows = m_db.run("SELECT k.master_key_id, k.nonce, k.ciphertext FROM private_keys k "
                             "JOIN certificates c ON c.id = k.cert_id WHERE c.fingerprint = $1::text",
                             pg::Params().text(fingerprint), "cannot read a sealed key");
        if (!rows)
            return rows.error();
        if (rows->empty())
            return std::optional<smime::SealedKey>();
        return std::optional<smime::SealedKey>(smime::SealedKey{rows->text(0, 0), rows->bytes(0, 1), rows->bytes(0, 2)});
    }

    Result<std::vector<std::pair<std::string, smime::SealedKey>>> sealed_keys() override {
        auto rows = m_db.run("SELECT c.fingerprint, k.master_key_id, k.nonce, k.ciphertext "
                             "FROM private_keys k JOIN certificates c ON c.id = k.cert_id ORDER BY c.id",
                             {}, "cannot read the sealed keys");
        if (!rows)
            return rows.error();
        std::vector<std::pair<std::string, smime::SealedKey>> keys;
        for (int i = 0; i < rows->size(); ++i)
            keys.emplace_back(rows->text(i, 0),
                              smime::SealedKey{rows->text(i, 1), rows->bytes(i, 2), rows->bytes(i, 3)});
        return keys;
    }

    Result<void> put_sealed_key(const std::string& fingerprint, const smime::SealedKey& key, bool replace) override {
        pg::Params params;
        params.text(fingerprint).text(key.master_key_id).bytes(key.nonce).bytes(key.ciphertext);
        return done(m_db.run(
            std::string("INSERT INTO private_keys(cert_id, master_key_id, nonce, ciphertext) "
                        "SELECT id, $2::text, $3::bytea, $4::bytea FROM certificates WHERE fingerprint = $1::text "
                        "ON CONFLICT (cert_id) ") +
                (replace ? "DO UPDATE SET master_key_id = excluded.master_key_id, nonce = excluded.nonce, "
                           "ciphertext = excluded.ciphertext"
                         : "DO NOTHING"),
            params, "cannot store a sealed private key"));
    }

    Result<bool> insert_correspondent(const CorrespondentRecord& record) override {
        return pg_rows::insert_correspondent(m_db, record);
    }
    Result<std::vector<CorrespondentRecord>> correspondents(const CorrespondentFilter& filter) override {
        return pg_rows::correspondents(m_db, filter);
    }
    Result<bool> delete_correspondent(const std::string& fingerprint) override {
        return pg_rows::delete_correspondent(m_db, fingerprint);
    }
    Result<bool> approve_correspondent(const std::string& fingerprint) override {
        return pg_rows::approve_correspondent(m_db, fingerprint);
    }
    Result<std::vector<PolicyRule>> policy_rules() override { return pg_rows::policy_rules(m_db); }
    Result<void> put_policy_rule(const PolicyRule& rule) override { return pg_rows::put_policy_rule(m_db, rule); }
    Result<bool> delete_policy_rule(const std::string& scope) override {
        return pg_rows::delete_policy_rule(m_db, scope);
    }
    Result<void> put_capabilities(const std::string& email, const smime::AdvertisedAlgorithms& advertised,
                                  TimePoint at) override {
        return pg_rows::put_capabilities(m_db, email, advertised, at);
    }
    Result<std::optional<smime::AdvertisedAlgorithms>> capabilities(const std::string& email) override {
        return pg_rows::capabilities(m_db, email);
    }
    Result<std::vector<CapabilitiesRow>> all_capabilities() override { return pg_rows::all_capabilities(m_db); }
    Result<void> put_decrypted_message(const std::string& message_id, TimePoint at) override {
        return pg_rows::put_decrypted_message(m_db, message_id, at);
    }
    Result<bool> any_decrypted(const std::vector<std::string>& message_ids) override {
        return pg_rows::any_decrypted(m_db, message_ids);
    }
    Result<std::vector<DecryptedMessageRow>> decrypted_messages() override {
        return pg_rows::decrypted_messages(m_db);
    }

    Result<void> append_trace(const std::vector<TraceRecord>& records) override {
        return pg_trace::append(m_db, records);
    }
    Result<std::vector<TraceRecord>> trace(const TraceQuery& query) override { return pg_trace::select(m_db, query); }
    Result<std::int64_t> prune_trace(TimePoint before) override { return pg_trace::prune(m_db, before); }

    Result<void> add_ca_certificate(const smime::Certificate& ca) override {
        return done(m_db.run("INSERT INTO ca_certificates(fingerprint, subject, der) VALUES ($1::text, $2::text, "
                             "$3::bytea) ON CONFLICT DO NOTHING",
                             pg::Params().text(ca.sha256_fingerprint_hex()).text(ca.subject()).bytes(ca.der()),
                             "cannot store an issuing CA certificate"));
    }

    Result<std::optional<std::string>> ca_certificate_der(const std::string& subject) override {
        auto rows = m_db.run("SELECT der FROM ca_certificates WHERE subject = $1::text LIMIT 1",
                             pg::Params().text(subject), "cannot read a CA certificate");
        if (!rows)
            return rows.error();
        if (rows->empty())
            return std::optional<std::string>();
        return std::optional<std::string>(rows->bytes(0, 0));
    }

    Result<std::vector<std::string>> ca_certificates_der() override {
        auto rows = m_db.run("SELECT der FROM ca_certificates ORDER BY fingerprint", {},
                             "cannot read the CA certificates");
        if (!rows)
            return rows.error();
        std::vector<std::string> ders;
        for (int i = 0; i < rows->size(); ++i)
            ders.push_back(rows->bytes(i, 0));
        return ders;
    }

    Result<bool> reminder_recorded(std::string_view fingerprint, int threshold_days) override {
        auto rows = m_db.run("SELECT 1 FROM reminders_sent WHERE fingerprint = $1::text AND threshold_days = $2::integer",
                             pg::Params().text(fingerprint).integer(threshold_days), "cannot read the reminders");
        if (!rows)
            return rows.error();
        return !rows->empty();
    }

    // One INSERT decides: of two nodes claiming at once, one inserts the
    // row and the other's conflicts and changes nothing.
    Result<bool> claim_reminder(std::string_view fingerprint, int threshold_days, TimePoint at) override {
        return changed(m_db.run("INSERT INTO reminders_sent(fingerprint, threshold_days, sent_at) "
                                "VALUES ($1::text, $2::integer, $3::bigint) ON CONFLICT DO NOTHING",
                                pg::Params().text(fingerprint).integer(threshold_days).integer(to_seconds(at)),
                                "cannot record a reminder"));
    }

    Result<bool> release_reminder(std::string_view fingerprint, int threshold_days) override {
        return changed(m_db.run("DELETE FROM reminders_sent WHERE fingerprint = $1::text AND threshold_days = $2::integer",
                                pg::Params().text(fingerprint).integer(threshold_days),
                                "cannot undo a reminder's claim"));
    }

    Result<std::vector<ReminderRow>> reminders() override {
        auto rows = m_db.run("SELECT fingerprint, threshold_days, sent_at FROM reminders_sent "
                             "ORDER BY fingerprint, threshold_days",
                             {}, "cannot read the reminders");
        if (!rows)
            return rows.error();
        std::vector<ReminderRow> out;
        for (int i = 0; i < rows->size(); ++i)
            out.push_back(ReminderRow{rows->text(i, 0), static_cast<int>(rows->integer(i, 1)),
                                      from_seconds(rows->integer(i, 2))});
        return out;
    }

    // Within a write transaction the head is locked once and then advanced
    // here, and stored once at commit: updating the one head row for every
    // entry of a large transaction (an RA sync) would pile up row versions
    // that each later update has to walk.
    Result<AuditHead> lock_audit_head() override {
        if (m_in_write && m_locked_head)
            return *m_locked_head;
        auto head = read_head("SELECT last_seq, last_hash FROM audit_head WHERE id = 1 FOR UPDATE");
        if (head && m_in_write)
            m_locked_head = *head;
        return head;
    }

    Result<void> append_audit(const AuditRow& row) override {
        pg::Params params;
        params.integer(row.seq).integer(row.at).text(row.actor).text(row.action).text(row.detail);
        params.text(row.prev_hash).text(row.hash);
        if (auto appended = m_db.run("INSERT INTO audit_log(seq, at, actor, action, detail, prev_hash, hash) "
                                     "VALUES ($1::bigint, $2::bigint, $3::text, $4::text, $5::text, $6::text, $7::text)",
                                     params, "cannot append to the audit log");
            !appended)
            return appended.error();
        const AuditHead head{row.seq, row.hash};
        if (!m_in_write)
            return store_head(head);
        m_locked_head = head;
        m_head_moved = true;
        return {};
    }

    Result<std::vector<AuditRow>> audit_rows() override {
        auto rows = m_db.run("SELECT seq, at, actor, action, detail, prev_hash, hash FROM audit_log ORDER BY seq", {},
                             "cannot read the audit log");
        if (!rows)
            return rows.error();
        std::vector<AuditRow> out;
        out.reserve(static_cast<std::size_t>(rows->size()));
        for (int i = 0; i < rows->size(); ++i)
            out.push_back(AuditRow{rows->integer(i, 0), rows->integer(i, 1), rows->text(i, 2), rows->text(i, 3),
                                   rows->text(i, 4), rows->text(i, 5), rows->text(i, 6)});
        return out;
    }

    Result<AuditHead> audit_head() override {
        if (m_in_write && m_locked_head)
            return *m_locked_head;
        return read_head("SELECT last_seq, last_hash FROM audit_head WHERE id = 1");
    }

private:
    static Person read_person(const pg::Rows& rows, int i) {
        return Person{rows.text(i, 0), rows.text(i, 1), rows.text(i, 2), rows.text(i, 3), rows.text(i, 4)};
    }

    Result<AuditHead> read_head(const char* sql) {
        auto rows = m_db.run(sql, {}, "cannot read the audit head");
        if (!rows)
            return rows.error();
        if (rows->empty())
            return AuditHead{};
        return AuditHead{rows->integer(0, 0), rows->text(0, 1)};
    }

    Result<void> store_head(const AuditHead& head) {
        return done(m_db.run("UPDATE audit_head SET last_seq = $1::bigint, last_hash = $2::text WHERE id = 1",
                             pg::Params().integer(head.last_seq).text(head.last_hash), "cannot update the audit head"));
    }

    pg::Pool& m_pool;
    std::unique_ptr<pg::Connection> m_connection;
    pg::Connection& m_db;
    bool m_in_write = false;                 // between begin_write() and commit()
    std::optional<AuditHead> m_locked_head;  // the head as this transaction has it
    bool m_head_moved = false;               // entries appended since it was locked
};

Result<bool> PostgresSession::insert_certificate(const CertificateRecord& record, TimePoint imported_at) {
    pg::Params params;
    params.text(record.fingerprint).text(record.serial).text(record.issuer).text(record.subject);
    params.integer(to_seconds(record.not_before)).integer(to_seconds(record.not_after));
    params.text(to_string(record.kind)).text(record.owner_email).bytes(record.der).integer(to_seconds(imported_at));
    auto inserted = m_db.run(
        "INSERT INTO certificates(fingerprint, serial, issuer, subject, not_before, not_after, kind, owner_id, der, "
        "imported_at) VALUES ($1::text, $2::text, $3::text, $4::text, $5::bigint, $6::bigint, $7::text, "
        "(SELECT id FROM people WHERE lower(email) = lower($8::text)), $9::bytea, $10::bigint) "
        "ON CONFLICT (fingerprint) DO NOTHING RETURNING id",
        params, "cannot store the certificate");
    if (!inserted)
        return inserted.error().kind == ErrorKind::conflict
                   ? make_error(ErrorKind::conflict, "another certificate with serial " + record.serial +
                                                         " from the same issuer is already stored")
                   : inserted.error();
    if (inserted->empty())
        return false;
    const std::int64_t id = inserted->integer(0, 0);
    for (const auto& email : record.emails)
        if (auto added = m_db.run("INSERT INTO certificate_emails(email, cert_id) VALUES ($1::text, $2::bigint) "
                                  "ON CONFLICT DO NOTHING",
                                  pg::Params().text(email).integer(id), "cannot index the certificate's addresses");
            !added)
            return added.error();
    for (const auto& login : record.authorised_logins)
        if (auto added = set_login(record.fingerprint, login, true); !added)
            return added.error();
    return true;
}

Result<bool> PostgresSession::set_status(const std::string& fingerprint, CertificateStatus status,
                                         std::optional<RevocationReason> reason, std::optional<TimePoint> effective) {
    pg::Params params;
    params.text(fingerprint).text(to_string(status));
    if (reason)
        params.text(to_string(*reason));
    else
        params.null();
    params.optional(effective ? std::optional<std::int64_t>(to_seconds(*effective)) : std::nullopt);
    return changed(m_db.run("UPDATE certificates SET status = $2::text, reason = $3::text, status_effective = "
                            "$4::bigint WHERE fingerprint = $1::text",
                            params, "cannot change a certificate's status"));
}

class PostgresStorage final : public DirectoryStorage {
public:
    explicit PostgresStorage(pg::PoolOptions options) : m_pool(std::move(options)) {}

    Result<std::unique_ptr<StorageSession>> session() override {
        auto connection = m_pool.acquire();
        if (!connection)
            return connection.error();
        return std::unique_ptr<StorageSession>(new PostgresSession(m_pool, std::move(connection).value()));
    }

    // A shared server is never swapped under a node the way a file is.
    bool take_replaced_flag() override { return false; }

    pg::Pool& pool() { return m_pool; }

private:
    pg::Pool m_pool;
};

} // namespace

Result<std::unique_ptr<DirectoryStorage>> open_postgres_storage(PostgresStorageOptions options) {
    const bool create = options.create;
    auto storage = std::make_unique<PostgresStorage>(std::move(options.pool));
    auto connection = storage->pool().acquire();
    if (!connection)
        return connection.error();
    auto migrated = pg::schema::migrate(**connection, create);
    storage->pool().release(std::move(connection).value());
    if (!migrated)
        return migrated.error();
    return std::unique_ptr<DirectoryStorage>(std::move(storage));
}

} // namespace segel::directory
