// ASN1_TIME (UTCTime or GeneralizedTime, always UTC) as a time point.
// system_clock counts nanoseconds in 64 bits (years 1677 to 2262); a time
// outside that (GeneralizedTime reaches year 9999) is clamped to the
// clock's first or last instant instead of overflowing.
#pragma once

#include <chrono>
#include <ctime>

#include <openssl/asn1.h>

namespace segel::smime {

inline std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* when) {
    using std::chrono::system_clock;
    struct tm parts {};
    ASN1_TIME_to_tm(when, &parts);
    const std::time_t seconds = timegm(&parts);
    constexpr auto limit = std::chrono::duration_cast<std::chrono::seconds>(system_clock::duration::max()).count();
    if (seconds >= limit)
        return system_clock::time_point::max();
    if (seconds <= -limit)
        return system_clock::time_point::min();
    return system_clock::from_time_t(seconds);
}

} // namespace segel::smime
