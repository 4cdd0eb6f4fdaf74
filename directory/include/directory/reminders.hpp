// Expiry reminders (Tangerang art. 18: the owner may renew before the two
// years end). Each active certificate gets one reminder per threshold it has
// crossed (the smallest one crossed, so a late import does not get three at
// once), sent to its owner and an optional admin through the local sendmail.
// Text in Indonesian by default, English by setting.
#pragma once

#include <string>
#include <vector>

#include "directory/certificate_directory.hpp"

namespace segel::directory {

struct ReminderSettings {
    std::vector<int> thresholds_days = {30, 14, 3};
    std::string admin;                         // empty: owners only
    std::string from = "segel@tangerangkota.go.id";
    std::string sendmail = "/usr/sbin/sendmail";
    std::string language = "id";               // id or en
};

struct DueReminder {
    CertificateRecord certificate;
    Person owner;
    int threshold_days = 0;
    int days_left = 0;
};

Result<std::vector<DueReminder>> due_reminders(CertificateDirectory& directory, const ReminderSettings& settings,
                                               TimePoint now);

// The reminder as an RFC 5322 message (7-bit, CRLF).
std::string compose_reminder(const DueReminder& reminder, const ReminderSettings& settings, TimePoint now);

// Runs `sendmail -i -f FROM -- RECIPIENTS` with the message on its standard
// input; an exit status other than 0 is an error naming it.
Result<void> send_with_sendmail(const std::string& message, const ReminderSettings& settings,
                                const std::vector<std::string>& recipients);

} // namespace segel::directory
