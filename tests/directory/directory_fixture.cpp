#include "directory_fixture.hpp"

#include <catch2/catch.hpp>

namespace segel::test {

DirectoryFixture::DirectoryFixture(std::vector<std::string> domains) {
    auto key = directory::create_master_key_file((dir / "master.key").string());
    REQUIRE(key.has_value());
    master_key = *key;
    directory::SqliteOptions options;
    options.create = true;
    options.master_key = master_key;
    options.domains = std::move(domains);
    auto opened = directory::SqliteDirectory::open(database_path(), options);
    INFO((opened ? std::string() : opened.error().detail));
    REQUIRE(opened.has_value());
    store = std::move(opened).value();
}

std::unique_ptr<directory::SqliteDirectory> DirectoryFixture::open_again() const {
    directory::SqliteOptions options;
    options.master_key = master_key;
    options.domains = {"tangerangkota.go.id"};
    auto opened = directory::SqliteDirectory::open(database_path(), options);
    REQUIRE(opened.has_value());
    return std::move(opened).value();
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

} // namespace segel::test
