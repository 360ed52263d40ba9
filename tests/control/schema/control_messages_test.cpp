// The control protocol's typed messages: every message survives encode -> decode, every table
// row of the stats reaches the JSON under its key, and decoders name what is wrong with a line.
#include "control/schema/control_messages.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "control/schema/json_writer.hpp"

namespace takedown::schema {
namespace {

// The decoded reply (a copy), or T{} after a failed expectation.
template <typename T>
T ok(const Result<Reply<T>>& reply) {
  EXPECT_TRUE(reply) << (reply ? "" : reply.error());
  if (!reply) return T{};
  EXPECT_TRUE(std::holds_alternative<T>(*reply));
  return std::holds_alternative<T>(*reply) ? std::get<T>(*reply) : T{};
}

TEST(ControlMessages, RequestsRoundTrip) {
  const std::string line = encode(Request(LoadRequest{"/var/lib/takedown/a \"b\".snap", 23.5}));
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto decoded = decode_request(line);
  ASSERT_TRUE(decoded) << decoded.error();
  const auto& load = std::get<LoadRequest>(*decoded);
  EXPECT_EQ(load.snapshot, "/var/lib/takedown/a \"b\".snap");
  EXPECT_DOUBLE_EQ(load.compile_ms, 23.5);
  auto stats = decode_request(encode(Request(StatsRequest{})));
  ASSERT_TRUE(stats);
  EXPECT_TRUE(std::holds_alternative<StatsRequest>(*stats));
  auto status = decode_request(encode(Request(StatusRequest{})));
  ASSERT_TRUE(status);
  EXPECT_TRUE(std::holds_alternative<StatusRequest>(*status));
  auto failed = decode_request(encode(Request(ReloadFailedRequest{"compile", "a.txt:2: bad"})));
  ASSERT_TRUE(failed) << failed.error();
  EXPECT_EQ(std::get<ReloadFailedRequest>(*failed).stage, "compile");
  EXPECT_EQ(std::get<ReloadFailedRequest>(*failed).error, "a.txt:2: bad");
  EXPECT_EQ(ok(decode_ack_reply(encode(AckReply{9}))).generation, 9u);
  // Written by hand, as an operator would with socat.
  auto by_hand = decode_request(R"({"command": "load", "snapshot": "/x.snap"})");
  ASSERT_TRUE(by_hand);
  EXPECT_EQ(std::get<LoadRequest>(*by_hand).compile_ms, 0);
}

TEST(ControlMessages, SourcesRoundTripAndStatusSaysTheirAge) {
  SourceStatus feed;
  feed.list = "feed";
  feed.kind = "url";
  feed.origin = "https://lists.example/d.txt";
  feed.version = "\"6b11-91\"";
  feed.entries = 4;
  feed.failures = 2;
  feed.consecutive_failures = 1;
  feed.last_success_unix = 1000.5;
  feed.last_attempt_unix = 1060.25;
  feed.last_error = "https://lists.example/d.txt: HTTP status 503";
  SourceStatus zone;
  zone.list = "rpz";
  zone.kind = "transfer";
  zone.origin = "zone rpz.test from 192.0.2.53:53";
  zone.version = "2025120301";
  zone.has_serial = true;
  zone.serial = 2025120301;
  zone.expired = true;
  auto request = decode_request(encode(Request(SourcesRequest{{feed, zone}})));
  ASSERT_TRUE(request) << request.error();
  const auto& got = std::get<SourcesRequest>(*request).sources;
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].version, feed.version);
  EXPECT_EQ(got[0].last_error, feed.last_error);
  EXPECT_EQ(got[0].consecutive_failures, 1u);
  EXPECT_DOUBLE_EQ(got[0].last_attempt_unix, 1060.25);
  EXPECT_FALSE(got[0].has_serial);
  EXPECT_TRUE(got[1].has_serial);
  EXPECT_EQ(got[1].serial, 2025120301u);
  EXPECT_TRUE(got[1].expired);
  StatusReply status;
  status.sources = {feed, zone};
  status.now_unix = 1100.5;
  const std::string line = encode(status);
  EXPECT_NE(line.find("\"age_seconds\": 100.0"), std::string::npos) << line;
  EXPECT_EQ(line.find("age_seconds", line.find("\"rpz\"")), std::string::npos);  // never succeeded
  const auto back = ok(decode_status_reply(line));
  EXPECT_EQ(back.sources.size(), 2u);
  EXPECT_DOUBLE_EQ(back.now_unix, 1100.5);
}

