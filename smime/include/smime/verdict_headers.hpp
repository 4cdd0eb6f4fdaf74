// The header fields that carry a verdict to people and programs:
// Authentication-Results (RFC 8601 §2.2, RFC 7281 §3; AR-01..AR-03) and a
// plain-language field naming signer, issuer and verdict (AR-09), in
// Indonesian or English. Every value taken from the message is reduced to
// printable ASCII without CR, LF or NUL and escaped for its place (AR-08);
// lines stay far below 998 octets. Pure functions; thread-safe.
#pragma once

#include <string>

#include "smime/verifier.hpp"

namespace segel::smime {

// What the gateway did with the message's encryption, told beside the
// signature's verdict (DEC-06). Every way of not opening a root envelope
// reads the same (DEC-03).
struct DecryptionNote {
    enum class State {
        none,          // not encrypted, or decryption is off
        decrypted,     // opened for a local recipient with the key of `serial`
        unprotected,   // opened, but CBC content without a passing signature: integrity not protected
        not_decrypted, // not opened: no key, any failure, integrity not protected, or over the failure rate
        nested,        // an encrypted part inside a container: never opened (DEC-01)
    } state = State::none;
    std::string serial;           // decrypted, unprotected: the encryption certificate's serial
    bool key_compromised = false; // that certificate was revoked because its key leaked
    bool outer_signature_set_aside = false; // a signature around the ciphertext was not counted
};

// The value of Authentication-Results, without the field name, e.g.
// "tangerangkota.go.id; smime=pass (signed by ...) body.smime-identifier=a@b
//  body.smime-part=2 body.smime-serial=1000 body.smime-issuer="CN=..."".
// A decryption is named at the head of the result's comment.
std::string authentication_results_value(const VerificationReport& report, const std::string& authserv_id,
                                         const DecryptionNote& decryption = {});

// A sentence for people; language "id" (default) or "en"; what decryption
// did comes first.
std::string plain_verdict_value(const VerificationReport& report, const std::string& language,
                                const DecryptionNote& decryption = {});

} // namespace segel::smime
