// What the msg commands share: the signer's credentials from the command
// line (asking on the terminal only when no passphrase file is given), the
// output file written whole or not at all, and the one-line refusal.
#pragma once

#include <cstdlib>
#include <string>

#include <fcntl.h>
#include <unistd.h>

#include "config/command_line.hpp"
#include "smime/error.hpp"
#include "smime/mime_entity.hpp"
#include "smime/signing_identity.hpp"

namespace segel::tool {

smime::Result<smime::SigningIdentity> load_identity(const config::MsgSignCommand& command);

// Prints "segel: WHAT (kind): detail" and returns the kind's exit code.
int refuse(const smime::Error& error, const char* what);

// Writes the whole entity to `path` ("-": stdout), or nothing; an exit code.
int write_entity(const smime::MimeEntity& entity, const std::string& path);

// Where the result is written: stdout, or a temp file renamed over --out.
class Output {
public:
    explicit Output(std::string path) : m_path(std::move(path)) {}
    ~Output() {
        if (m_fd >= 0 && m_fd != STDOUT_FILENO) {
            ::close(m_fd);
            ::unlink(m_temp.c_str());
        }
    }
    Output(const Output&) = delete;
    Output& operator=(const Output&) = delete;

    bool open() {
        if (m_path == "-") {
            m_fd = STDOUT_FILENO;
            return true;
        }
        m_temp = m_path + ".segel-XXXXXX";
        m_fd = ::mkostemp(m_temp.data(), O_CLOEXEC);
        return m_fd >= 0;
    }
    int fd() const { return m_fd; }
    bool commit() {
        if (m_fd == STDOUT_FILENO)
            return true;
        const bool ok = ::fsync(m_fd) == 0 && ::close(m_fd) == 0 && ::rename(m_temp.c_str(), m_path.c_str()) == 0;
        m_fd = -1;
        if (!ok)
            ::unlink(m_temp.c_str());
        return ok;
    }

private:
    std::string m_path;
    std::string m_temp;
    int m_fd = -1;
};


} // namespace segel::tool
