#include "smime/http_fetch.hpp"

#include <memory>
#include <mutex>

#include <curl/curl.h>

namespace segel::smime {

namespace {

struct CurlFree {
    void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
struct SlistFree {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

struct Download {
    std::string body;
    std::size_t max_bytes = 0;
    bool too_large = false;
};

std::size_t collect(char* data, std::size_t size, std::size_t count, void* user) {
    auto* download = static_cast<Download*>(user);
    const std::size_t bytes = size * count;
    if (download->body.size() + bytes > download->max_bytes) {
        download->too_large = true;
        return 0; // aborts the transfer
    }
    download->body.append(data, bytes);
    return bytes;
}

Result<std::string> transfer(const std::string& url, const FetchLimits& limits, const std::string* post_body,
                             const std::string& content_type) {
    static std::once_flag initialised;
    std::call_once(initialised, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    const std::string what = (post_body ? "POST " : "GET ") + url + ": ";
    std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
    if (!curl)
        return make_error(ErrorKind::internal, what + "libcurl cannot start a transfer");
    Download download;
    download.max_bytes = limits.max_bytes;
    char error[CURL_ERROR_SIZE] = "";
    std::unique_ptr<curl_slist, SlistFree> headers;
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L); // we run in threads
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, static_cast<long>(limits.timeout.count()));
    curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, static_cast<long>(limits.timeout.count()));
    curl_easy_setopt(curl.get(), CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(limits.max_bytes));
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &download);
    curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "segel");
    if (post_body != nullptr) {
        headers.reset(curl_slist_append(nullptr, ("Content-Type: " + content_type).c_str()));
        curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
        curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, post_body->data());
        curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post_body->size()));
    }
    const CURLcode code = curl_easy_perform(curl.get());
    if (download.too_large || code == CURLE_FILESIZE_EXCEEDED)
        return make_error(ErrorKind::io_failure, what + "the answer is larger than " + std::to_string(limits.max_bytes) + " bytes");
    if (code == CURLE_OPERATION_TIMEDOUT)
        return make_error(ErrorKind::io_failure, what + "no complete answer within " + std::to_string(limits.timeout.count()) + " s");
    if (code != CURLE_OK)
        return make_error(ErrorKind::io_failure, what + (error[0] != '\0' ? error : curl_easy_strerror(code)));
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    if (status != 200)
        return make_error(ErrorKind::io_failure, what + "HTTP status " + std::to_string(status));
    return std::move(download.body);
}

} // namespace

Result<std::string> http_get(const std::string& url, const FetchLimits& limits) {
    return transfer(url, limits, nullptr, {});
}

Result<std::string> http_post(const std::string& url, const std::string& content_type, const std::string& body,
                              const FetchLimits& limits) {
    return transfer(url, limits, &body, content_type);
}

} // namespace segel::smime
