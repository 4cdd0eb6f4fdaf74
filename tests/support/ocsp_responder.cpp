#include "ocsp_responder.hpp"

#include <fstream>

namespace segel::test {

std::string index_with_alice(const TempDir& dir, const std::string& state) {
    std::ifstream in(pki_file("ca/index.txt"));
    std::ofstream out(dir / "index.txt");
    const std::string serial = demo_identity("alice").certificate().serial_hex();
    for (std::string line; std::getline(in, line);) {
        const bool alice = line.find("\t" + serial + "\t") != std::string::npos;
        if (alice && state == "absent")
            continue;
        if (alice && state == "revoked") {
            // V <expiry> <empty> <serial> ... becomes R <expiry> <when>,<reason> <serial> ...
            const auto first_tab = line.find('\t');
            const auto second_tab = line.find('\t', first_tab + 1);
            line = "R" + line.substr(1, second_tab - 1) + "\t260101000000Z,keyCompromise" + line.substr(second_tab + 1);
        }
        out << line << "\n";
    }
    write_file(dir / "index.txt.attr", "unique_subject = no\n"); // alice and alice-old share a name
    return (dir / "index.txt").string();
}

HttpTestServer::Handler responder(const std::string& index, const std::string& cert, const std::string& key) {
    return [index, cert, key](const std::string& request) {
        TempDir io;
        write_file(io / "request.der", request);
        const auto made = run_process({"openssl", "ocsp", "-index", index, "-CA", pki_file("issuing.pem").string(),
                                       "-rsigner", cert, "-rkey", key, "-reqin", (io / "request.der").string(),
                                       "-respout", (io / "response.der").string(), "-ndays", "1"});
        return made.exit_code == 0 ? read_file(io / "response.der") : std::string();
    };
}

HttpTestServer::Handler ca_responder(const std::string& index) {
    return responder(index, pki_file("issuing.pem").string(), pki_file("issuing.key.pem").string());
}

} // namespace segel::test
