// segel-test-verify MESSAGE USER
//
// Runs the suite's three independent verifiers (OpenSSL, gpgsm, NSS cmsutil;
// tests/support/external_verifiers.hpp) on a message as delivered, trusting
// only the demo root ($SEGEL_TEST_PKI), and checks the signer is USER
// (alice, bambang, ...). Line ends are made CRLF first, as a mail client's
// canonicalisation would. Prints one line per verifier; exit 0 if all pass.
#include <cstdio>
#include <exception>
#include <iostream>
#include <map>

#include "external_verifiers.hpp"
#include "test_support.hpp"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: segel-test-verify MESSAGE USER\n";
        return 64;
    }
    try {
        const std::string user = argv[2];
        const std::string email = user + "@tangerangkota.go.id";
        std::string message = segel::test::read_file(argv[1]);
        std::string crlf;
        for (std::size_t i = 0; i < message.size(); ++i) {
            if (message[i] == '\n' && (i == 0 || message[i - 1] != '\r'))
                crlf += '\r';
            crlf += message[i];
        }
        static const std::map<std::string, std::string> names = {
            {"alice", "Alice Rahmawati"}, {"bambang", "Bambang Sutrisno"}, {"citra", "Citra Lestari"},
            {"dewi", "Dewi Anggraini"}};
        const auto parts = segel::test::split_signed_message(crlf);
        const auto openssl = segel::test::verify_with_openssl(crlf, email);
        const auto gpgsm = segel::test::verify_with_gpgsm(parts, email);
        const auto nss = segel::test::verify_with_nss(parts, names.at(user));
        std::cout << "openssl: " << (openssl.good ? "good" : "BAD " + openssl.detail) << "\n"
                  << "gpgsm:   " << (gpgsm.good ? "good" : "BAD " + gpgsm.detail) << "\n"
                  << "nss:     " << (nss.good ? "good" : "BAD " + nss.detail) << "\n";
        return openssl.good && gpgsm.good && nss.good ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "segel-test-verify: " << e.what() << "\n";
        return 2;
    }
}
