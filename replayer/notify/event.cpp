#include "replayer/notify/event.h"

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "base/redact.h"

namespace replayer {
namespace {

using nlohmann::json;

NotifyEvent Make(std::string event, int64_t time_ms) {
  NotifyEvent e;
  e.event = std::move(event);
  e.time_ms = time_ms;
  return e;
}

std::string Quoted(std::string_view s) { return "\"" + base::EscapeControl(s) + "\""; }

std::string UpgradeText(const NotifyEvent::Upgrade& u, const std::string& event) {
  std::string head = "upgrade " + Quoted(u.name) + " at height " + std::to_string(u.height);
  std::string detail = u.detail.empty() ? "" : ": " + base::EscapeControl(u.detail);
  if (u.failed) return head + " FAILED at step " + u.step + detail;
  if (event == "upgrade.detected") return head + " detected" + detail;
  if (event == "upgrade.completed") return head + " complete (" + u.step + ")" + detail;
  return head + ": " + u.step + detail;
}

std::string SyncText(const NotifyEvent& e) {
  const NotifyEvent::Sync& s = *e.sync;
  if (e.event == "sync.started") {
    return "sync started: " + std::to_string(s.segments) + " segments" +
           (s.until ? ", until height " + std::to_string(*s.until) : "");
  }
  if (e.event == "sync.segment") {
    std::string heights = std::to_string(s.first_height) + "-" +
                          (s.last_height ? std::to_string(*s.last_height) : std::string("tip"));
    return "sync reached segment " + std::to_string(s.segment.value_or(0)) + " of " +
           std::to_string(s.segments) + ": " + base::EscapeControl(s.label) + " (" +
           base::EscapeControl(s.version) + ", heights " + heights + ")";
  }
  if (s.ok.value_or(false)) {
    return "sync finished at height " + std::to_string(s.height) +
           (s.exit_code && *s.exit_code != 0 ? ", node exit code " + std::to_string(*s.exit_code)
                                             : "");
  }
  return "sync FAILED at height " + std::to_string(s.height) + ": " +
         base::EscapeControl(e.error);
}

}  // namespace

NotifyEvent EventFromJournal(const state::JournalEvent& je) {
  const state::JournalEntry& entry = je.entry;
  NotifyEvent::Upgrade u;
  u.name = entry.upgrade;
  u.height = je.txn.height;
  u.txn = entry.txn_id;
  u.seq = entry.seq;
  u.step = std::string(state::StepName(entry.step));
  u.failed = entry.failed;
  u.completed = je.completed;
  u.detail = base::RedactUrlUserInfo(entry.detail);
  std::string event = "upgrade.step";
  if (entry.failed) {
    event = "upgrade.failed";
  } else if (u.step == "confirmed") {
    event = "upgrade.confirmed";
  } else if (je.completed) {
    event = "upgrade.completed";
  } else if (entry.step == state::Step::kDetected) {
    event = "upgrade.detected";
  }
  NotifyEvent e = Make(std::move(event), entry.time_ms);
  if (entry.failed) e.error = u.detail;
  e.upgrade = std::move(u);
  return e;
}

NotifyEvent SyncStartedEvent(int64_t time_ms, size_t segments, std::optional<int64_t> until) {
  NotifyEvent e = Make("sync.started", time_ms);
  e.sync.emplace();
  e.sync->segments = segments;
  e.sync->until = until;
  return e;
}

NotifyEvent SegmentReachedEvent(int64_t time_ms, size_t index, size_t segments,
                                std::string label, std::string version, std::string target,
                                int64_t first_height, std::optional<int64_t> last_height) {
  NotifyEvent e = Make("sync.segment", time_ms);
  e.sync.emplace();
  e.sync->segments = segments;
  e.sync->segment = index + 1;
  e.sync->label = std::move(label);
  e.sync->version = std::move(version);
  e.sync->target = std::move(target);
  e.sync->first_height = first_height;
  e.sync->last_height = last_height;
  return e;
}

NotifyEvent SyncFinishedEvent(int64_t time_ms, size_t segments, bool ok,
                              std::optional<int> exit_code, int64_t height,
                              std::string_view error) {
  NotifyEvent e = Make("sync.finished", time_ms);
  e.sync.emplace();
  e.sync->segments = segments;
  e.sync->ok = ok;
  e.sync->exit_code = exit_code;
  e.sync->height = height;
  e.error = base::RedactUrlUserInfo(error);
  return e;
}

NotifyEvent RunFailedEvent(int64_t time_ms, std::string_view error) {
  NotifyEvent e = Make("run.failed", time_ms);
  e.error = base::RedactUrlUserInfo(error);
  return e;
}

std::string EventText(const NotifyEvent& e, const NotifyContext& ctx) {
  std::string who = base::EscapeControl(ctx.daemon.empty() ? "replayer" : ctx.daemon);
  if (!ctx.chain_id.empty()) who += " (" + base::EscapeControl(ctx.chain_id) + ")";
  std::string what;
  if (e.upgrade) {
    what = UpgradeText(*e.upgrade, e.event);
  } else if (e.sync) {
    what = SyncText(e);
  } else if (e.event == "run.failed") {
    what = "run FAILED: " + base::EscapeControl(e.error);
  } else {
    what = base::EscapeControl(e.event);
  }
  return who + ": " + what;
}

std::string FormatUtcMillis(int64_t unix_ms) {
  int64_t ms = unix_ms % 1000;
  int64_t secs = unix_ms / 1000;
  if (ms < 0) {
    ms += 1000;
    secs -= 1;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return "";
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(ms));
  return std::string(buf, n) + frac;
}

std::string FormatEventJson(const NotifyEvent& e, const NotifyContext& ctx) {
  json j;
  j["schema"] = 1;
  j["event"] = e.event;
  j["time"] = FormatUtcMillis(e.time_ms);
  j["time_ms"] = e.time_ms;
  j["replayer_version"] = ctx.replayer_version;
  j["home"] = ctx.home;
  j["daemon"] = ctx.daemon;
  if (!ctx.chain_id.empty()) j["chain_id"] = ctx.chain_id;
  j["text"] = EventText(e, ctx);
  if (e.upgrade) {
    const auto& u = *e.upgrade;
    j["upgrade"] = {{"name", u.name},     {"height", u.height}, {"txn", u.txn},
                    {"seq", u.seq},       {"step", u.step},     {"failed", u.failed},
                    {"completed", u.completed}, {"detail", u.detail}};
  }
  if (e.sync) {
    const auto& s = *e.sync;
    json sj = {{"segments", s.segments}};
    if (e.event == "sync.started") sj["until"] = s.until ? json(*s.until) : json(nullptr);
    if (s.segment) {
      sj["segment"] = *s.segment;
      sj["label"] = s.label;
      sj["version"] = s.version;
      sj["target"] = s.target;
      sj["first_height"] = s.first_height;
      sj["last_height"] = s.last_height ? json(*s.last_height) : json(nullptr);
    }
    if (s.ok) {
      sj["ok"] = *s.ok;
      sj["exit_code"] = s.exit_code ? json(*s.exit_code) : json(nullptr);
      sj["height"] = s.height;
    }
    j["sync"] = std::move(sj);
  }
  if (!e.error.empty()) j["error"] = e.error;
  // Invalid UTF-8 (a plan name is the chain's bytes) is replaced, never an exception.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string FormatSlackJson(const NotifyEvent& e, const NotifyContext& ctx) {
  // Slack's mrkdwn: &, < and > are control characters and must be sent as entities.
  std::string text;
  for (char c : EventText(e, ctx)) {
    if (c == '&') {
      text += "&amp;";
    } else if (c == '<') {
      text += "&lt;";
    } else if (c == '>') {
      text += "&gt;";
    } else {
      text += c;
    }
  }
  return json{{"text", text}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace replayer
