#include "callbacks.hpp"

#include <strings.h>

#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <libmilter/mfapi.h>

#include "daemon.hpp"
#include "milter/claimed_verdict_fields.hpp"
#include "milter/header_line.hpp"
#include "milter/routing.hpp"
#include "smime/message_spool.hpp"

namespace segel::milter {

namespace {

// One message, from MAIL FROM to end of message or abort (MLT-02).
struct Message {
    Daemon::MessageInFlight in_flight; // SIGTERM waits while this lives
    SessionFacts facts;
    Route route;
    std::optional<smime::MessageSpool> spool;
    std::optional<smime::Error> spool_error;
    const char* failed_in = nullptr; // the callback that threw: the message is tempfailed at its end
    std::optional<ClaimedVerdictFields> claimed; // inbound only: noted from the header as it comes
    std::string message_id;                      // the Message-ID field's value, for the trace
};

// One SMTP connection. The pipelines snapshot is taken at connect, so a
// reload never changes the rules under a message in flight (MLT-01).
struct Connection {
    std::shared_ptr<const Pipelines> pipelines;
    std::optional<Message> message;
    bool leading_space = false; // SMFIP_HDR_LEADSPC negotiated
    unsigned long no_reply = 0; // the SMFIP_NR_* steps negotiated: the MTA waits for no answer
};

// A header field's value for the trace: unfolded, without the spaces
// around it, at most 998 characters.
std::string trace_value(const char* value) {
    std::string text;
    for (const char* c = value; *c != '\0' && text.size() < 998; ++c)
        if (*c != '\r' && *c != '\n')
            text += *c == '\t' ? ' ' : *c;
    const auto first = text.find_first_not_of(' ');
    const auto last = text.find_last_not_of(' ');
    return first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
}

Connection* connection_of(SMFICTX* ctx) { return static_cast<Connection*>(smfi_getpriv(ctx)); }

// The answer to a step that never refuses: none at all when the MTA agreed
// to send that step without waiting (MLT-07), else "continue".
sfsistat carry_on(SMFICTX* ctx, unsigned long no_reply_step) {
    const Connection* connection = connection_of(ctx);
    return connection != nullptr && (connection->no_reply & no_reply_step) != 0 ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

class LibmilterActions final : public MtaActions {
public:
    LibmilterActions(SMFICTX* ctx, bool leading_space) : m_ctx(ctx), m_prefix(leading_space ? " " : "") {}
    bool add_header(const std::string& name, const std::string& value) override {
        const std::string folded = m_prefix + fold(value);
        return smfi_addheader(m_ctx, const_cast<char*>(name.c_str()), const_cast<char*>(folded.c_str())) == MI_SUCCESS;
    }
    bool insert_header(int index, const std::string& name, const std::string& value) override {
        const std::string folded = m_prefix + fold(value);
        return smfi_insheader(m_ctx, index, const_cast<char*>(name.c_str()), const_cast<char*>(folded.c_str())) ==
               MI_SUCCESS;
    }
    bool change_header(const std::string& name, int index, const std::optional<std::string>& value) override {
        std::string folded = value ? m_prefix + fold(*value) : std::string();
        return smfi_chgheader(m_ctx, const_cast<char*>(name.c_str()), index,
                              value ? folded.data() : nullptr) == MI_SUCCESS;
    }
    bool replace_body(std::string_view chunk) override {
        // smfi_replacebody only reads the buffer; its prototype lacks const.
        auto* bytes = reinterpret_cast<unsigned char*>(const_cast<char*>(chunk.data()));
        return smfi_replacebody(m_ctx, bytes, static_cast<int>(chunk.size())) == MI_SUCCESS;
    }
    bool set_reply(const std::string& rcode, const std::string& xcode, const std::string& text) override {
        // MLT-08: Postfix strips a lone '%'; our texts have none.
        return smfi_setreply(m_ctx, const_cast<char*>(rcode.c_str()), const_cast<char*>(xcode.c_str()),
                             const_cast<char*>(text.c_str())) == MI_SUCCESS;
    }
    bool set_reply_lines(const std::string& rcode, const std::string& xcode,
                         const std::vector<std::string>& lines) override {
        // smfi_setmlreply takes the lines as arguments: up to four here.
        const auto line = [&lines](std::size_t i) { return i < lines.size() ? lines[i].c_str() : nullptr; };
        if (lines.empty() || lines.size() > 4)
            return MtaActions::set_reply_lines(rcode, xcode, lines);
        return smfi_setmlreply(m_ctx, rcode.c_str(), xcode.c_str(), line(0), line(1), line(2), line(3),
                               static_cast<const char*>(nullptr)) == MI_SUCCESS;
    }
    bool quarantine(const std::string& reason) override {
        return smfi_quarantine(m_ctx, const_cast<char*>(reason.c_str())) == MI_SUCCESS;
    }

private:
    // MLT-04: fold with LF + TAB, never CR, after "; " when over 78 columns.
    static std::string fold(const std::string& value) {
        if (value.size() <= 70)
            return value;
        std::string out;
        std::size_t line = 0, pos = 0;
        while (pos < value.size()) {
            const std::size_t cut = value.find("; ", pos);
            const std::size_t end = cut == std::string::npos ? value.size() : cut + 1;
            const std::string piece = value.substr(pos, end - pos);
            if (line > 0) {
                const bool wrap = line + 1 + piece.size() > 70;
                out += wrap ? "\n\t" : " ";
                line = wrap ? 0 : line + 1;
            }
            out += piece;
            line += piece.size();
            pos = cut == std::string::npos ? value.size() : cut + 2;
        }
        return out;
    }
    SMFICTX* m_ctx;
    std::string m_prefix; // MLT-04: with SMFIP_HDR_LEADSPC we supply the space
};

std::string macro(SMFICTX* ctx, const char* name) {
    const char* value = smfi_getsymval(ctx, const_cast<char*>(name));
    return value != nullptr ? value : "";
}

void append(Message& message, std::string_view bytes) {
    if (message.spool_error || message.failed_in != nullptr || !message.spool)
        return;
    if (auto appended = message.spool->append(bytes); !appended)
        message.spool_error = appended.error();
}

Connection& ensure_connection(SMFICTX* ctx) {
    if (Connection* existing = connection_of(ctx))
        return *existing;
    auto connection = std::make_unique<Connection>();
    connection->pipelines = Daemon::instance().pipelines();
    Connection& made = *connection;
    smfi_setpriv(ctx, connection.release());
    return made;
}

// What an exception in a callback does (nothing throws across libmilter):
// the message in progress is failed and answered at end of message with the
// failure policy (a tempfail of that message alone), or dropped when the MTA
// is told at once; the connection and the daemon carry on.
enum class OnException { fail_message, drop_message, nothing };

#ifdef SEGEL_FAULT_INJECTION
// Test builds only (segel-milter-faults): a message whose envelope sender is
// throw-in-STEP@... makes that callback throw, to prove the guard.
void fault_point(const Connection* connection, const char* step) {
    if (connection != nullptr && connection->message &&
        connection->message->facts.envelope_sender.rfind(std::string("throw-in-") + step + "@", 0) == 0)
        throw std::runtime_error(std::string("injected fault in ") + step);
}
#else
void fault_point(const Connection*, const char*) {}
#endif

// Sets one of the reply table's session answers.
void set_session_reply(SMFICTX* ctx, SessionEvent event) noexcept {
    const SmtpReply reply = session_reply(event);
    smfi_setreply(ctx, const_cast<char*>(reply.rcode), const_cast<char*>(reply.xcode), const_cast<char*>(reply.text));
}

void after_exception(SMFICTX* ctx, const char* step, const char* what, OnException action, sfsistat answer) noexcept {
    if (answer == SMFIS_TEMPFAIL)
        set_session_reply(ctx, SessionEvent::local_problem);
    if (Connection* connection = connection_of(ctx); connection != nullptr && connection->message) {
        if (action == OnException::drop_message)
            connection->message.reset();
        else if (action == OnException::fail_message)
            connection->message->failed_in = step;
    }
    try {
        log_error(std::string(step) + ": " + what);
    } catch (...) { // out of memory: the message is handled all the same
    }
}

// Runs one callback; an exception gives `answer` after `action`.
template <class Step>
sfsistat guarded(SMFICTX* ctx, const char* step, OnException action, sfsistat answer, Step&& body) noexcept {
    try {
        return body();
    } catch (const std::exception& e) {
        after_exception(ctx, step, e.what(), action, answer);
    } catch (...) {
        after_exception(ctx, step, "unknown exception", action, answer);
    }
    return answer;
}

// xxfi_negotiate: f0/pf0 are the actions, f1/pf1 the protocol steps (f2, f3
// and their answers are reserved).
sfsistat on_negotiate(SMFICTX* ctx, unsigned long f0, unsigned long f1, unsigned long, unsigned long,
                      unsigned long* pf0, unsigned long* pf1, unsigned long*, unsigned long*) noexcept {
    return guarded(ctx, "negotiate", OnException::nothing, SMFIS_TEMPFAIL, [&] {
        Connection& connection = ensure_connection(ctx);
        // MLT-03, MLT-07: only the actions and steps we use.
        *pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_CHGBODY | SMFIF_QUARANTINE);
        // Recipients, header fields, end of header and body chunks are only
        // collected (the decision comes at end of message), so the MTA need
        // not wait for an answer to each: one round trip per field saved.
        constexpr unsigned long no_reply = SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY;
        *pf1 = f1 & (SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_HDR_LEADSPC | no_reply);
        // With leading spaces kept, header values reach the spool as received.
        connection.leading_space = (*pf1 & SMFIP_HDR_LEADSPC) != 0;
        connection.no_reply = *pf1 & no_reply;
        return SMFIS_CONTINUE;
    });
}

sfsistat on_envfrom(SMFICTX* ctx, char** argv) noexcept {
    return guarded(ctx, "envfrom", OnException::drop_message, SMFIS_TEMPFAIL, [&] {
        Connection* connection = &ensure_connection(ctx);
        if (Daemon::instance().stopping()) {
            // SIGTERM: the messages in flight end, no new one begins.
            set_session_reply(ctx, SessionEvent::restarting);
            return SMFIS_TEMPFAIL;
        }
        connection->message.emplace();
        Message& message = *connection->message;
        message.facts.envelope_sender = envelope_address(argv != nullptr ? argv[0] : nullptr);
        message.facts.auth_login = macro(ctx, "{auth_authen}");
        message.facts.daemon_name = macro(ctx, "{daemon_name}");
        message.facts.client_address = macro(ctx, "{client_addr}");
        fault_point(connection, "envfrom");
        const auto& settings = connection->pipelines->settings();
        message.route = route(message.facts, settings);
        // Nothing to do: accept without reading the body.
        if (message.route.direction == Direction::untouched) {
            connection->message.reset();
            return SMFIS_ACCEPT;
        }
        auto spool = smime::MessageSpool::create(settings.milter.temp_dir, connection->pipelines->spool_limits());
        if (!spool) {
            log_error("cannot spool a message: " + spool.error().detail);
            connection->message.reset();
            set_session_reply(ctx, SessionEvent::local_problem);
            return SMFIS_TEMPFAIL;
        }
        message.spool.emplace(std::move(spool).value());
        const bool inbound = message.route.direction == Direction::inbound || message.route.direction == Direction::decrypt;
        if (inbound && settings.verify.enabled)
            message.claimed.emplace(settings.verify.authserv_id, settings.verify.verdict_header);
        return SMFIS_CONTINUE;
    });
}

sfsistat on_envrcpt(SMFICTX* ctx, char** argv) noexcept {
    return guarded(ctx, "envrcpt", OnException::fail_message, carry_on(ctx, SMFIP_NR_RCPT), [&] {
        Connection* connection = connection_of(ctx);
        fault_point(connection, "envrcpt");
        if (connection != nullptr && connection->message)
            connection->message->facts.recipients.push_back(envelope_address(argv != nullptr ? argv[0] : nullptr));
        return carry_on(ctx, SMFIP_NR_RCPT);
    });
}

sfsistat on_header(SMFICTX* ctx, char* name, char* value) noexcept {
    return guarded(ctx, "header", OnException::fail_message, carry_on(ctx, SMFIP_NR_HDR), [&] {
        Connection* connection = connection_of(ctx);
        fault_point(connection, "header");
        if (connection != nullptr && connection->message) {
            if (connection->message->claimed)
                connection->message->claimed->note(name, value);
            if (name != nullptr && value != nullptr && ::strcasecmp(name, "Message-ID") == 0)
                connection->message->message_id = trace_value(value);
            append(*connection->message, spool_header_line(name, value, connection->leading_space));
        }
        return carry_on(ctx, SMFIP_NR_HDR);
    });
}

sfsistat on_eoh(SMFICTX* ctx) noexcept {
    return guarded(ctx, "eoh", OnException::fail_message, carry_on(ctx, SMFIP_NR_EOH), [&] {
        Connection* connection = connection_of(ctx);
        fault_point(connection, "eoh");
        if (connection != nullptr && connection->message)
            append(*connection->message, "\r\n");
        return carry_on(ctx, SMFIP_NR_EOH);
    });
}

sfsistat on_body(SMFICTX* ctx, unsigned char* chunk, size_t length) noexcept {
    return guarded(ctx, "body", OnException::fail_message, carry_on(ctx, SMFIP_NR_BODY), [&] {
        Connection* connection = connection_of(ctx);
        fault_point(connection, "body");
        if (connection != nullptr && connection->message)
            append(*connection->message, std::string_view(reinterpret_cast<const char*>(chunk), length));
        return carry_on(ctx, SMFIP_NR_BODY);
    });
}

sfsistat to_status(Verdict verdict) {
    switch (verdict) {
    case Verdict::accept: return SMFIS_CONTINUE;
    case Verdict::quarantine: return SMFIS_CONTINUE; // held by smfi_quarantine
    case Verdict::reject: return SMFIS_REJECT;
    case Verdict::tempfail: return SMFIS_TEMPFAIL;
    }
    return SMFIS_TEMPFAIL;
}

// What the log line says about a message's end.
struct Decision {
    const char* name;
    Verdict verdict;
    std::string from, serial, reason;
};

template <class Result>
Decision decision_of(const Result& result) {
    return {to_string(result.outcome), result.verdict, result.from, result.serial, result.reason};
}

// Hands the message to its direction's pipeline. Inbound mail is never
// judged by the signing checks: a spool problem is stamped there.
Decision finish(Message& message, const Pipelines& pipelines, MtaActions& mta) {
    std::optional<smime::Error> problem = message.spool_error;
    if (message.failed_in != nullptr)
        problem = smime::make_error(smime::ErrorKind::internal, std::string("exception in ") + message.failed_in);
    std::optional<smime::MimeEntity> entity;
    if (!problem) {
        auto finished = std::move(*message.spool).finish();
        if (finished)
            entity.emplace(smime::MimeEntity::of(std::move(finished).value()));
        else
            problem = finished.error();
    }
    if (message.route.direction == Direction::inbound || message.route.direction == Direction::decrypt) {
        const auto& inbound = pipelines.inbound();
        const ClaimedVerdictFields none(pipelines.settings().verify.authserv_id, pipelines.settings().verify.verdict_header);
        const ClaimedVerdictFields& claimed = message.claimed ? *message.claimed : none;
        const auto stage = message.route.direction == Direction::decrypt ? InboundStage::decryption_hop : InboundStage::border;
        return decision_of(entity ? inbound.finish(message.facts, *entity, claimed, mta, stage)
                                  : inbound.finish_unreadable(message.facts, *problem, claimed, mta));
    }
    if (message.route.direction == Direction::encrypt) {
        const auto& encryption = pipelines.encryption();
        return decision_of(entity ? encryption.finish(message.facts, *entity, mta)
                                  : encryption.finish_unreadable(message.facts, *problem, mta));
    }
    const auto& outbound = pipelines.outbound();
    return decision_of(entity ? outbound.finish(message.facts, *entity, mta)
                              : outbound.finish_unreadable(message.facts, *problem, mta));
}

sfsistat on_eom(SMFICTX* ctx) noexcept {
    return guarded(ctx, "eom", OnException::drop_message, SMFIS_TEMPFAIL, [&] {
        Connection* connection = connection_of(ctx);
        fault_point(connection, "eom");
        if (connection == nullptr || !connection->message)
            return SMFIS_CONTINUE;
        Message message = std::move(*connection->message);
        connection->message.reset();
        message.facts.queue_id = macro(ctx, "i");
        LibmilterActions mta(ctx, connection->leading_space);
        const Decision result = finish(message, *connection->pipelines, mta);
        const std::string queue_id = message.facts.queue_id.empty() ? "NOQUEUE" : message.facts.queue_id;
        log_info(queue_id + ": direction=" + to_string(message.route.direction) + " decision=" + result.name +
                 " action=" + std::string(to_string(result.verdict)) +
                 " login=" + (message.facts.auth_login.empty() ? "-" : message.facts.auth_login) +
                 " from=" + (result.from.empty() ? "-" : result.from) +
                 " rcpts=" + std::to_string(message.facts.recipients.size()) +
                 " serial=" + (result.serial.empty() ? "-" : result.serial) + " reason=\"" + result.reason + "\"");
        connection->pipelines->trace(directory::TraceRecord{
            std::chrono::system_clock::now(), queue_id, message.message_id, to_string(message.route.direction),
            result.name, std::string(to_string(result.verdict)), message.facts.auth_login, result.from,
            message.facts.recipients, result.serial, result.reason});
        return to_status(result.verdict);
    });
}

sfsistat on_abort(SMFICTX* ctx) noexcept {
    return guarded(ctx, "abort", OnException::drop_message, SMFIS_CONTINUE, [&] {
        Connection* connection = connection_of(ctx);
        fault_point(connection, "abort");
        if (connection != nullptr)
            connection->message.reset();
        return SMFIS_CONTINUE;
    });
}

sfsistat on_close(SMFICTX* ctx) noexcept {
    return guarded(ctx, "close", OnException::nothing, SMFIS_CONTINUE, [&] {
        // MLT-02: close comes exactly once, possibly without negotiate.
        std::unique_ptr<Connection> connection(connection_of(ctx));
        smfi_setpriv(ctx, nullptr);
        fault_point(connection.get(), "close");
        return SMFIS_CONTINUE;
    });
}

} // namespace

smfiDesc& filter_description() {
    static smfiDesc description = {
        const_cast<char*>("segel-milter"),
        SMFI_VERSION,
        SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_CHGBODY | SMFIF_QUARANTINE,
        nullptr,      // connect: the connection is created at negotiate
        nullptr,      // helo
        on_envfrom,
        on_envrcpt,
        on_header,
        on_eoh,
        on_body,
        on_eom,
        on_abort,
        on_close,
        nullptr,      // unknown
        nullptr,      // data
        on_negotiate,
    };
    return description;
}

} // namespace segel::milter
