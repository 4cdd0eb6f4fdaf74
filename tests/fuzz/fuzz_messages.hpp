// Messages the fuzz targets build around a CMS object: its DER, base64, as
// an application/pkcs7-mime body of `smime_type` after the given header
// fields (CRLF).
#pragma once

#include <cstddef>
#include <string>

#include <openssl/cms.h>
#include <openssl/evp.h>

namespace segel::fuzz {

inline std::string pkcs7_mime_message(const std::string& fields, const std::string& smime_type, const unsigned char* der,
                                      int length) {
    std::string base64(4 * ((static_cast<std::size_t>(length) + 2) / 3) + 1, '\0');
    base64.resize(static_cast<std::size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(base64.data()), der, length)));
    return fields + "MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=" + smime_type +
           "\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64 + "\r\n";
}

// `cms` as such a message; empty when it cannot be encoded.
inline std::string pkcs7_mime_message(const std::string& fields, const std::string& smime_type, CMS_ContentInfo* cms) {
    unsigned char* der = nullptr;
    const int length = cms != nullptr ? i2d_CMS_ContentInfo(cms, &der) : 0;
    if (length <= 0)
        return {};
    std::string message = pkcs7_mime_message(fields, smime_type, der, length);
    OPENSSL_free(der);
    return message;
}

} // namespace segel::fuzz
