#include "sqlite_correspondents.hpp"

namespace segel::directory::sqlite_correspondents {

namespace {

constexpr const char* k_columns =
    "SELECT c.id, c.fingerprint, c.serial, c.issuer, c.subject, c.not_before, c.not_after, c.source, c.domain, "
    "c.learned_at, c.der, c.pending FROM correspondent_certificates c";

std::string where_clause(const CorrespondentFilter& filter, std::vector<std::string>& binds) {
    const auto bind = [&binds](const std::string& value) {
        binds.push_back(value);
        return "?" + std::to_string(binds.size());
    };
    std::vector<std::string> conditions;
    if (filter.email)
        conditions.push_back("c.id IN (SELECT cert_id FROM correspondent_emails WHERE email = " + bind(*filter.email) + ")");
    if (filter.domain)
        conditions.push_back("c.source = 'domain' AND c.domain = " + bind(*filter.domain));
    if (filter.fingerprint_prefix) {
        const std::string prefix = bind(*filter.fingerprint_prefix);
        conditions.push_back("substr(c.fingerprint, 1, length(" + prefix + ")) = " + prefix);
    }
    if (filter.serial)
        conditions.push_back("c.serial = " + bind(*filter.serial));
    if (filter.text)
        conditions.push_back("instr(lower(c.fingerprint || ' ' || c.serial || ' ' || c.subject || ' ' || c.domain || ' ' || "
                             "coalesce((SELECT group_concat(email, ' ') FROM correspondent_emails WHERE cert_id = c.id), "
                             "'')), lower(" + bind(*filter.text) + ")) > 0");
    std::string sql;
    for (std::size_t i = 0; i < conditions.size(); ++i)
        sql += (i == 0 ? " WHERE " : " AND ") + conditions[i];
    return sql + " ORDER BY c.learned_at DESC, c.id DESC";
}

Result<std::vector<std::string>> emails_of(sql::StatementCache& cache, std::int64_t id) {
    sql::Statement select = cache.prepare("SELECT email FROM correspondent_emails WHERE cert_id = ?1 ORDER BY email");
    select.bind(1, id);
    std::vector<std::string> emails;
    int rc = 0;
    while ((rc = select.step()) == SQLITE_ROW)
        emails.push_back(select.text(0));
    if (rc != SQLITE_DONE)
        return db_error(cache.db(), "cannot read a correspondent's addresses");
    return emails;
}

} // namespace

Result<bool> insert(sql::StatementCache& cache, const CorrespondentRecord& record) {
    sql::Statement insert = cache.prepare(
        "INSERT OR IGNORE INTO correspondent_certificates(fingerprint, serial, issuer, subject, not_before, not_after, "
        "source, domain, learned_at, der, pending) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    insert.bind(1, record.fingerprint).bind(2, record.serial).bind(3, record.issuer).bind(4, record.subject);
    insert.bind(5, to_seconds(record.not_before)).bind(6, to_seconds(record.not_after));
    insert.bind(7, to_string(record.source)).bind(8, record.domain).bind(9, to_seconds(record.learned_at));
    insert.bind_blob(10, record.der);
    insert.bind(11, std::int64_t{record.pending});
    if (insert.step() != SQLITE_DONE)
        return db_error(cache.db(), "cannot store the correspondent's certificate");
    if (sqlite3_changes(cache.db()) == 0)
        return false;
    const std::int64_t id = sqlite3_last_insert_rowid(cache.db());
    for (const auto& email : record.emails) {
        sql::Statement add = cache.prepare("INSERT OR IGNORE INTO correspondent_emails(email, cert_id) VALUES (?1, ?2)");
        add.bind(1, email).bind(2, id);
        if (add.step() != SQLITE_DONE)
            return db_error(cache.db(), "cannot index the correspondent's addresses");
    }
    return true;
}

Result<std::vector<CorrespondentRecord>> select(sql::StatementCache& cache, const CorrespondentFilter& filter) {
    std::vector<std::string> binds;
    sql::Statement select = cache.prepare(std::string(k_columns) + where_clause(filter, binds));
    if (!select.ok())
        return make_error(ErrorKind::internal, "bad query: " + select.prepare_error());
    for (std::size_t i = 0; i < binds.size(); ++i)
        select.bind(static_cast<int>(i + 1), binds[i]);
    std::vector<std::pair<std::int64_t, CorrespondentRecord>> rows;
    int rc = 0;
    while ((rc = select.step()) == SQLITE_ROW) {
        CorrespondentRecord record;
        record.fingerprint = select.text(1);
        record.serial = select.text(2);
        record.issuer = select.text(3);
        record.subject = select.text(4);
        record.not_before = from_seconds(select.integer(5));
        record.not_after = from_seconds(select.integer(6));
        record.source = parse_certificate_source(select.text(7)).value_or(CertificateSource::operator_import);
        record.domain = select.text(8);
        record.learned_at = from_seconds(select.integer(9));
        record.der = select.blob(10);
        record.pending = select.integer(11) != 0;
        rows.emplace_back(select.integer(0), std::move(record));
    }
    if (rc != SQLITE_DONE)
        return db_error(cache.db(), "cannot read correspondents' certificates");
    select.reset();
    std::vector<CorrespondentRecord> records;
    for (auto& [id, record] : rows) {
        auto emails = emails_of(cache, id);
        if (!emails)
            return emails.error();
        record.emails = std::move(emails).value();
        records.push_back(std::move(record));
    }
    return records;
}

Result<bool> remove(sql::StatementCache& cache, const std::string& fingerprint) {
    sql::Statement remove = cache.prepare("DELETE FROM correspondent_certificates WHERE fingerprint = ?1");
    remove.bind(1, fingerprint);
    if (remove.step() != SQLITE_DONE)
        return db_error(cache.db(), "cannot remove the correspondent's certificate");
    return sqlite3_changes(cache.db()) > 0;
}

Result<bool> approve(sql::StatementCache& cache, const std::string& fingerprint) {
    sql::Statement approve = cache.prepare("UPDATE correspondent_certificates SET pending = 0 WHERE fingerprint = ?1 AND pending = 1");
    approve.bind(1, fingerprint);
    if (approve.step() != SQLITE_DONE)
        return db_error(cache.db(), "cannot approve the correspondent's certificate");
    return sqlite3_changes(cache.db()) > 0;
}

} // namespace segel::directory::sqlite_correspondents
