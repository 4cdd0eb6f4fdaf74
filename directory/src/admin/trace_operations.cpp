#include "directory/admin/trace_operations.hpp"

#include <map>
#include <utility>

namespace segel::directory::admin {

OperationResult<std::vector<TraceRecord>> trace_messages(DirectoryService& directory, const Operator& person,
                                                         const TraceQuery& query) {
    if (auto refused = refusal(person, Permission::read))
        return *refused;
    if (query.text.size() > 320)
        return Failure{FailureKind::invalid_request, "q: at most 320 characters"};
    auto found = directory.find_trace(query);
    if (!found)
        return directory_failure(found.error(), "cannot read the message trace");
    return std::move(found).value();
}

std::string explain_decision(const std::string& decision, const std::string& language) {
    static const std::map<std::string, std::pair<const char*, const char*>> k_sentences = {
        {"signed", {"Ditandatangani dengan sertifikat pengirim.", "Signed with the sender's certificate."}},
        {"signed_encrypted", {"Ditandatangani, lalu dienkripsi untuk penerima.", "Signed, then encrypted for the recipients."}},
        {"not_ours", {"Bukan dari domain yang ditandatangani; diteruskan apa adanya.", "Not from a signing domain; passed on as it was."}},
        {"no_certificate", {"Ditolak: pengirim tidak punya sertifikat aktif untuk alamat ini.", "Refused: the sender has no active certificate for this address."}},
        {"not_authorised", {"Ditolak: login ini tidak boleh menandatangani sebagai alamat pengirim.", "Refused: this login may not sign as the sender's address."}},
        {"certificate_unusable", {"Ditolak: sertifikat pengirim dicabut, kedaluwarsa atau tidak dapat dipakai.", "Refused: the sender's certificate is revoked, expired or not usable."}},
        {"unsignable_message", {"Pesan tidak dapat ditandatangani (bentuknya rusak atau terlalu besar).", "The message cannot be signed (malformed or too large)."}},
        {"directory_unavailable", {"Direktori sertifikat tidak tersedia; diminta kirim ulang nanti.", "The certificate directory was unavailable; the sender was asked to retry."}},
        {"internal_error", {"Kesalahan internal; diminta kirim ulang nanti.", "Internal error; the sender was asked to retry."}},
        {"unauthenticated_internal_from", {"Alamat dinas tanpa login SMTP; ditangani menurut kebijakan.", "An internal From without SMTP login; handled by the policy."}},
        {"recipient_refused", {"Ditolak: penerima wajib terenkripsi tetapi tidak ada sertifikatnya.", "Refused: the recipient requires encryption and has no certificate."}},
        {"recipient_later", {"Enkripsi untuk penerima ditunda; dicoba lagi nanti.", "Encryption for the recipient postponed; tried again later."}},
        {"too_large_encrypted", {"Ditolak: terlalu besar setelah dienkripsi.", "Refused: too large once encrypted."}},
        {"verified", {"Tanda tangan masuk diperiksa; hasilnya dicap di kepala pesan.", "Inbound signature checked; the verdict is stamped in the header."}},
        {"not_checked", {"Pesan masuk tidak diperiksa.", "Inbound message not checked."}},
        {"signature_failed", {"Tanda tangan masuk GAGAL diverifikasi.", "The inbound signature FAILED verification."}},
        {"signature_unreadable", {"Tanda tangan masuk tidak dapat dibaca.", "The inbound signature could not be read."}},
        {"verification_temperror", {"Verifikasi tertunda (sumber pencabutan tidak tersedia).", "Verification postponed (revocation source unavailable)."}},
        {"verification_unavailable", {"Verifikasi tidak tersedia; diminta kirim ulang nanti.", "Verification unavailable; the sender was asked to retry."}},
        {"decryption_hop", {"Diteruskan ke tahap dekripsi per penerima.", "Passed to the decryption hop, one recipient at a time."}},
        {"cannot_decrypt", {"Tidak dapat didekripsi; ditangani menurut kebijakan.", "Could not be decrypted; handled by the policy."}},
        {"encrypted", {"Dienkripsi untuk penerima.", "Encrypted for the recipient."}},
        {"sent_clear", {"Dikirim tanpa enkripsi (kebijakan mengizinkan).", "Sent without encryption (the policy allows it)."}},
        {"left_as_is", {"Dibiarkan apa adanya.", "Left as it was."}},
        {"several_recipients", {"Layanan enkripsi menerima satu penerima per pesan; dicoba lagi.", "The encryption service takes one recipient per message; retried."}},
    };
    auto found = k_sentences.find(decision);
    if (found == k_sentences.end())
        return decision;
    return language == "en" ? found->second.second : found->second.first;
}

} // namespace segel::directory::admin
