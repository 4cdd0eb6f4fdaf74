#include "http_test_server.hpp"

#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace segel::test {

HttpTestServer::HttpTestServer() {
    m_listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (m_listener < 0 || ::bind(m_listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(m_listener, 8) != 0 || ::getsockname(m_listener, reinterpret_cast<sockaddr*>(&address), &length) != 0)
        throw std::runtime_error("HttpTestServer: cannot listen on loopback");
    m_port = ntohs(address.sin_port);
    m_thread = std::thread([this] { serve(); });
}

HttpTestServer::~HttpTestServer() {
    m_stopping = true;
    m_thread.join();
    ::close(m_listener);
}

void HttpTestServer::answer(const std::string& path, int status, std::string body, std::chrono::milliseconds delay) {
    std::lock_guard lock(m_mutex);
    m_answers[path] = Answer{status, std::move(body), delay, nullptr};
}

void HttpTestServer::answer_with(const std::string& path, Handler handler) {
    std::lock_guard lock(m_mutex);
    m_answers[path] = Answer{200, {}, std::chrono::milliseconds(0), std::move(handler)};
}

std::string HttpTestServer::url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(m_port) + path;
}

std::vector<std::string> HttpTestServer::requests(const std::string& path) const {
    std::lock_guard lock(m_mutex);
    const auto found = m_requests.find(path);
    return found == m_requests.end() ? std::vector<std::string>{} : found->second;
}

void HttpTestServer::serve() {
    while (!m_stopping) {
        pollfd ready{m_listener, POLLIN, 0};
        if (::poll(&ready, 1, 50) <= 0)
            continue;
        const int client = ::accept(m_listener, nullptr, nullptr);
        if (client < 0)
            continue;
        // Read the head, then as much body as Content-Length says.
        std::string request;
        char buffer[4096];
        std::size_t head_end = std::string::npos;
        std::size_t wanted = 0;
        for (;;) {
            pollfd readable{client, POLLIN, 0};
            if (::poll(&readable, 1, 2000) <= 0)
                break;
            const ssize_t got = ::read(client, buffer, sizeof buffer);
            if (got <= 0)
                break;
            request.append(buffer, static_cast<std::size_t>(got));
            if (head_end == std::string::npos && (head_end = request.find("\r\n\r\n")) != std::string::npos) {
                head_end += 4;
                const auto at = request.find("Content-Length: ");
                wanted = at != std::string::npos && at < head_end ? std::stoul(request.substr(at + 16)) : 0;
            }
            if (head_end != std::string::npos && request.size() >= head_end + wanted)
                break;
        }
        const auto space = request.find(' ');
        const std::string path = request.substr(space + 1, request.find(' ', space + 1) - space - 1);
        Answer answer;
        {
            std::lock_guard lock(m_mutex);
            if (auto found = m_answers.find(path); found != m_answers.end())
                answer = found->second;
            m_requests[path].push_back(head_end == std::string::npos ? std::string() : request.substr(head_end));
        }
        if (answer.handler)
            answer.body = answer.handler(head_end == std::string::npos ? std::string() : request.substr(head_end));
        const auto until = std::chrono::steady_clock::now() + answer.delay;
        while (!m_stopping && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        const std::string reply = "HTTP/1.0 " + std::to_string(answer.status) + " X\r\nContent-Length: " +
                                  std::to_string(answer.body.size()) + "\r\nConnection: close\r\n\r\n" + answer.body;
        std::size_t sent = 0;
        while (sent < reply.size()) {
            const ssize_t n = ::send(client, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
            if (n <= 0)
                break;
            sent += static_cast<std::size_t>(n);
        }
        ::close(client);
    }
}

} // namespace segel::test
