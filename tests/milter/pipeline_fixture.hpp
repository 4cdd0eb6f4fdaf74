// The fake MTA and the directory fixture the pipeline tests share: the
// pipelines driven without libmilter, every edit recorded so the delivered
// message can be rebuilt.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include "directory/directory_service.hpp"
#include "milter/pipelines.hpp"
#include "test_support.hpp"

namespace segel::test {


struct Edit {
    std::string kind, name, value;
    int index = 0;
};

class FakeMta final : public milter::MtaActions {
public:
    std::vector<Edit> edits;
    std::string body;
    std::string reply;
    bool refuse_body = false;
    std::string quarantined; // the reason given to quarantine()

    bool add_header(const std::string& name, const std::string& value) override {
        edits.push_back({"add", name, value});
        return true;
    }
    bool insert_header(int index, const std::string& name, const std::string& value) override {
        edits.push_back({"insert", name, value, index});
        return true;
    }
    bool change_header(const std::string& name, int index, const std::optional<std::string>& value) override {
        edits.push_back({value ? "change" : "delete", name, value.value_or(""), index});
        return true;
    }
    bool replace_body(std::string_view chunk) override {
        edits.push_back({"body", "", ""});
        body.append(chunk);
        return !refuse_body;
    }
    bool quarantine(const std::string& reason) override {
        quarantined = reason;
        return true;
    }
    bool set_reply(const std::string& rcode, const std::string& xcode, const std::string& text) override {
        reply = rcode + " " + xcode + " " + text;
        return true;
    }

    // The message as Postfix would deliver it after our edits.
    std::string rebuild(const smime::SpooledMessage& original) const {
        std::map<std::string, int> deleted;
        std::string out;
        for (const auto& e : edits)
            if (e.kind == "delete")
                ++deleted[e.name];
        for (const auto& field : original.headers())
            if (deleted.count(field.name) == 0)
                out += field.raw;
        for (const auto& e : edits)
            if (e.kind == "add")
                out += e.name + ": " + e.value + "\r\n";
        const bool body_replaced = std::any_of(edits.begin(), edits.end(), [](const Edit& e) { return e.kind == "body"; });
        return out + "\r\n" + (body_replaced ? body : original_body(original));
    }

    // The body the MTA holds when no edit replaced it.
    static std::string original_body(const smime::SpooledMessage& original) {
        std::string bytes(original.size() - original.body_offset(), '\0');
        const auto read = ::pread(original.fd(), bytes.data(), bytes.size(), static_cast<off_t>(original.body_offset()));
        REQUIRE(read == static_cast<ssize_t>(bytes.size()));
        return bytes;
    }
};

struct ServiceFixture {
    test::TempDir dir;
    std::shared_ptr<directory::DirectoryService> store;
    std::shared_ptr<config::MilterSettings> settings = std::make_shared<config::MilterSettings>();

    ServiceFixture() {
        auto key = directory::create_master_key_file((dir / "master.key").string());
        directory::DirectoryOptions options;
        options.create = true;
        options.master_key = *key;
        options.domains = {"tangerangkota.go.id"};
        store = std::move(directory::open_directory((dir / "d.sqlite").string(), options)).value();
        for (const char* user : {"alice", "bambang", "eko"}) {
            const auto& id = test::demo_identity(user);
            directory::ImportRequest request{id.certificate(), id.shared_private_key(), id.chain(),
                                             directory::CertificateKind::individual, {}};
            request.owner.email = id.certificate().email_addresses().front();
            REQUIRE(store->import_certificate(request, {"test"}));
        }
        settings->milter.temp_dir = dir.path().string();
    }

    milter::Pipelines service() const { return milter::Pipelines(settings, store); }
};

inline const std::string k_alice = "alice@tangerangkota.go.id";

inline milter::SessionFacts facts(const std::string& queue_id, const std::string& login, const std::string& sender) {
    milter::SessionFacts facts;
    facts.queue_id = queue_id;
    facts.auth_login = login;
    facts.envelope_sender = sender;
    facts.recipients = {"warga@example.com"};
    return facts;
}

// The spool a test keeps to rebuild the delivered message from.
inline std::shared_ptr<const smime::SpooledMessage> spool_shared(const std::string& text) {
    auto spooled = test::spool_text(text);
    return spooled ? std::make_shared<const smime::SpooledMessage>(std::move(spooled).value()) : nullptr;
}

inline std::string mail(const std::string& from, const std::string& extra = "") {
    return test::crlf("From: " + from + "\nTo: warga@example.com\nSubject: x\nMessage-ID: <m@x>\n" + extra +
                      "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nIsi \xc3\xa9.\n");
}

inline milter::OutboundResult run(const milter::Pipelines& service, const std::string& login, const std::string& text,
                          FakeMta& mta, const std::string& sender = "alice@tangerangkota.go.id") {
    auto spooled = spool_shared(text);
    REQUIRE(spooled != nullptr);
    return service.outbound().finish(facts("Q1", login, sender), smime::MimeEntity(spooled), mta);
}


} // namespace segel::test
