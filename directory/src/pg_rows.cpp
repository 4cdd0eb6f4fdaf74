#include "pg_rows.hpp"

#include "stored_time.hpp"

namespace segel::directory::pg_rows {

namespace {

constexpr const char* k_correspondent_columns =
    "SELECT c.id, c.fingerprint, c.serial, c.issuer, c.subject, c.not_before, c.not_after, c.source, c.domain, "
    "c.learned_at, c.der, c.pending, "
    "(SELECT string_agg(e.email, E'\\n' ORDER BY e.email COLLATE \"C\") FROM correspondent_emails e WHERE e.cert_id = c.id) "
    "FROM correspondent_certificates c";

std::string where_clause(const CorrespondentFilter& filter, pg::Params& params) {
    const auto bind = [&params](const std::string& value) {
        params.text(value);
        return "$" + std::to_string(params.size()) + "::text";
    };
    std::vector<std::string> conditions;
    if (filter.email)
        conditions.push_back("c.id IN (SELECT cert_id FROM correspondent_emails WHERE lower(email) = lower(" +
                             bind(*filter.email) + "))");
    if (filter.domain)
        conditions.push_back("c.source = 'domain' AND lower(c.domain) = lower(" + bind(*filter.domain) + ")");
    if (filter.fingerprint_prefix)
        conditions.push_back("starts_with(c.fingerprint, " + bind(*filter.fingerprint_prefix) + ")");
    if (filter.serial)
        conditions.push_back("c.serial = " + bind(*filter.serial));
    if (filter.text)
        conditions.push_back("strpos(lower(c.fingerprint || ' ' || c.serial || ' ' || c.subject || ' ' || c.domain || "
                             "' ' || coalesce((SELECT string_agg(email, ' ') FROM correspondent_emails WHERE cert_id = "
                             "c.id), '')), lower(" + bind(*filter.text) + ")) > 0");
    std::string sql;
    for (std::size_t i = 0; i < conditions.size(); ++i)
        sql += (i == 0 ? " WHERE " : " AND ") + conditions[i];
    return sql + " ORDER BY c.learned_at DESC, c.id DESC";
}

template <class Enum>
void bind_field(pg::Params& params, const std::optional<Enum>& value) {
    if (value)
        params.text(to_string(*value));
    else
        params.null();
}

template <class Enum, class Parse>
std::optional<Enum> read_field(const pg::Rows& rows, int row, int column, Parse parse) {
    if (rows.is_null(row, column))
        return std::nullopt;
    return parse(rows.text(row, column));
}

} // namespace

Result<bool> insert_correspondent(pg::Connection& db, const CorrespondentRecord& record) {
    pg::Params params;
    params.text(record.fingerprint).text(record.serial).text(record.issuer).text(record.subject);
    params.integer(to_seconds(record.not_before)).integer(to_seconds(record.not_after));
    params.text(to_string(record.source)).text(record.domain).integer(to_seconds(record.learned_at));
    params.bytes(record.der).text(record.pending ? "true" : "false");
    auto inserted = db.run("INSERT INTO correspondent_certificates(fingerprint, serial, issuer, subject, not_before, "
                           "not_after, source, domain, learned_at, der, pending) VALUES ($1::text, $2::text, $3::text, "
                           "$4::text, $5::bigint, $6::bigint, $7::text, $8::text, $9::bigint, $10::bytea, $11::boolean) "
                           "ON CONFLICT (fingerprint) DO NOTHING RETURNING id",
                           params, "cannot store the correspondent's certificate");
    if (!inserted)
        return inserted.error();
    if (inserted->empty())
        return false;
    const std::int64_t id = inserted->integer(0, 0);
    for (const auto& email : record.emails) {
        auto added = db.run("INSERT INTO correspondent_emails(email, cert_id) VALUES ($1::text, $2::bigint) "
                            "ON CONFLICT DO NOTHING",
                            pg::Params().text(email).integer(id), "cannot index the correspondent's addresses");
        if (!added)
            return added.error();
    }
    return true;
}

Result<std::vector<CorrespondentRecord>> correspondents(pg::Connection& db, const CorrespondentFilter& filter) {
    pg::Params params;
    const std::string sql = std::string(k_correspondent_columns) + where_clause(filter, params);
    auto rows = db.run(sql, params, "cannot read correspondents' certificates");
    if (!rows)
        return rows.error();
    std::vector<CorrespondentRecord> records;
    for (int i = 0; i < rows->size(); ++i) {
        CorrespondentRecord record;
        record.fingerprint = rows->text(i, 1);
        record.serial = rows->text(i, 2);
        record.issuer = rows->text(i, 3);
        record.subject = rows->text(i, 4);
        record.not_before = from_seconds(rows->integer(i, 5));
        record.not_after = from_seconds(rows->integer(i, 6));
        record.source = parse_certificate_source(rows->text(i, 7)).value_or(CertificateSource::operator_import);
        record.domain = rows->text(i, 8);
        record.learned_at = from_seconds(rows->integer(i, 9));
        record.der = rows->bytes(i, 10);
        record.pending = rows->text(i, 11) == "t";
        record.emails = rows->lines(i, 12);
        records.push_back(std::move(record));
    }
    return records;
}

Result<bool> delete_correspondent(pg::Connection& db, const std::string& fingerprint) {
    auto removed = db.run("DELETE FROM correspondent_certificates WHERE fingerprint = $1::text",
                          pg::Params().text(fingerprint), "cannot remove the correspondent's certificate");
    if (!removed)
        return removed.error();
    return removed->affected() > 0;
}

Result<bool> approve_correspondent(pg::Connection& db, const std::string& fingerprint) {
    auto approved = db.run("UPDATE correspondent_certificates SET pending = false WHERE fingerprint = $1::text "
                           "AND pending", pg::Params().text(fingerprint),
                           "cannot approve the correspondent's certificate");
    if (!approved)
        return approved.error();
    return approved->affected() > 0;
}

Result<std::vector<PolicyRule>> policy_rules(pg::Connection& db) {
    auto rows = db.run("SELECT scope, mode, cipher, key_transport, set_at, set_by FROM encryption_policies "
                       "ORDER BY scope COLLATE \"C\"",
                       {}, "cannot read the encryption policy");
    if (!rows)
        return rows.error();
    std::vector<PolicyRule> rules;
    for (int i = 0; i < rows->size(); ++i) {
        PolicyRule rule;
        rule.scope = rows->text(i, 0);
        rule.mode = read_field<EncryptionMode>(*rows, i, 1, parse_encryption_mode);
        rule.cipher = read_field<CipherChoice>(*rows, i, 2, parse_cipher_choice);
        rule.key_transport = read_field<KeyTransportChoice>(*rows, i, 3, parse_key_transport_choice);
        rule.set_at = from_seconds(rows->integer(i, 4));
        rule.set_by = rows->text(i, 5);
        rules.push_back(std::move(rule));
    }
    return rules;
}

Result<void> put_policy_rule(pg::Connection& db, const PolicyRule& rule) {
    pg::Params params;
    params.text(rule.scope);
    bind_field(params, rule.mode);
    bind_field(params, rule.cipher);
    bind_field(params, rule.key_transport);
    params.integer(to_seconds(rule.set_at)).text(rule.set_by);
    auto put = db.run("INSERT INTO encryption_policies(scope, mode, cipher, key_transport, set_at, set_by) "
                      "VALUES ($1::text, $2::text, $3::text, $4::text, $5::bigint, $6::text) "
                      "ON CONFLICT ((lower(scope))) DO UPDATE SET scope = excluded.scope, mode = excluded.mode, "
                      "cipher = excluded.cipher, key_transport = excluded.key_transport, set_at = excluded.set_at, "
                      "set_by = excluded.set_by",
                      params, "cannot store the encryption policy of " + rule.scope);
    if (!put)
        return put.error();
    return {};
}

Result<bool> delete_policy_rule(pg::Connection& db, const std::string& scope) {
    auto removed = db.run("DELETE FROM encryption_policies WHERE lower(scope) = lower($1::text)",
                          pg::Params().text(scope), "cannot remove the encryption policy of " + scope);
    if (!removed)
        return removed.error();
    return removed->affected() > 0;
}

Result<void> put_capabilities(pg::Connection& db, const std::string& email,
                              const smime::AdvertisedAlgorithms& advertised, TimePoint at) {
    pg::Params params;
    params.text(email).text(advertised.aes256_gcm ? "true" : "false");
    params.text(advertised.rsa_oaep_sha256 ? "true" : "false").integer(to_seconds(at));
    auto put = db.run("INSERT INTO advertised_capabilities(email, aes256_gcm, rsa_oaep, learned_at) "
                      "VALUES ($1::text, $2::boolean, $3::boolean, $4::bigint) "
                      "ON CONFLICT ((lower(email))) DO UPDATE SET aes256_gcm = excluded.aes256_gcm, "
                      "rsa_oaep = excluded.rsa_oaep, learned_at = excluded.learned_at "
                      "WHERE excluded.learned_at >= advertised_capabilities.learned_at",
                      params, "cannot remember the capabilities of " + email);
    if (!put)
        return put.error();
    return {};
}

Result<std::optional<smime::AdvertisedAlgorithms>> capabilities(pg::Connection& db, const std::string& email) {
    auto rows = db.run("SELECT aes256_gcm, rsa_oaep FROM advertised_capabilities WHERE lower(email) = lower($1::text)",
                       pg::Params().text(email), "cannot read the capabilities of " + email);
    if (!rows)
        return rows.error();
    if (rows->empty())
        return std::optional<smime::AdvertisedAlgorithms>();
    return std::optional<smime::AdvertisedAlgorithms>(
        smime::AdvertisedAlgorithms{rows->text(0, 0) == "t", rows->text(0, 1) == "t"});
}

Result<std::vector<CapabilitiesRow>> all_capabilities(pg::Connection& db) {
    auto rows = db.run("SELECT email, aes256_gcm, rsa_oaep, learned_at FROM advertised_capabilities "
                       "ORDER BY email COLLATE \"C\"",
                       {}, "cannot read the remembered capabilities");
    if (!rows)
        return rows.error();
    std::vector<CapabilitiesRow> out;
    for (int i = 0; i < rows->size(); ++i)
        out.push_back(CapabilitiesRow{rows->text(i, 0),
                                      smime::AdvertisedAlgorithms{rows->text(i, 1) == "t", rows->text(i, 2) == "t"},
                                      from_seconds(rows->integer(i, 3))});
    return out;
}

Result<void> put_decrypted_message(pg::Connection& db, const std::string& message_id, TimePoint at) {
    auto put = db.run("INSERT INTO decrypted_messages(message_id, decrypted_at) VALUES ($1::text, $2::bigint) "
                      "ON CONFLICT (message_id) DO UPDATE SET decrypted_at = excluded.decrypted_at",
                      pg::Params().text(message_id).integer(to_seconds(at)), "cannot remember a decrypted message");
    if (!put)
        return put.error();
    return {};
}

Result<bool> any_decrypted(pg::Connection& db, const std::vector<std::string>& message_ids) {
    for (const auto& id : message_ids) {
        auto rows = db.run("SELECT 1 FROM decrypted_messages WHERE message_id = $1::text", pg::Params().text(id),
                           "cannot read the decrypted messages");
        if (!rows)
            return rows.error();
        if (!rows->empty())
            return true;
    }
    return false;
}

Result<std::vector<DecryptedMessageRow>> decrypted_messages(pg::Connection& db) {
    auto rows = db.run("SELECT message_id, decrypted_at FROM decrypted_messages ORDER BY message_id COLLATE \"C\"", {},
                       "cannot read the decrypted messages");
    if (!rows)
        return rows.error();
    std::vector<DecryptedMessageRow> out;
    for (int i = 0; i < rows->size(); ++i)
        out.push_back(DecryptedMessageRow{rows->text(i, 0), from_seconds(rows->integer(i, 1))});
    return out;
}

} // namespace segel::directory::pg_rows
