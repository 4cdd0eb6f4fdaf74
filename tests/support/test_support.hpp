// Helpers shared by the test suite: temp directories, running external
// programs, locating the demo PKI the ctest fixture builds, and signing a
// message given as text.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "smime/signer.hpp"
#include "smime/signing_identity.hpp"

namespace segel::test {

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& data);

struct ProcessResult {
    int exit_code = -1;
    std::string out;
    std::string err;
    long max_rss_kib = 0; // the child's peak resident memory
};

// Runs argv[0] (looked up in PATH) with the given standard input and extra
// environment ("NAME=value"), and collects its output.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input = {},
                          const std::vector<std::string>& extra_env = {});

// The demo PKI built by tests/pki/make-demo-pki.sh (ctest fixture), from
// $SEGEL_TEST_PKI.
std::filesystem::path pki_dir();
std::filesystem::path pki_file(const std::string& name);
// The PKCS#12 identity of a demo user (alice, bambang, ... see the script).
const smime::SigningIdentity& demo_identity(const std::string& user);

// A self-signed certificate naming `email` (a forger's, SEC-03 c4), made by
// the OpenSSL CLI in `dir`: returns {certificate path, key path}.
std::pair<std::string, std::string> self_signed_certificate(const TempDir& dir, const std::string& email);

// `entity` in opaque signed-data (application/pkcs7-mime header fields and
// base64 body) made by the OpenSSL CLI, an independent signer: one
// SignerInfo per signer, each a demo PKI user name or "cert.pem:key.pem";
// the demo chain is included. Throws on failure.
std::string openssl_opaque_signed(const std::string& entity, const std::vector<std::string>& signers,
                                  const std::string& digest = "sha256");

// The same as a multipart/signed (detached signature; CRLF line ends).
std::string openssl_detached_signed(const std::string& entity, const std::vector<std::string>& signers);

// How a message is fed to the spool.
enum class Chunking { whole, one_byte, random_sizes };

// Spools `message` in the given chunking.
smime::Result<smime::SpooledMessage> spool_text(const std::string& message, Chunking chunking = Chunking::whole);
// Spools `message` in the given chunking and signs it.
smime::Result<smime::SignOutcome> sign_text(const std::string& message, const smime::SigningIdentity& identity,
                                            Chunking chunking = Chunking::whole);
// Signs and writes the whole signed message; fails the test on refusal.
std::string sign_to_text(const std::string& message, const smime::SigningIdentity& identity,
                         Chunking chunking = Chunking::whole, const smime::SignOptions& options = {});

// `message` spooled as an entity, and an entity written out as text (in
// pieces of chunk_bytes). Both throw on failure.
smime::MimeEntity entity_of(const std::string& message);
std::string entity_text(const smime::MimeEntity& entity, std::size_t chunk_bytes = 1 << 16);

// Turns "\n" into "\r\n" (test messages are written with \n for reading ease).
std::string crlf(const std::string& text);

} // namespace segel::test
