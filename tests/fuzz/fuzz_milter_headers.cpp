// libFuzzer target over the header fields Postfix hands segel-milter, one
// callback at a time: each (name, value) as libmilter passes it is noted for
// the forged-verdict removal (AR-06), turned into a spool line and spooled;
// then the spooled header is read back (the single From, the claimed fields
// removed through an MTA that records nothing). Records are separated by
// NUL, a name ends at the first ':'. Any input must give a result or an
// error, never a crash, a leak or undefined behaviour (ASan+UBSan).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>

#include "milter/claimed_verdict_fields.hpp"
#include "milter/header_line.hpp"
#include "smime/message_spool.hpp"
#include "smime/sender_address.hpp"

namespace {
class NullMta final : public segel::milter::MtaActions {
public:
    bool add_header(const std::string&, const std::string&) override { return true; }
    bool insert_header(int, const std::string&, const std::string&) override { return true; }
    bool change_header(const std::string&, int index, const std::optional<std::string>&) override { return index > 0; }
    bool replace_body(std::string_view) override { return true; }
    bool set_reply(const std::string&, const std::string&, const std::string&) override { return true; }
    bool quarantine(const std::string&) override { return true; }
};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    const bool leading_space = size > 0 && (data[0] & 1) != 0;
    segel::milter::ClaimedVerdictFields claimed("tangerangkota.go.id", "X-Segel-Verifikasi");
    auto spool = segel::smime::MessageSpool::create(std::filesystem::temp_directory_path());
    if (!spool)
        return 0;
    while (!rest.empty()) {
        const std::string_view record = rest.substr(0, rest.find('\0'));
        rest.remove_prefix(std::min(rest.size(), record.size() + 1));
        const std::size_t colon = record.find(':');
        const std::string_view name = record.substr(0, colon);
        const std::string_view value = colon == std::string_view::npos ? std::string_view() : record.substr(colon + 1);
        claimed.note(name, value);
        if (!spool->append(segel::milter::spool_header_line(name, value, leading_space)))
            return 0;
    }
    if (!spool->append("\r\nbody\r\n"))
        return 0;
    auto message = std::move(spool).value().finish();
    if (!message)
        return 0;
    (void)segel::smime::single_from_address(*message);
    segel::milter::ClaimedVerdictFields spooled("tangerangkota.go.id", "X-Segel-Verifikasi");
    spooled.note_all(message->headers());
    NullMta mta;
    (void)claimed.remove(mta);
    (void)spooled.remove(mta);
    return 0;
}
