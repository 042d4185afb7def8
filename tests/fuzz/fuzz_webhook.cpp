// Fuzz target: REPLAYER_WEBHOOK_* from an environment (NAME=value lines) must never crash; a
// setting that parses names only http(s) URLs taken from the input. The rest of the input, as a
// plan name and a journal detail, must always give a JSON body that parses, a Slack body with
// only "text", and a sentence without control characters.
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "replayer/notify/event.h"
#include "replayer/notify/webhook_settings.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  replayer::EnvMap env;
  for (std::string_view rest = text; !rest.empty();) {
    size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    size_t eq = line.find('=');
    if (eq != std::string_view::npos) env.emplace(line.substr(0, eq), line.substr(eq + 1));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  auto settings = replayer::ParseWebhookSettings(env);
  if (settings.ok()) {
    for (const auto& url : settings->urls) {
      if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
        // curl_url accepts the scheme in any case ("HTTP://h"); it still must be http(s).
        std::string lower;
        for (char c : url.substr(0, 8)) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower.rfind("http://", 0) != 0 && lower.rfind("https://", 0) != 0) std::abort();
      }
      if (text.find(url) == std::string_view::npos) std::abort();
      (void)replayer::WebhookUrlForDisplay(url);
    }
    (void)replayer::SignBody(settings->secret, text);
  }

  size_t half = size / 2;
  state::JournalEvent je;
  je.entry.upgrade = std::string(text.substr(0, half));
  je.entry.detail = std::string(text.substr(half));
  je.entry.step = static_cast<state::Step>(size % 11);
  je.entry.failed = size % 3 == 0;
  je.completed = size % 5 == 0;
  je.entry.time_ms = static_cast<int64_t>(size) * 1000003 - 500000;
  replayer::NotifyEvent e = replayer::EventFromJournal(je);
  replayer::NotifyContext ctx{std::string(text.substr(half)), std::string(text.substr(0, half)),
                              "", "v"};
  auto body = nlohmann::json::parse(replayer::FormatEventJson(e, ctx), nullptr, false);
  if (body.is_discarded() || body.at("event") != e.event) std::abort();
  auto slack = nlohmann::json::parse(replayer::FormatSlackJson(e, ctx), nullptr, false);
  if (slack.is_discarded() || slack.size() != 1 || !slack.at("text").is_string()) std::abort();
  for (char c : replayer::EventText(e, ctx)) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) std::abort();
  }
  return 0;
}
