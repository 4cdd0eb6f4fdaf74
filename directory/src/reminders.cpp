#include "directory/reminders.hpp"
#include "smime/digest.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/rand.h>

extern char** environ;

namespace segel::directory {

namespace {
std::string rfc5322_date(TimePoint when) {
    const std::time_t t = std::chrono::system_clock::to_time_t(when);
    struct tm parts {};
    gmtime_r(&t, &parts);
    char text[64];
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &parts);
    return text;
}

std::string day_of(TimePoint when) {
    const std::time_t t = std::chrono::system_clock::to_time_t(when + std::chrono::hours(7)); // WIB
    struct tm parts {};
    gmtime_r(&t, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d", &parts);
    return text;
}

std::string random_id() {
    unsigned char bytes[12];
    RAND_bytes(bytes, sizeof bytes);
    return smime::to_hex(bytes, sizeof bytes);
}

// Header values from the directory are plain text; keep them on one line.
std::string one_line(std::string text) {
    std::replace_if(text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
    return text;
}
} // namespace

Result<std::vector<DueReminder>> due_reminders(CertificateDirectory& directory, const ReminderSettings& settings,
                                               TimePoint now) {
    auto certificates = directory.find_certificates({});
    if (!certificates)
        return certificates.error();
    std::vector<int> thresholds = settings.thresholds_days;
    std::sort(thresholds.begin(), thresholds.end()); // smallest first
    std::vector<DueReminder> due;
    for (const auto& record : *certificates) {
        if (record.status_at(now) != CertificateStatus::active || now < record.not_before)
            continue;
        const auto left = std::chrono::duration_cast<std::chrono::hours>(record.not_after - now).count();
        const int days_left = static_cast<int>(left / 24);
        const auto crossed = std::find_if(thresholds.begin(), thresholds.end(), [&](int t) { return days_left < t; });
        if (crossed == thresholds.end())
            continue;
        auto sent = directory.reminder_sent(record.fingerprint, *crossed);
        if (!sent)
            return sent.error();
        if (*sent)
            continue;
        auto owner = directory.find_person(record.owner_email);
        if (!owner)
            return owner.error();
        due.push_back({record, owner->value_or(Person{record.owner_email, "", "", "", ""}), *crossed, days_left});
    }
    return due;
}

std::string compose_reminder(const DueReminder& reminder, const ReminderSettings& settings, TimePoint now) {
    const auto& cert = reminder.certificate;
    const std::string name = one_line(reminder.owner.name.empty() ? reminder.owner.email : reminder.owner.name);
    const std::string expiry = day_of(cert.not_after);
    const std::string days = std::to_string(reminder.days_left);
    std::string subject, body;
    if (settings.language == "en") {
        subject = "Your electronic certificate expires on " + expiry;
        body = "Dear " + name + ",\n\nYour electronic certificate (serial " + cert.serial + ") for " +
               reminder.owner.email + " expires on " + expiry + ", in " + days +
               " days.\nAfter that date, mail you send cannot be signed.\n\n"
               "Please apply for renewal with the Registration Authority (Diskominfo) before it expires.\n\n"
               "-- \nSegel, the signing gateway of the city government\n";
    } else {
        subject = "Sertifikat elektronik Anda berakhir pada " + expiry;
        body = "Yth. " + name + ",\n\nSertifikat elektronik Anda (nomor seri " + cert.serial + ") untuk " +
               reminder.owner.email + " akan berakhir pada " + expiry + ", " + days +
               " hari lagi.\nSetelah tanggal tersebut, surel yang Anda kirim tidak dapat ditandatangani.\n\n"
               "Silakan ajukan pembaruan sertifikat kepada Otoritas Pendaftaran (Diskominfo) sebelum masa "
               "berlakunya habis.\n\n-- \nSegel, gerbang tanda tangan surel Pemerintah Kota\n";
    }
    std::string message = "From: Segel <" + settings.from + ">\n";
    message += "To: " + reminder.owner.email + "\n";
    if (!settings.admin.empty())
        message += "Cc: " + settings.admin + "\n";
    message += "Subject: " + subject + "\n";
    message += "Date: " + rfc5322_date(now) + "\n";
    const auto at = settings.from.find('@');
    message += "Message-ID: <remind." + random_id() + settings.from.substr(at) + ">\n";
    message += "Auto-Submitted: auto-generated\n";
    message += "MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n\n";
    message += body;
    std::string crlf;
    for (char c : message) {
        if (c == '\n')
            crlf += '\r';
        crlf += c;
    }
    return crlf;
}

Result<void> send_with_sendmail(const std::string& message, const ReminderSettings& settings,
                                const std::vector<std::string>& recipients) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
        return make_error(ErrorKind::unavailable, std::string("cannot start sendmail: ") + std::strerror(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[0], STDIN_FILENO);
    std::vector<std::string> args = {settings.sendmail, "-i", "-f", settings.from, "--"};
    args.insert(args.end(), recipients.begin(), recipients.end());
    std::vector<char*> argv;
    for (auto& arg : args)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int spawned = ::posix_spawn(&pid, settings.sendmail.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[0]);
    if (spawned != 0) {
        ::close(pipe_fds[1]);
        return make_error(ErrorKind::unavailable, "cannot run " + settings.sendmail + ": " + std::strerror(spawned));
    }
    std::string_view rest = message;
    bool write_failed = false;
    while (!rest.empty()) {
        const ssize_t n = ::write(pipe_fds[1], rest.data(), rest.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            write_failed = true;
            break;
        }
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
    ::close(pipe_fds[1]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (write_failed || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return make_error(ErrorKind::unavailable,
                          settings.sendmail + " failed" +
                              (WIFEXITED(status) ? " with exit status " + std::to_string(WEXITSTATUS(status)) : std::string()));
    return {};
}

} // namespace segel::directory