TEST(ControlMessages, BadRequestsSayWhatIsWrong) {
  const auto error = [](std::string_view line) {
    auto r = decode_request(line);
    EXPECT_FALSE(r) << line;
    return r ? std::string() : r.error();
  };
  EXPECT_NE(error("{\"command\": ").find("not JSON"), std::string::npos);
  EXPECT_NE(error("[1, 2]").find("a JSON object with a \"command\""), std::string::npos);
  EXPECT_NE(error("{\"command\": 7}").find("\"command\""), std::string::npos);
  EXPECT_NE(error("{\"command\": \"reboot\"}").find("unknown command 'reboot'"), std::string::npos);
  EXPECT_NE(error("{\"command\": \"load\"}").find("load needs \"snapshot\""), std::string::npos);
  EXPECT_NE(error("{\"command\": \"load\", \"snapshot\": \"\"}").find("load needs"),
            std::string::npos);
  EXPECT_NE(error("{\"command\": \"load\", \"snapshot\": \"/a\", \"compile_ms\": \"fast\"}")
                .find("\"compile_ms\" is not a number"),
            std::string::npos);
  // Deeply nested input is parsed without recursion and refused for what it is.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_NE(error(deep).find("a JSON object"), std::string::npos);
}

TEST(ControlMessages, RepliesRoundTrip) {
  LoadReply load{7, 66000, 2, 1750.4, 2.0, 4.8, {1}};
  const LoadReply l = ok(decode_load_reply(encode(load)));
  EXPECT_EQ(l.generation, 7u);
  EXPECT_EQ(l.domains, 66000u);
  EXPECT_EQ(l.lists, 2u);
  EXPECT_DOUBLE_EQ(l.verify_us, 1750.4);
  EXPECT_DOUBLE_EQ(l.swap_us, 4.8);
  EXPECT_EQ(l.lagging_workers, std::vector<unsigned>{1});

  StatusReply status;
  status.version = "0.1.0";
  status.pid = 4242;
  status.uptime_seconds = 12.5;
  status.generation = 3;
  status.origin = "/var/lib/takedown/takedown-001764000000000.snap";
  status.domains = 66000;
  status.regex_rules = 1195;
  status.bytes = 3100000;
  status.created_unix = 1764000000;
  status.lists = {{"takedown", "domains", "/etc/takedown/66k.txt", 66000, 0},
                  {"allow", "regex", "/etc/takedown/allow.txt", 1195, 2}};
  status.lagging_workers = {0, 3};
  status.retired_pending = 1;
  status.last_failure = {"compile", "/etc/takedown/allow.txt:3: invalid regex", 1764000000.5};
  const StatusReply s = ok(decode_status_reply(encode(status)));
  EXPECT_EQ(encode(s), encode(status));
  EXPECT_EQ(s.lists.size(), 2u);
  EXPECT_EQ(s.lists[1].skipped, 2u);
  EXPECT_EQ(s.lagging_workers, (std::vector<unsigned>{0, 3}));
  EXPECT_EQ(s.last_failure.stage, "compile");
  EXPECT_DOUBLE_EQ(s.last_failure.unix_seconds, 1764000000.5);
}

TEST(ControlMessages, ErrorRepliesComeBackAsErrorReplies) {
  auto reply = decode_load_reply(encode(ErrorReply{"snapshot.snap: bad checksum", 4}));
  ASSERT_TRUE(reply) << reply.error();
  ASSERT_TRUE(std::holds_alternative<ErrorReply>(*reply));
  EXPECT_EQ(std::get<ErrorReply>(*reply).error, "snapshot.snap: bad checksum");
  EXPECT_EQ(std::get<ErrorReply>(*reply).generation, 4u);
}

TEST(ControlMessages, BadRepliesNameTheField) {
  auto missing = decode_load_reply(R"({"ok": true, "generation": 2})");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("has no \"domains\""), std::string::npos) << missing.error();
  auto negative = decode_load_reply(
      R"({"ok": true, "generation": -2, "domains": 1, "lists": 1, "verify_us": 1,
          "prepare_us": 1, "swap_us": 1})");
  ASSERT_FALSE(negative);
  EXPECT_NE(negative.error().find("\"generation\" is not a count"), std::string::npos);
  auto not_json = decode_status_reply("takedownd is busy");
  ASSERT_FALSE(not_json);
  EXPECT_NE(not_json.error().find("not JSON"), std::string::npos);
  auto no_ok = decode_stats_reply(R"({"stats": {}})");
  ASSERT_FALSE(no_ok);
  EXPECT_NE(no_ok.error().find("has no \"ok\""), std::string::npos);
}

