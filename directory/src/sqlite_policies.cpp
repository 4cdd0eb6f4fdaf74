#include "sqlite_policies.hpp"

namespace segel::directory::sqlite_policies {

namespace {

template <class Enum>
void bind_field(sql::Statement& statement, int index, const std::optional<Enum>& value) {
    if (value)
        statement.bind(index, std::string_view(to_string(*value)));
    else
        statement.bind_null(index);
}

template <class Enum, class Parse>
std::optional<Enum> read_field(const sql::Statement& statement, int column, Parse parse) {
    if (statement.is_null(column))
        return std::nullopt;
    return parse(statement.text(column));
}

} // namespace

Result<std::vector<PolicyRule>> select(sql::StatementCache& cache) {
    sql::Statement select = cache.prepare(
        "SELECT scope, mode, cipher, key_transport, set_at, set_by FROM encryption_policies ORDER BY scope");
    std::vector<PolicyRule> rules;
    int rc = 0;
    while ((rc = select.step()) == SQLITE_ROW) {
        PolicyRule rule;
        rule.scope = select.text(0);
        rule.mode = read_field<EncryptionMode>(select, 1, parse_encryption_mode);
        rule.cipher = read_field<CipherChoice>(select, 2, parse_cipher_choice);
        rule.key_transport = read_field<KeyTransportChoice>(select, 3, parse_key_transport_choice);
        rule.set_at = from_seconds(select.integer(4));
        rule.set_by = select.text(5);
        rules.push_back(std::move(rule));
    }
    if (rc != SQLITE_DONE)
        return db_error(cache.db(), "cannot read the encryption policy");
    return rules;
}

Result<void> put(sql::StatementCache& cache, const PolicyRule& rule) {
    sql::Statement put = cache.prepare(
        "INSERT OR REPLACE INTO encryption_policies(scope, mode, cipher, key_transport, set_at, set_by) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    put.bind(1, rule.scope);
    bind_field(put, 2, rule.mode);
    bind_field(put, 3, rule.cipher);
    bind_field(put, 4, rule.key_transport);
    put.bind(5, to_seconds(rule.set_at)).bind(6, rule.set_by);
    if (put.step() != SQLITE_DONE)
        return db_error(cache.db(), "cannot store the encryption policy of " + rule.scope);
    return {};
}

Result<bool> remove(sql::StatementCache& cache, const std::string& scope) {
    sql::Statement remove = cache.prepare("DELETE FROM encryption_policies WHERE scope = ?1");
    remove.bind(1, scope);
    if (remove.step() != SQLITE_DONE)
        return db_error(cache.db(), "cannot remove the encryption policy of " + scope);
    return sqlite3_changes(cache.db()) > 0;
}

Result<void> put_capabilities(sql::StatementCache& cache, const std::string& email,
                              const smime::AdvertisedAlgorithms& advertised, TimePoint at) {
    sql::Statement put = cache.prepare(
        "INSERT INTO advertised_capabilities(email, aes256_gcm, rsa_oaep, learned_at) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT(email) DO UPDATE SET aes256_gcm = excluded.aes256_gcm, rsa_oaep = excluded.rsa_oaep, "
        "learned_at = excluded.learned_at WHERE excluded.learned_at >= advertised_capabilities.learned_at");
    put.bind(1, email).bind(2, std::int64_t{advertised.aes256_gcm}).bind(3, std::int64_t{advertised.rsa_oaep_sha256});
    put.bind(4, to_seconds(at));
    if (put.step() != SQLITE_DONE)
        return db_error(cache.db(), "cannot remember the capabilities of " + email);
    return {};
}

Result<std::optional<smime::AdvertisedAlgorithms>> capabilities(sql::StatementCache& cache, const std::string& email) {
    sql::Statement select = cache.prepare("SELECT aes256_gcm, rsa_oaep FROM advertised_capabilities WHERE email = ?1");
    select.bind(1, email);
    const int rc = select.step();
    if (rc == SQLITE_DONE)
        return std::optional<smime::AdvertisedAlgorithms>();
    if (rc != SQLITE_ROW)
        return db_error(cache.db(), "cannot read the capabilities of " + email);
    return std::optional<smime::AdvertisedAlgorithms>(
        smime::AdvertisedAlgorithms{select.integer(0) != 0, select.integer(1) != 0});
}

Result<std::vector<CapabilitiesRow>> all_capabilities(sql::StatementCache& cache) {
    sql::Statement select =
        cache.prepare("SELECT email, aes256_gcm, rsa_oaep, learned_at FROM advertised_capabilities ORDER BY email");
    std::vector<CapabilitiesRow> rows;
    int rc = 0;
    while ((rc = select.step()) == SQLITE_ROW)
        rows.push_back(CapabilitiesRow{select.text(0),
                                       smime::AdvertisedAlgorithms{select.integer(1) != 0, select.integer(2) != 0},
                                       from_seconds(select.integer(3))});
    if (rc != SQLITE_DONE)
        return db_error(cache.db(), "cannot read the remembered capabilities");
    return rows;
}

Result<std::vector<DecryptedMessageRow>> decrypted_messages(sql::StatementCache& cache) {
    sql::Statement select = cache.prepare("SELECT message_id, decrypted_at FROM decrypted_messages ORDER BY message_id");
    std::vector<DecryptedMessageRow> rows;
    int rc = 0;
    while ((rc = select.step()) == SQLITE_ROW)
        rows.push_back(DecryptedMessageRow{select.text(0), from_seconds(select.integer(1))});
    if (rc != SQLITE_DONE)
        return db_error(cache.db(), "cannot read the decrypted messages");
    return rows;
}

Result<void> put_decrypted_message(sql::StatementCache& cache, const std::string& message_id, TimePoint at) {
    sql::Statement put =
        cache.prepare("INSERT OR REPLACE INTO decrypted_messages(message_id, decrypted_at) VALUES (?1, ?2)");
    put.bind(1, message_id).bind(2, to_seconds(at));
    if (put.step() != SQLITE_DONE)
        return db_error(cache.db(), "cannot remember a decrypted message");
    return {};
}

Result<bool> any_decrypted(sql::StatementCache& cache, const std::vector<std::string>& message_ids) {
    for (const auto& id : message_ids) {
        sql::Statement select = cache.prepare("SELECT 1 FROM decrypted_messages WHERE message_id = ?1");
        select.bind(1, id);
        const int rc = select.step();
        if (rc == SQLITE_ROW)
            return true;
        if (rc != SQLITE_DONE)
            return db_error(cache.db(), "cannot read the decrypted messages");
    }
    return false;
}

} // namespace segel::directory::sqlite_policies
