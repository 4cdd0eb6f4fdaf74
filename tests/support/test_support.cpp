#include "test_support.hpp"

#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace segel::test {

namespace fs = std::filesystem;

TempDir::TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base ? base : "/tmp") + "/segel-test-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr)
        throw std::runtime_error("mkdtemp failed");
    m_path = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    fs::remove_all(m_path, ignored);
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path.string());
    std::ostringstream data;
    data << in.rdbuf();
    return data.str();
}

void write_file(const fs::path& path, const std::string& data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input,
                          const std::vector<std::string>& extra_env) {
    TempDir io;
    write_file(io / "in", input);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, (io / "in").c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, (io / "out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, (io / "err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);

    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e)
        env_strings.emplace_back(*e);
    env_strings.insert(env_strings.end(), extra_env.begin(), extra_env.end());
    std::vector<char*> env;
    for (auto& s : env_strings)
        env.push_back(s.data());
    env.push_back(nullptr);
    std::vector<std::string> args = argv;
    std::vector<char*> arg_pointers;
    for (auto& s : args)
        arg_pointers.push_back(s.data());
    arg_pointers.push_back(nullptr);

    pid_t pid = 0;
    const int spawned = ::posix_spawnp(&pid, arg_pointers[0], &actions, nullptr, arg_pointers.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    ProcessResult result;
    if (spawned != 0) {
        result.err = "cannot start " + argv[0];
        return result;
    }
    int status = 0;
    struct rusage usage {};
    ::wait4(pid, &status, 0, &usage);
    result.max_rss_kib = usage.ru_maxrss;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.out = read_file(io / "out");
    result.err = read_file(io / "err");
    return result;
}

fs::path pki_dir() {
    const char* dir = std::getenv("SEGEL_TEST_PKI");
    if (dir == nullptr || !fs::exists(fs::path(dir) / ".complete"))
        throw std::runtime_error("SEGEL_TEST_PKI does not name a built demo PKI; run the tests through ctest");
    return dir;
}

fs::path pki_file(const std::string& name) { return pki_dir() / name; }

namespace {
std::string openssl_signed(const std::string& entity, const std::vector<std::string>& signers,
                           const std::string& digest, bool detached) {
    TempDir dir;
    write_file(dir / "content", entity);
    std::vector<std::string> argv = {"openssl", "cms", "-sign", "-in", (dir / "content").string(),
                                     detached ? "-crlfeol" : "-nodetach", "-binary", "-md", digest, "-outform", "SMIME",
                                     "-certfile", pki_file("chain.pem").string()};
    for (const auto& signer : signers) {
        const auto colon = signer.find(':');
        const bool demo_user = colon == std::string::npos;
        argv.insert(argv.end(), {"-signer", demo_user ? pki_file(signer + ".cert.pem").string() : signer.substr(0, colon),
                                 "-inkey", demo_user ? pki_file(signer + ".key.pem").string() : signer.substr(colon + 1)});
    }
    const auto made = run_process(argv);
    if (made.exit_code != 0)
        throw std::runtime_error("openssl cms -sign failed: " + made.err);
    return made.out;
}
} // namespace

std::string openssl_opaque_signed(const std::string& entity, const std::vector<std::string>& signers,
                                  const std::string& digest) {
    return openssl_signed(entity, signers, digest, false);
}

std::string openssl_detached_signed(const std::string& entity, const std::vector<std::string>& signers) {
    return openssl_signed(entity, signers, "sha256", true);
}

std::pair<std::string, std::string> self_signed_certificate(const TempDir& dir, const std::string& email) {
    const auto cert = (dir / "self-signed.cert.pem").string();
    const auto key = (dir / "self-signed.key.pem").string();
    const auto made = run_process({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                                   "-days", "30", "-subj", "/CN=Alice Rahmawati", "-addext", "subjectAltName=email:" + email,
                                   "-addext", "extendedKeyUsage=emailProtection"});
    if (made.exit_code != 0)
        throw std::runtime_error("openssl req -x509 failed: " + made.err);
    return {cert, key};
}

const smime::SigningIdentity& demo_identity(const std::string& user) {
    static std::mutex mutex;
    static std::map<std::string, smime::SigningIdentity> cache;
    std::lock_guard lock(mutex);
    if (auto found = cache.find(user); found != cache.end())
        return found->second;
    auto passphrase = smime::Passphrase::read_file(pki_file("p12-passphrase").string());
    if (!passphrase)
        throw std::runtime_error(passphrase.error().detail);
    auto identity = smime::SigningIdentity::load_pkcs12(pki_file(user + ".p12").string(), *passphrase);
    if (!identity)
        throw std::runtime_error(identity.error().detail);
    return cache.emplace(user, std::move(identity).value()).first->second;
}

smime::Result<smime::SpooledMessage> spool_text(const std::string& message, Chunking chunking) {
    auto spool = smime::MessageSpool::create(fs::temp_directory_path());
    if (!spool)
        return spool.error();
    std::mt19937 random(12345);
    std::size_t pos = 0;
    while (pos < message.size()) {
        std::size_t n = message.size() - pos;
        if (chunking == Chunking::one_byte)
            n = 1;
        else if (chunking == Chunking::random_sizes)
            n = std::min(n, std::uniform_int_distribution<std::size_t>(1, 4096)(random));
        if (auto appended = spool->append(std::string_view(message).substr(pos, n)); !appended)
            return appended.error();
        pos += n;
    }
    return std::move(spool).value().finish();
}

smime::Result<smime::SignOutcome> sign_text(const std::string& message, const smime::SigningIdentity& identity,
                                            Chunking chunking) {
    auto spooled = spool_text(message, chunking);
    if (!spooled)
        return spooled.error();
    return smime::sign(smime::MimeEntity::of(std::move(spooled).value()), identity);
}

std::string sign_to_text(const std::string& message, const smime::SigningIdentity& identity, Chunking chunking,
                         const smime::SignOptions& options) {
    auto spooled = spool_text(message, chunking);
    if (!spooled)
        throw std::runtime_error("refused: " + spooled.error().detail);
    auto outcome = smime::sign(smime::MimeEntity::of(std::move(spooled).value()), identity, options);
    if (!outcome)
        throw std::runtime_error("refused (" + std::string(smime::to_string(outcome.error().kind)) +
                                 "): " + outcome.error().detail);
    auto* signed_entity = std::get_if<smime::SignedEntity>(&*outcome);
    if (signed_entity == nullptr)
        throw std::runtime_error("left untouched: " + std::get<smime::LeftUntouched>(*outcome).reason);
    TempDir dir;
    const int fd = ::open((dir / "signed.eml").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    auto written = signed_entity->entity.write_to(fd);
    ::close(fd);
    if (!written)
        throw std::runtime_error(written.error().detail);
    return read_file(dir / "signed.eml");
}

smime::MimeEntity entity_of(const std::string& message) {
    auto spooled = spool_text(message);
    if (!spooled)
        throw std::runtime_error("cannot spool the test message: " + spooled.error().detail);
    return smime::MimeEntity::of(std::move(spooled).value());
}

std::string entity_text(const smime::MimeEntity& entity, std::size_t chunk_bytes) {
    TempDir dir;
    const int fd = ::open((dir / "out.eml").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        throw std::runtime_error("cannot create a file for the entity");
    const auto result = entity.write_to(fd, chunk_bytes);
    ::close(fd);
    if (!result)
        throw std::runtime_error("cannot write the entity: " + result.error().detail);
    return read_file(dir / "out.eml");
}

std::string crlf(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '\n')
            out += '\r';
        out += c;
    }
    return out;
}

} // namespace segel::test
