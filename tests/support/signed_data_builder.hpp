// Builds S/MIME signed-data with OpenSSL's CMS API where a test needs a
// signed attribute the signer and the OpenSSL CLI never write, such as a
// chosen signingTime (CH-10), a contentType attribute that is not the
// eContentType (CMS-02) or two SMIMECapabilities (SM-10). Independent of the code under test.
#pragma once

#include <chrono>
#include <string>

namespace segel::test {

// An opaque application/pkcs7-mime signed-data entity (headers and base64
// body) over `content`, signed with SHA-256 by the certificate and key at the
// given PEM paths, carrying `chain_pem`'s certificates (none when empty) and
// the signingTime `signed_at`. Throws on failure.
std::string opaque_signed_at(const std::string& content, const std::string& cert_pem, const std::string& key_pem,
                             const std::string& chain_pem, std::chrono::system_clock::time_point signed_at);

// Signed attributes a conforming signer never writes (CMS-02, SM-10).
struct AttributeTweaks {
    std::chrono::system_clock::time_point signed_at = std::chrono::system_clock::now();
    int content_type_nid = 0;          // the contentType attribute's value, unlike the eContentType (id-data); 0: alike
    bool second_capabilities = false;  // a second SMIMECapabilities attribute
};

// As opaque_signed_at, with the tweaks.
std::string opaque_signed_with(const std::string& content, const std::string& cert_pem, const std::string& key_pem,
                               const std::string& chain_pem, const AttributeTweaks& tweaks);

// A second SignerInfo for the same signed-data (CMS-04, JYAF c2): made by
// its own certificate and key over `signed_content`, so its messageDigest
// matches the message's content only when the two are equal; placed before
// the first signer or after it.
struct SecondSigner {
    std::string cert_pem, key_pem;
    std::string signed_content;
    bool first = false;
    std::string chain_pem; // the issuing chain for both signers
};

// An opaque signed-data entity over `content` by the certificate and key at
// the given PEM paths, with the second signer's SignerInfo and certificate
// added. Throws on failure.
std::string opaque_with_second_signer(const std::string& content, const std::string& cert_pem,
                                      const std::string& key_pem, const SecondSigner& second);

} // namespace segel::test
