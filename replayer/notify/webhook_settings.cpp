#include "replayer/notify/webhook_settings.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>
#include <charconv>
#include <memory>

#include "base/hex.h"
#include "base/redact.h"

namespace replayer {
namespace {

constexpr const char* kUrl = "REPLAYER_WEBHOOK_URL";
constexpr const char* kSecret = "REPLAYER_WEBHOOK_SECRET";
constexpr const char* kFormat = "REPLAYER_WEBHOOK_FORMAT";
constexpr const char* kTimeout = "REPLAYER_WEBHOOK_TIMEOUT";
constexpr const char* kRetries = "REPLAYER_WEBHOOK_RETRIES";
constexpr const char* kBackoff = "REPLAYER_WEBHOOK_BACKOFF";
constexpr const char* kDrain = "REPLAYER_WEBHOOK_DRAIN_TIMEOUT";

const std::string* Get(const EnvMap& env, const char* name) {
  auto it = env.find(name);
  return it == env.end() || it->second.empty() ? nullptr : &it->second;
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find_first_of(", \t\r\n", i);
    if (j == std::string_view::npos) j = text.size();
    if (j > i) out.emplace_back(text.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// "" when `url` is an absolute http or https URL with a host, else what is wrong with it.
std::string CheckUrl(const std::string& url) {
  // Literally, not only as libcurl reads it: curl_url takes "https:/host" as "https://host/".
  std::string head;
  for (char c : url.substr(0, 8)) head += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (head.rfind("http://", 0) != 0 && head.rfind("https://", 0) != 0) {
    return "must start with http:// or https://";
  }
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
  if (!u) return "cannot parse URLs (out of memory)";
  if (CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0); rc != CURLUE_OK) {
    return std::string("is not a valid URL (") + curl_url_strerror(rc) + ")";
  }
  char* scheme = nullptr;
  std::string s;
  if (curl_url_get(u.get(), CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK) s = scheme;
  curl_free(scheme);
  if (s != "http" && s != "https") return "must start with http:// or https://";
  char* host = nullptr;
  bool has_host = curl_url_get(u.get(), CURLUPART_HOST, &host, 0) == CURLUE_OK && host && *host;
  curl_free(host);
  if (!has_host) return "has no host";
  return "";
}

}  // namespace

std::string WebhookUrlForDisplay(std::string_view url) {
  std::string shown = base::RedactUrlUserInfo(url);
  // Not recognised as a URL ("user:pw@host/x", "://a:b@c"): hide everything before an '@'.
  if (size_t at = shown.rfind('@'); at != std::string::npos && shown.find("***@") == std::string::npos) {
    size_t start = shown.find("://");
    start = start == std::string::npos || start > at ? 0 : start + 3;
    shown = shown.substr(0, start) + "***" + shown.substr(at);
  }
  return base::EscapeControl(shown);
}

base::Result<WebhookSettings> ParseWebhookSettings(const EnvMap& env) {
  WebhookSettings s;
  std::vector<std::string> problems;
  auto problem = [&problems](const char* var, const std::string& what) {
    problems.push_back(std::string(var) + ": " + what);
  };
  if (const std::string* v = Get(env, kUrl)) {
    for (const std::string& url : SplitList(*v)) {
      if (std::string why = CheckUrl(url); !why.empty()) {
        problem(kUrl, "\"" + WebhookUrlForDisplay(url) + "\" " + why);
      } else {
        s.urls.push_back(url);
      }
    }
    if (s.urls.empty() && problems.empty()) problem(kUrl, "names no URL");
  }
  if (const std::string* v = Get(env, kSecret)) s.secret = *v;
  if (const std::string* v = Get(env, kFormat)) {
    if (*v == "json") {
      s.format = WebhookFormat::kJson;
    } else if (*v == "slack") {
      s.format = WebhookFormat::kSlack;
    } else {
      problem(kFormat, "must be json or slack, got \"" + base::EscapeControl(*v) + "\"");
    }
  }
  auto duration = [&](const char* var, std::chrono::milliseconds& out) {
    const std::string* v = Get(env, var);
    if (!v) return;
    auto d = ParseGoDuration(*v);
    if (!d.ok()) {
      problem(var, "could not parse \"" + base::EscapeControl(*v) + "\" into a duration: " +
                       d.status().message());
    } else if (d->count() <= 0) {
      problem(var, "must be greater than 0, got \"" + base::EscapeControl(*v) + "\"");
    } else {
      out = std::max(std::chrono::milliseconds(1),
                     std::chrono::duration_cast<std::chrono::milliseconds>(*d));
    }
  };
  duration(kTimeout, s.timeout);
  duration(kBackoff, s.backoff);
  duration(kDrain, s.drain_timeout);
  if (s.backoff > kMaxBackoff) s.backoff = kMaxBackoff;
  if (const std::string* v = Get(env, kRetries)) {
    int n = -1;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || end != v->data() + v->size() || n < 0 || n > kMaxWebhookRetries) {
      problem(kRetries, "must be a whole number from 0 to " + std::to_string(kMaxWebhookRetries) +
                            ", got \"" + base::EscapeControl(*v) + "\"");
    } else {
      s.retries = n;
    }
  }
  if (!Get(env, kUrl)) {
    for (const char* var : {kSecret, kFormat, kTimeout, kRetries, kBackoff, kDrain}) {
      if (Get(env, var)) problem(var, std::string("is set but ") + kUrl + " is not (no webhook to use it)");
    }
  }
  if (!problems.empty()) {
    std::string msg;
    for (const auto& p : problems) msg += (msg.empty() ? "" : "\n") + p;
    return base::Status::InvalidArgument(msg);
  }
  return s;
}

std::string SignBody(std::string_view secret, std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  return "sha256=" + base::HexLower(mac, len);
}

}  // namespace replayer
