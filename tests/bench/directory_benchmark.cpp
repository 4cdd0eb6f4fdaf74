// directory_benchmark [COUNT [URL]]
//
// Benchmark, not a test: builds a directory of COUNT (default 100,000)
// certificates issued by a throw-away ECDSA CA, in a fresh SQLite file or
// in the empty directory at URL (postgresql://...), then measures
//   - import of every certificate with its sealed key,
//   - choosing the signing certificate for a login + From address (the
//     milter's per-message lookup, including key unsealing and the audit
//     entry for the key access), one at a time and from 4 threads at once,
//   - an RA sync of COUNT rows (every person's unit changes, 10% revoked),
//   - a CRL of COUNT entries (half of them directory certificates).
// Prints wall times and peak RSS.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "directory/crl_sync.hpp"
#include "directory/ra_sync.hpp"
#include "directory/directory_service.hpp"

using namespace segel;
using Clock = std::chrono::steady_clock;

namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const noexcept { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using CrlPtr = std::unique_ptr<X509_CRL, Deleter<X509_CRL, X509_CRL_free>>;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

long peak_rss_kb() {
    struct rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

PkeyPtr ec_key() { return PkeyPtr(EVP_EC_gen("P-256")); }

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

X509Ptr make_cert(EVP_PKEY* subject_key, const std::string& cn, long serial, X509* issuer, EVP_PKEY* issuer_key,
                  const std::string& email) {
    X509Ptr cert(X509_new());
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -86400);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 2L * 365 * 86400);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
    X509_set_pubkey(cert.get(), subject_key);
    X509* signer = issuer != nullptr ? issuer : cert.get();
    if (email.empty()) {
        add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_ext(cert.get(), signer, NID_key_usage, "critical,digitalSignature,nonRepudiation");
        add_ext(cert.get(), signer, NID_subject_alt_name, ("email:" + email).c_str());
    }
    X509_sign(cert.get(), issuer_key, EVP_sha256());
    return cert;
}

std::string email_of(long i) { return "pegawai" + std::to_string(i) + "@tangerangkota.go.id"; }

} // namespace

