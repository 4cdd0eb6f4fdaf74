// The checks every message we sign must pass: three independent verifiers
// trusting only the demo root, and the RFC 8551 shape of the result.
#pragma once

#include <string>

namespace segel::test {

// Signs `message` as `user` and checks the result with OpenSSL, gpgsm and
// NSS, plus SM-01/SM-02/SM-04/SM-05 on the output. Returns the signed text.
std::string sign_and_verify_everywhere(const std::string& message, const std::string& user = "alice");

// Checks an already signed message (the verifiers and the shape rules).
void verify_everywhere(const std::string& signed_message, const std::string& user);

} // namespace segel::test
