#include "signing_checks.hpp"

#include <map>

#include <catch2/catch.hpp>

#include "external_verifiers.hpp"
#include "test_support.hpp"

namespace segel::test {

namespace {

std::string display_name_of(const std::string& user) {
    static const std::map<std::string, std::string> names = {
        {"alice", "Alice Rahmawati"}, {"bambang", "Bambang Sutrisno"}, {"citra", "Citra Lestari"},
        {"dewi", "Dewi Anggraini"}};
    return names.at(user);
}

// SM-01, SM-02: part 1 is CRLF-only, 7-bit, lines at most 998 octets.
void check_canonical(const std::string& part1) {
    std::size_t line = 1, length = 0;
    for (std::size_t i = 0; i < part1.size(); ++i) {
        const char c = part1[i];
        INFO("part 1, line " << line);
        REQUIRE(static_cast<unsigned char>(c) < 0x80);
        REQUIRE(c != '\0');
        if (c == '\r') {
            REQUIRE(i + 1 < part1.size());
            REQUIRE(part1[i + 1] == '\n');
        } else if (c == '\n') {
            REQUIRE(i > 0);
            REQUIRE(part1[i - 1] == '\r');
            ++line;
            length = 0;
        } else {
            REQUIRE(++length <= 998);
        }
    }
}

// SM-04: the signed entity carries MIME header fields only.
void check_only_mime_headers(const std::string& part1) {
    const auto end = part1.find("\r\n\r\n");
    const std::string header = end == std::string::npos ? part1 : part1.substr(0, end + 2);
    std::size_t pos = 0;
    while (pos < header.size()) {
        const auto next = header.find("\r\n", pos);
        const std::string line = header.substr(pos, next - pos);
        pos = next + 2;
        if (line.empty() || line[0] == ' ' || line[0] == '\t')
            continue;
        INFO("part 1 header line: " << line);
        CHECK(line.rfind("Content-", 0) == 0);
    }
}

} // namespace

void verify_everywhere(const std::string& signed_message, const std::string& user) {
    const std::string email = user + "@tangerangkota.go.id";
    const SignedParts parts = split_signed_message(signed_message);

    // SM-05: the outer Content-Type and part 2.
    CHECK_THAT(parts.content_type, Catch::Contains("multipart/signed;") &&
                                       Catch::Contains("protocol=\"application/pkcs7-signature\"") &&
                                       Catch::Contains("micalg=sha-256"));
    CHECK_THAT(parts.part2, Catch::StartsWith("Content-Type: application/pkcs7-signature; name=\"smime.p7s\"") &&
                                Catch::Contains("Content-Transfer-Encoding: base64") &&
                                Catch::Contains("filename=\"smime.p7s\""));
    check_canonical(parts.part1);
    check_only_mime_headers(parts.part1);

    const Verdict openssl = verify_with_openssl(signed_message, email);
    INFO("openssl said: " << openssl.detail);
    CHECK(openssl.good);
    const Verdict gpgsm = verify_with_gpgsm(parts, email);
    INFO("gpgsm said: " << gpgsm.detail);
    CHECK(gpgsm.good);
    const Verdict nss = verify_with_nss(parts, display_name_of(user));
    INFO("NSS cmsutil said: " << nss.detail);
    CHECK(nss.good);
}

std::string sign_and_verify_everywhere(const std::string& message, const std::string& user) {
    const std::string signed_message = sign_to_text(message, demo_identity(user));
    verify_everywhere(signed_message, user);

    // The reader sees the same content as before signing.
    TempDir dir;
    write_file(dir / "original.eml", message);
    write_file(dir / "signed.eml", signed_message);
    const auto compared = run_process({"python3", std::string(SEGEL_TEST_TOOLS) + "/compare_mime_content.py",
                                       (dir / "original.eml").string(), (dir / "signed.eml").string()});
    INFO("content comparison said: " << compared.out << compared.err);
    CHECK(compared.exit_code == 0);
    return signed_message;
}

} // namespace segel::test