int main(int argc, char** argv) {
    const long count = argc > 1 ? std::atol(argv[1]) : 100000;
    const auto dir = std::filesystem::temp_directory_path() / ("segel-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string url = argc > 2 ? argv[2] : (dir / "directory.sqlite").string();
    std::printf("directory benchmark with %ld certificates in %s\n", count, url.c_str());

    PkeyPtr ca_key = ec_key();
    X509Ptr ca = make_cert(ca_key.get(), "Bench CA", 1, nullptr, ca_key.get(), "");
    auto ca_cert = smime::Certificate::adopt(X509_dup(ca.get()));
    PkeyPtr user_key = ec_key(); // one key for every certificate: key generation is not what we measure
    std::shared_ptr<EVP_PKEY> shared_key(user_key.release(), EVP_PKEY_free);

    auto start = Clock::now();
    std::vector<smime::Certificate> certs;
    certs.reserve(static_cast<std::size_t>(count));
    for (long i = 0; i < count; ++i)
        certs.push_back(smime::Certificate::adopt(
            make_cert(shared_key.get(), "Pegawai " + std::to_string(i), 1000 + i, ca.get(), ca_key.get(), email_of(i)).release()));
    std::printf("issue %ld certificates (setup):       %8.2f s\n", count, seconds_since(start));

    auto key = directory::create_master_key_file((dir / "master.key").string());
    directory::DirectoryOptions options;
    options.create = true;
    options.master_key = *key;
    options.domains = {"tangerangkota.go.id"};
    auto opened = directory::open_directory(url, options);
    if (!opened) {
        std::fprintf(stderr, "cannot open %s: %s\n", url.c_str(), opened.error().detail.c_str());
        return 1;
    }
    auto store = std::move(opened).value();
    const directory::Actor actor{"bench"};

    start = Clock::now();
    for (long i = 0; i < count; ++i) {
        directory::ImportRequest request{certs[static_cast<std::size_t>(i)], shared_key, {ca_cert},
                                         directory::CertificateKind::individual,
                                         {email_of(i), "Pegawai " + std::to_string(i), "", "Unit " + std::to_string(i % 50), ""}};
        if (!store->import_certificate(request, actor)) {
            std::fprintf(stderr, "import %ld failed\n", i);
            return 1;
        }
    }
    const double import_seconds = seconds_since(start);
    std::printf("import (one transaction each):        %8.2f s  (%.0f per second)\n", import_seconds, count / import_seconds);

    // The milter's lookup per message. "cold": the first lookup of a
    // certificate since the process started (parses it and unseals its key);
    // "warm": a sender seen before (parsed certificate and key cached; the RA
    // status is still read from the database every time).
    const auto measure = [&](const char* label, const std::vector<long>& users) {
        std::vector<double> micros;
        micros.reserve(users.size());
        for (long user : users) {
            const std::string email = email_of(user);
            const auto t = Clock::now();
            auto choice = store->choose_signing_certificate(email, email, std::chrono::system_clock::now(), actor);
            micros.push_back(seconds_since(t) * 1e6);
            if (!choice || !choice->identity) {
                std::fprintf(stderr, "lookup failed\n");
                std::exit(1);
            }
        }
        std::sort(micros.begin(), micros.end());
        double sum = 0;
        for (double m : micros)
            sum += m;
        std::printf("choose signing certificate, %s (%zu): mean %5.0f us, median %5.0f us, p99 %5.0f us\n", label,
                    micros.size(), sum / static_cast<double>(micros.size()), micros[micros.size() / 2],
                    micros[micros.size() * 99 / 100]);
    };
    std::vector<long> cold, warm;
    std::mt19937 random(42);
    for (long i = 0; i < std::min(count, 5000L); ++i)
        cold.push_back(i * (count / std::min(count, 5000L)));
    std::uniform_int_distribution<std::size_t> pick(0, std::min<std::size_t>(cold.size(), 1000) - 1);
    for (int i = 0; i < 10000; ++i)
        warm.push_back(cold[pick(random)]);
    measure("cold", cold);
    measure("warm", warm);
    // Four milter threads at once, warm senders, for three seconds.
    std::atomic<long> lookups{0}, failures{0};
    std::vector<std::thread> threads;
    const auto until = Clock::now() + std::chrono::seconds(3);
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (std::size_t i = static_cast<std::size_t>(t); Clock::now() < until; i += 4) {
                const std::string email = email_of(warm[i % warm.size()]);
                auto choice = store->choose_signing_certificate(email, email, std::chrono::system_clock::now(), actor);
                ++(choice && choice->identity ? lookups : failures);
            }
        });
    for (auto& thread : threads)
        thread.join();
    std::printf("choose signing certificate, 4 threads at once: %.0f per second (%ld failed)\n", lookups / 3.0,
                failures.load());

    // RA sync: every person moves unit; every tenth certificate is revoked.
    std::ostringstream csv;
    csv << "nip,email,name,unit,kind,status,reason,effective_date,certificate\n";
    for (long i = 0; i < count; ++i) {
        csv << (198000000000000000L + i) << "," << email_of(i) << ",Pegawai " << i << ",Unit baru " << (i % 40) << ",";
        if (i % 10 == 0)
            csv << "individual,revoked,mutasi,2026-11-01," << std::hex << std::uppercase << (1000 + i) << std::dec;
        else
            csv << ",,,,";
        csv << "\n";
    }
    start = Clock::now();
    std::istringstream in(csv.str());
    auto rows = directory::parse_ra_export(in, "bench.csv");
    const double parse_seconds = seconds_since(start);
    auto plan = directory::plan_ra_sync(*store, *rows, options.domains, std::chrono::system_clock::now(), "bench.csv");
    if (!plan) {
        std::fprintf(stderr, "RA plan failed: %s\n", plan.error().detail.c_str());
        return 1;
    }
    const double plan_seconds = seconds_since(start) - parse_seconds;
    auto applied = store->apply(plan->changes, actor);
    if (!applied) {
        std::fprintf(stderr, "RA apply failed: %s\n", applied.error().detail.c_str());
        return 1;
    }
    std::printf("RA sync of %ld rows (%zu changes):  %8.2f s  (parse %.2f, plan %.2f, apply %.2f)\n", count,
                plan->descriptions.size(), seconds_since(start), parse_seconds, plan_seconds,
                seconds_since(start) - parse_seconds - plan_seconds);
    start = Clock::now();
    std::istringstream again(csv.str());
    auto replan = directory::plan_ra_sync(*store, *directory::parse_ra_export(again, "bench.csv"), options.domains,
                                          std::chrono::system_clock::now(), "bench.csv");
    std::printf("RA sync again (idempotent, %zu changes): %6.2f s\n", replan->descriptions.size(), seconds_since(start));

    // CRL: COUNT serials, every other one a directory certificate.
    CrlPtr crl(X509_CRL_new());
    X509_CRL_set_version(crl.get(), 1);
    X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca.get()));
    ASN1_TIME* now = X509_gmtime_adj(nullptr, -3600);
    ASN1_TIME* next = X509_gmtime_adj(nullptr, 7 * 86400);
    X509_CRL_set1_lastUpdate(crl.get(), now);
    X509_CRL_set1_nextUpdate(crl.get(), next);
    for (long i = 0; i < count; ++i) {
        X509_REVOKED* revoked = X509_REVOKED_new();
        ASN1_INTEGER* serial = ASN1_INTEGER_new();
        ASN1_INTEGER_set(serial, i % 2 == 0 ? 1000 + i : 10000000 + i);
        X509_REVOKED_set_serialNumber(revoked, serial);
        X509_REVOKED_set_revocationDate(revoked, now);
        ASN1_ENUMERATED* reason = ASN1_ENUMERATED_new();
        ASN1_ENUMERATED_set(reason, 1);
        X509_REVOKED_add1_ext_i2d(revoked, NID_crl_reason, reason, 0, 0);
        ASN1_ENUMERATED_free(reason);
        ASN1_INTEGER_free(serial);
        X509_CRL_add0_revoked(crl.get(), revoked);
    }
    ASN1_TIME_free(now);
    ASN1_TIME_free(next);
    X509_CRL_sort(crl.get());
    X509_CRL_sign(crl.get(), ca_key.get(), EVP_sha256());
    const auto crl_path = dir / "bench.crl";
    {
        FILE* f = std::fopen(crl_path.c_str(), "w");
        PEM_write_X509_CRL(f, crl.get());
        std::fclose(f);
    }
    start = Clock::now();
    auto loaded = smime::Crl::load_all(crl_path.string());
    auto crl_plan = directory::plan_crl_sync(*store, *loaded, ca_cert, std::chrono::system_clock::now(), {}, "bench.crl");
    if (!crl_plan) {
        std::fprintf(stderr, "CRL plan failed: %s\n", crl_plan.error().detail.c_str());
        return 1;
    }
    const double crl_plan_seconds = seconds_since(start);
    if (!store->apply(crl_plan->changes, actor)) {
        std::fprintf(stderr, "CRL apply failed\n");
        return 1;
    }
    std::printf("CRL of %ld entries (%zu changes):   %8.2f s  (load+check+plan %.2f, apply %.2f)\n", count,
                crl_plan->descriptions.size(), seconds_since(start), crl_plan_seconds,
                seconds_since(start) - crl_plan_seconds);

    start = Clock::now();
    auto verified = store->verify_audit_log();
    std::printf("audit verify (%lld entries):         %8.2f s  (%s)\n", static_cast<long long>(verified->entries),
                seconds_since(start), verified->intact ? "intact" : "BROKEN");
    if (std::filesystem::exists(dir / "directory.sqlite"))
        std::printf("database size: %.1f MB\n",
                    static_cast<double>(std::filesystem::file_size(dir / "directory.sqlite")) / 1e6);
    std::printf("peak RSS: %ld MB\n", peak_rss_kb() / 1024);
    store.reset();
    std::filesystem::remove_all(dir);
    return 0;
}
