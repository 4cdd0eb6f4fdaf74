// ASN1_TIME (UTCTime or GeneralizedTime, always UTC) as a time point.
#pragma once

#include <chrono>
#include <ctime>

#include <openssl/asn1.h>

namespace segel::smime {

inline std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* when) {
    struct tm parts {};
    ASN1_TIME_to_tm(when, &parts);
    return std::chrono::system_clock::from_time_t(timegm(&parts));
}

} // namespace segel::smime