// Every row of the counter table is in the stats JSON under its group and key, and comes back.
TEST(ControlMessages, StatsCarryEveryTableRow) {
  Stats stats;
  for (std::size_t row = 0; row < kCounterCount; ++row) stats.totals.value(row) = 1000 + row;
  stats.lists = {{"takedown-66k", 17}, {"allow", 3}};
  stats.ports = {{"client", 10, 11, 0, 0, 2}, {"resolver", 20, 21, 0, 0, 0}};
  stats.generation = 5;
  stats.domains = 66000;
  stats.workers = 2;
  stats.elapsed_seconds = 1.25;
  const std::string line = encode(StatsReply{stats});
  const auto json = nlohmann::json::parse(line)["stats"];
  std::uint64_t dropped = 0;
  for (std::size_t row = 0; row < kCounterCount; ++row) {
    const CounterRow& r = kCounterRows[row];
    if (std::strcmp(r.group, "dropped_by") == 0) dropped += 1000 + row;
    if (r.key[0] == '\0') continue;
    const auto& where = r.group[0] == '\0' ? json : json[r.group];
    ASSERT_TRUE(where.contains(r.key)) << r.field;
    EXPECT_EQ(where[r.key].get<std::uint64_t>(), 1000 + row) << r.field;
  }
  EXPECT_EQ(json["dropped"].get<std::uint64_t>(), dropped);
  EXPECT_EQ(dropped_total(stats.totals), dropped);
  EXPECT_EQ(json["lists"]["takedown-66k"], 17);
  EXPECT_EQ(json["ports"]["client"]["rx_missed"], 2);

  const StatsReply back = ok(decode_stats_reply(line));
  EXPECT_EQ(stats_json(back.stats), stats_json(stats));
  for (std::size_t row = 0; row < kCounterCount; ++row) {
    if (kCounterRows[row].key[0] != '\0') {
      EXPECT_EQ(back.stats.totals.value(row), 1000 + row);
    }
  }
}

TEST(JsonWriter, EscapesAnyBytesIntoOneLine) {
  JsonWriter w;
  w.begin_object().field("name", std::string_view("a\"b\\c\nd\x01\xff", 9));
  w.key("list").begin_array().value(1u).value(-2).value(true).end_array();
  w.field("ratio", 0.5, 2).field("nan", std::nan(""), 1).end_object();
  EXPECT_EQ(w.text(),
            R"({"name": "a\"b\\c\u000ad\u0001\u00ff", "list": [1, -2, true], "ratio": 0.50, )"
            R"("nan": null})");
  EXPECT_TRUE(nlohmann::json::accept(w.text()));
}

// Found by control_message_fuzz: a huge double was cut at 63 characters, so it came back as
// another number.
TEST(JsonWriter, WritesHugeNumbersWhole) {
  for (const double v : {1.72022222222e77, -1.7976931348623157e308, 99999909950000005120.0}) {
    JsonWriter w;
    w.value(v, 1);
    EXPECT_EQ(nlohmann::json::parse(w.text()).get<double>(), v) << w.text();
  }
}

// Found by control_message_fuzz: UTF-8 text must come back as the same bytes, not as Latin-1.
TEST(JsonWriter, KeepsUtf8AndEscapesWhatIsNotUtf8) {
  const std::string utf8 = "/etc/t\xc3\xa5kedown/\xd9\x95\xe2\x82\xac\xf0\x9f\x94\x92.txt";
  std::string out;
  append_json_string(out, utf8);
  EXPECT_EQ(out, std::string(1, '"') + utf8 + '"');
  EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), utf8);
  // Not UTF-8: a lone continuation byte, a truncated sequence, an overlong form, a surrogate.
  out.clear();
  append_json_string(out, "\x80|\xc3|\xc0\xaf|\xed\xa0\x80");
  EXPECT_EQ(out, R"("\u0080|\u00c3|\u00c0\u00af|\u00ed\u00a0\u0080")");
  EXPECT_TRUE(nlohmann::json::accept(out));
  auto reply = decode_load_reply(encode(ErrorReply{utf8, 1}));
  ASSERT_TRUE(reply) << reply.error();
  EXPECT_EQ(std::get<ErrorReply>(*reply).error, utf8);
}

}  // namespace
}  // namespace takedown::schema
