#include "encryption_notice.hpp"

namespace segel::milter {

namespace {

struct Words {
    const char* reason_id;
    const char* reason_en;
    const char* advice_id;
    const char* advice_en;
};

constexpr Words k_renew = {nullptr, nullptr, "Minta penerima mengirimkan sertifikat enkripsinya yang baru.",
                           "Ask the recipient for their new encryption certificate."};

Words words_for(directory::Unfit unfit) {
    using directory::Unfit;
    switch (unfit) {
    case Unfit::expired:
        return {"sertifikat enkripsi penerima sudah kedaluwarsa", "the recipient's encryption certificate has expired",
                k_renew.advice_id, k_renew.advice_en};
    case Unfit::revoked:
        return {"sertifikat enkripsi penerima telah dicabut", "the recipient's encryption certificate is revoked",
                k_renew.advice_id, k_renew.advice_en};
    case Unfit::superseded:
        return {"sertifikat enkripsi penerima telah diganti", "the recipient's encryption certificate was replaced",
                k_renew.advice_id, k_renew.advice_en};
    case Unfit::not_yet_valid:
        return {"sertifikat enkripsi penerima belum berlaku", "the recipient's encryption certificate is not valid yet",
                "Kirim ulang setelah sertifikat berlaku.", "Send it again once the certificate is valid."};
    case Unfit::key_usage:
        return {"sertifikat penerima bukan untuk enkripsi", "the recipient's certificate is not for encryption (key usage)",
                "Minta penerima mengirimkan sertifikat enkripsinya.", "Ask the recipient for their encryption certificate."};
    case Unfit::untrusted:
        return {"sertifikat penerima tidak diterbitkan oleh CA yang dipercaya",
                "the recipient's certificate is not issued by a trusted CA",
                "Minta operator Segel memeriksa CA penerbitnya.", "Ask the Segel operator to check its issuing CA."};
    case Unfit::revocation_unknown:
        return {"status pencabutan sertifikat penerima belum dapat diperiksa",
                "the revocation status of the recipient's certificate cannot be checked now",
                "Pengiriman akan dicoba lagi.", "Delivery will be tried again."};
    case Unfit::none: break;
    }
    return {"tidak ada sertifikat enkripsi untuk penerima ini", "no encryption certificate is known for this recipient",
            "Minta penerima mengirim surel bertanda tangan S/MIME, atau minta operator Segel mengimpor sertifikatnya.",
            "Ask the recipient for an S/MIME signed message, or ask the Segel operator to import their certificate."};
}

// The address as SMTP may carry it in a reply: printable ASCII, no '%'.
std::string reply_safe(const std::string& text) {
    std::string out;
    for (const unsigned char c : text.substr(0, 256))
        out += c >= 0x21 && c < 0x7f && c != '%' ? static_cast<char>(c) : '?';
    return out;
}

} // namespace

std::vector<std::string> encryption_refusal_notice(const directory::RecipientPlan& plan) {
    const Words words = words_for(plan.unfit);
    const std::string who = reply_safe(plan.recipient);
    return {"Surel ini harus dienkripsi dan tidak dikirim ke " + who + ": " + words.reason_id + ".",
            "This message must be encrypted and was not sent to " + who + ": " + words.reason_en + ".",
            words.advice_id, words.advice_en};
}

} // namespace segel::milter
