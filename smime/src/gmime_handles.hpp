// RAII owners for GMime objects: GPtr<T> adopts one GObject reference
// ("transfer full"); borrowed ("transfer none") results stay raw pointers.
#pragma once

#include <memory>

#include <gmime/gmime.h>

namespace segel::smime::gm {

struct GUnref {
    void operator()(gpointer object) const noexcept {
        if (object != nullptr)
            g_object_unref(object);
    }
};
template <class T>
using GPtr = std::unique_ptr<T, GUnref>;

struct ParserOptionsFree {
    void operator()(GMimeParserOptions* options) const noexcept { g_mime_parser_options_free(options); }
};
struct FormatOptionsFree {
    void operator()(GMimeFormatOptions* options) const noexcept { g_mime_format_options_free(options); }
};
using ParserOptionsPtr = std::unique_ptr<GMimeParserOptions, ParserOptionsFree>;
using FormatOptionsPtr = std::unique_ptr<GMimeFormatOptions, FormatOptionsFree>;

} // namespace segel::smime::gm
