#include "milter/message_rewrite.hpp"

namespace segel::milter {

bool apply_rewrite(const smime::MimeEntity& entity, MtaActions& mta, std::size_t chunk_bytes) {
    for (const auto& name : entity.removed_fields()) {
        const int count = static_cast<int>(entity.origin().fields_named(name).size());
        for (int index = count; index >= 1; --index)
            if (!mta.change_header(name, index, std::nullopt))
                return false;
    }
    for (const auto& field : entity.added_fields())
        if (!mta.add_header(field.name, field.value))
            return false;
    if (!entity.body_replaced())
        return true;
    return entity.body()
        .stream(chunk_bytes, [&mta](std::string_view piece) { return mta.replace_body(piece); })
        .has_value();
}

} // namespace segel::milter
