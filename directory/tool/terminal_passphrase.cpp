#include "terminal_passphrase.hpp"

#include <cstdio>

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

namespace segel::tool {

std::optional<smime::Passphrase> ask_passphrase(const std::string& prompt) {
    const int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (tty < 0)
        return std::nullopt;
    struct termios saved {};
    const bool is_tty = ::tcgetattr(tty, &saved) == 0;
    if (is_tty) {
        struct termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(tty, TCSANOW, &quiet);
    }
    (void)!::write(tty, prompt.data(), prompt.size());
    std::string text;
    char c = 0;
    while (::read(tty, &c, 1) == 1 && c != '\n')
        text += c;
    if (is_tty)
        ::tcsetattr(tty, TCSANOW, &saved);
    (void)!::write(tty, "\n", 1);
    ::close(tty);
    smime::Passphrase passphrase(text);
    OPENSSL_cleanse(text.data(), text.size());
    return passphrase;
}

} // namespace segel::tool
