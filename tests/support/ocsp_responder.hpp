// OCSP responses for tests from OpenSSL's own responder logic (`openssl
// ocsp -index ... -reqin ... -respout ...`) over an index of the demo CA,
// served through HttpTestServer. Independent of the code under test.
#pragma once

#include <string>

#include "http_test_server.hpp"
#include "test_support.hpp"

namespace segel::test {

// The demo CA's index in `dir` with alice's line as `state` says: "valid",
// "revoked" (keyCompromise) or "absent" (the responder answers unknown).
std::string index_with_alice(const TempDir& dir, const std::string& state);

// A responder: `openssl ocsp` signs with `cert`/`key` what `index` says.
HttpTestServer::Handler responder(const std::string& index, const std::string& cert, const std::string& key);

// The same, signed by the issuing CA itself.
HttpTestServer::Handler ca_responder(const std::string& index);

} // namespace segel::test
