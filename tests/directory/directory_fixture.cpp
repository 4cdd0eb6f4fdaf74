#include "directory_fixture.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

#include <sqlite3.h>

#include "postgres_test_server.hpp"

namespace segel::test {

std::vector<std::string> directory_backends() {
    if (postgres::available())
        return {"sqlite", "postgresql"};
    return {"sqlite"};
}

DirectoryFixture::DirectoryFixture(std::vector<std::string> domains, std::optional<std::string> chosen) {
    backend = chosen ? *chosen : GENERATE(from_range(directory_backends()));
    if (backend == "postgresql")
        postgres_database = postgres::create_database();
    auto key = directory::create_master_key_file((dir / "master.key").string());
    REQUIRE(key.has_value());
    master_key = *key;
    directory::DirectoryOptions options;
    options.create = true;
    options.master_key = master_key;
    options.domains = std::move(domains);
    auto opened = directory::open_directory(url(), options);
    INFO((opened ? std::string() : opened.error().detail));
    REQUIRE(opened.has_value());
    store = std::move(opened).value();
}

DirectoryFixture::~DirectoryFixture() {
    store.reset();
    if (!postgres_database.empty())
        postgres::drop_database(postgres_database);
}

std::string DirectoryFixture::url() const {
    return backend == "postgresql" ? postgres::url_of(postgres_database) : "sqlite:" + database_path();
}

std::unique_ptr<directory::DirectoryService> DirectoryFixture::open_again(
    std::shared_ptr<const smime::MasterKey> key) const {
    directory::DirectoryOptions options;
    options.master_key = key ? std::move(key) : master_key;
    return open_url(url(), options);
}

std::unique_ptr<directory::DirectoryService> DirectoryFixture::open_url(const std::string& location,
                                                                        directory::DirectoryOptions options) const {
    if (!options.master_key)
        options.master_key = master_key;
    options.domains = {"tangerangkota.go.id"};
    auto opened = directory::open_directory(location, options);
    INFO((opened ? std::string() : opened.error().detail));
    REQUIRE(opened.has_value());
    return std::move(opened).value();
}

void DirectoryFixture::execute_raw(const std::string& statement) const {
    if (backend == "postgresql")
        return postgres::execute(postgres_database, statement);
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(database_path().c_str(), &raw) == SQLITE_OK);
    const int rc = sqlite3_exec(raw, statement.c_str(), nullptr, nullptr, nullptr);
    sqlite3_close(raw);
    REQUIRE(rc == SQLITE_OK);
}

directory::ImportOutcome DirectoryFixture::import_user(const std::string& user, directory::CertificateKind kind,
                                                       const std::string& owner_email, bool with_key) {
    const auto& identity = demo_identity(user);
    directory::ImportRequest request{identity.certificate(), with_key ? identity.shared_private_key() : nullptr,
                                     identity.chain(), kind, {}};
    request.owner.email = owner_email.empty() ? identity.certificate().email_addresses().front() : owner_email;
    request.owner.name = user;
    request.owner.unit = "Diskominfo";
    auto outcome = store->import_certificate(request, k_test_actor);
    INFO((outcome ? std::string() : outcome.error().detail));
    REQUIRE(outcome.has_value());
    return *outcome;
}

std::string DirectoryFixture::fingerprint_of(const std::string& user) const {
    return demo_identity(user).certificate().sha256_fingerprint_hex();
}

std::vector<directory::EncryptionCandidate> DirectoryFixture::candidates_for(const std::string& address) const {
    auto parsed = smime::Address::parse(address);
    REQUIRE(parsed.has_value());
    auto found = store->encryption_certificates(*parsed, std::chrono::system_clock::now());
    INFO((found ? std::string() : found.error().detail));
    REQUIRE(found.has_value());
    return std::move(found).value();
}

int DirectoryFixture::audit_count(const std::string& action) const {
    auto entries = store->audit_entries();
    REQUIRE(entries.has_value());
    return static_cast<int>(std::count_if(entries->begin(), entries->end(),
                                          [&](const directory::AuditEntry& e) { return e.action == action; }));
}

} // namespace segel::test
