// A small HTTP/1.0 server on a loopback port for tests of downloads (CRLs,
// OCSP): each path answers with a status and body set by the test (or made
// by a handler from the request body), after an optional delay; every
// request is recorded. One connection at a time;
// stops when destroyed. Independent of the code under test.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace segel::test {

class HttpTestServer {
public:
    using Handler = std::function<std::string(const std::string& request_body)>;

    HttpTestServer();
    ~HttpTestServer();
    HttpTestServer(const HttpTestServer&) = delete;
    HttpTestServer& operator=(const HttpTestServer&) = delete;

    // `path` answers `status` with `body`, after `delay`.
    void answer(const std::string& path, int status, std::string body,
                std::chrono::milliseconds delay = std::chrono::milliseconds(0));
    // `path` answers 200 with what `handler` makes of the request body.
    void answer_with(const std::string& path, Handler handler);
    std::string url(const std::string& path) const;
    // Request bodies received for `path`, oldest first.
    std::vector<std::string> requests(const std::string& path) const;

private:
    struct Answer {
        int status = 404;
        std::string body = "not found";
        std::chrono::milliseconds delay{0};
        Handler handler;
    };
    void serve();
    int m_listener = -1;
    int m_port = 0;
    std::atomic<bool> m_stopping{false};
    mutable std::mutex m_mutex;
    std::map<std::string, Answer> m_answers;
    std::map<std::string, std::vector<std::string>> m_requests;
    std::thread m_thread;
};

} // namespace segel::test
