// replayer::WebhookSettings: where notifications go and how hard Replayer tries, read from the
// REPLAYER_WEBHOOK_* environment variables (docs/notifications.md), and how a body is signed.
//
// Parsing is pure: it takes the environment as a map and never logs. Every problem is collected
// and reported at once, naming its variable; a URL in a message has its credentials hidden
// (WebhookUrlForDisplay), since the URL itself is where an operator puts them. SignBody is
// HMAC-SHA256 (OpenSSL) over the exact bytes sent.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "replayer/config/config.h"

namespace replayer {

enum class WebhookFormat { kJson, kSlack };

struct WebhookSettings {
  std::vector<std::string> urls;      // REPLAYER_WEBHOOK_URL: comma- or space-separated
  std::string secret;                 // REPLAYER_WEBHOOK_SECRET: HMAC key, "" = unsigned
  WebhookFormat format = WebhookFormat::kJson;  // REPLAYER_WEBHOOK_FORMAT: json | slack
  std::chrono::milliseconds timeout{5000};      // REPLAYER_WEBHOOK_TIMEOUT: per request
  int retries = 3;                              // REPLAYER_WEBHOOK_RETRIES: after the first try
  std::chrono::milliseconds backoff{500};       // REPLAYER_WEBHOOK_BACKOFF: first wait, doubled
  std::chrono::milliseconds drain_timeout{10000};  // REPLAYER_WEBHOOK_DRAIN_TIMEOUT: at exit
  size_t queue_capacity = 1000;  // events waiting per URL; more are dropped, with a warning

  bool enabled() const { return !urls.empty(); }
};

inline constexpr int kMaxWebhookRetries = 10;
inline constexpr std::chrono::milliseconds kMaxBackoff{30000};  // one wait never exceeds this

// The settings, or kInvalidArgument listing every problem (one line each): a URL that is not
// http(s)://host..., an unknown format, a duration that is not a positive Go duration, retries
// outside 0..kMaxWebhookRetries, other REPLAYER_WEBHOOK_* variables set without a URL.
base::Result<WebhookSettings> ParseWebhookSettings(const EnvMap& env);

// A URL as logs and messages may show it: user-info replaced by "***" (also when the text is not
// a well-formed URL), control characters escaped.
std::string WebhookUrlForDisplay(std::string_view url);

// The X-Replayer-Signature value: "sha256=" + lower-case hex HMAC-SHA256 of `body` keyed by
// `secret`.
std::string SignBody(std::string_view secret, std::string_view body);

}  // namespace replayer
