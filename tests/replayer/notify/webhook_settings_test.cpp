// REPLAYER_WEBHOOK_* parsed from an environment map, URLs shown without credentials, and the
// signature (HMAC-SHA256 against RFC 4231's vectors and the openssl command line's answer).
#include "replayer/notify/webhook_settings.h"

#include <gtest/gtest.h>

namespace replayer {
namespace {

TEST(WebhookSettings, NoUrlMeansOff) {
  auto s = ParseWebhookSettings({});
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->enabled());
  EXPECT_EQ(s->timeout, std::chrono::seconds(5));
  EXPECT_EQ(s->retries, 3);
}

TEST(WebhookSettings, SeveralUrlsCommaOrSpaceSeparated) {
  auto s = ParseWebhookSettings({{"REPLAYER_WEBHOOK_URL",
                                  "http://127.0.0.1:8080/a, https://u:p@hooks.invalid/b\thttp://[::1]:9/c,"},
                                 {"REPLAYER_WEBHOOK_FORMAT", "slack"},
                                 {"REPLAYER_WEBHOOK_SECRET", "s3"},
                                 {"REPLAYER_WEBHOOK_TIMEOUT", "1.5s"},
                                 {"REPLAYER_WEBHOOK_RETRIES", "0"},
                                 {"REPLAYER_WEBHOOK_BACKOFF", "20ms"},
                                 {"REPLAYER_WEBHOOK_DRAIN_TIMEOUT", "2s"}});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->urls, (std::vector<std::string>{"http://127.0.0.1:8080/a",
                                               "https://u:p@hooks.invalid/b", "http://[::1]:9/c"}));
  EXPECT_EQ(s->format, WebhookFormat::kSlack);
  EXPECT_EQ(s->secret, "s3");
  EXPECT_EQ(s->timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(s->retries, 0);
  EXPECT_EQ(s->backoff, std::chrono::milliseconds(20));
  EXPECT_EQ(s->drain_timeout, std::chrono::seconds(2));
}

TEST(WebhookSettings, EveryProblemNamedAtOnceWithoutCredentials) {
  auto s = ParseWebhookSettings({{"REPLAYER_WEBHOOK_URL",
                                  "ftp://a.invalid/x hooks.invalid/y https://bob:hunter2@ http://ok.invalid"},
                                 {"REPLAYER_WEBHOOK_FORMAT", "teams"},
                                 {"REPLAYER_WEBHOOK_TIMEOUT", "5"},
                                 {"REPLAYER_WEBHOOK_RETRIES", "11"},
                                 {"REPLAYER_WEBHOOK_BACKOFF", "-1s"}});
  ASSERT_FALSE(s.ok());
  const std::string& m = s.status().message();
  EXPECT_NE(m.find("REPLAYER_WEBHOOK_URL: \"ftp://a.invalid/x\" must start with http:// or https://"),
            std::string::npos) << m;
  EXPECT_NE(m.find("REPLAYER_WEBHOOK_URL: \"hooks.invalid/y\""), std::string::npos) << m;
  EXPECT_NE(m.find("REPLAYER_WEBHOOK_URL: \"https://***@\""), std::string::npos) << m;
  EXPECT_EQ(m.find("hunter2"), std::string::npos) << m;
  EXPECT_NE(m.find("REPLAYER_WEBHOOK_FORMAT: must be json or slack, got \"teams\""), std::string::npos) << m;
  EXPECT_NE(m.find("REPLAYER_WEBHOOK_TIMEOUT: could not parse \"5\""), std::string::npos) << m;
  EXPECT_NE(m.find("REPLAYER_WEBHOOK_RETRIES: must be a whole number from 0 to 10, got \"11\""),
            std::string::npos) << m;
  EXPECT_NE(m.find("REPLAYER_WEBHOOK_BACKOFF: must be greater than 0"), std::string::npos) << m;
  EXPECT_EQ(m.find("ok.invalid"), std::string::npos) << m;
}

// Found by fuzz_webhook: libcurl reads "https:/host" as "https://host/"; the operator's text must
// say http:// or https:// itself.
TEST(WebhookSettings, AUrlMustSpellItsSchemeLiterally) {
  auto s = ParseWebhookSettings({{"REPLAYER_WEBHOOK_URL", "https:/abc"}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("\"https:/abc\" must start with http:// or https://"),
            std::string::npos)
      << s.status().message();
  auto upper = ParseWebhookSettings({{"REPLAYER_WEBHOOK_URL", "HTTPS://hooks.example/x"}});
  ASSERT_TRUE(upper.ok()) << upper.status().message();
}

TEST(WebhookSettings, SettingsWithoutAUrlAreAMistake) {
  auto s = ParseWebhookSettings({{"REPLAYER_WEBHOOK_SECRET", "x"}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("REPLAYER_WEBHOOK_SECRET: is set but REPLAYER_WEBHOOK_URL is not"),
            std::string::npos);
  EXPECT_FALSE(ParseWebhookSettings({{"REPLAYER_WEBHOOK_URL", " , "}}).ok());
  EXPECT_FALSE(ParseWebhookSettings({{"REPLAYER_WEBHOOK_RETRIES", "1x"},
                                     {"REPLAYER_WEBHOOK_URL", "http://h.invalid"}}).ok());
}

TEST(WebhookSettings, UrlsForDisplayHideCredentials) {
  EXPECT_EQ(WebhookUrlForDisplay("https://bob:hunter2@hooks.invalid/x"), "https://***@hooks.invalid/x");
  EXPECT_EQ(WebhookUrlForDisplay("bob:hunter2@hooks.invalid/x"), "***@hooks.invalid/x");
  EXPECT_EQ(WebhookUrlForDisplay("http://h.invalid/\n"), "http://h.invalid/\\n");
  EXPECT_EQ(WebhookUrlForDisplay("http://h.invalid/p"), "http://h.invalid/p");
}

TEST(WebhookSignature, Rfc4231Vectors) {
  // RFC 4231 test case 2.
  EXPECT_EQ(SignBody("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 1: 20 bytes of 0x0b, "Hi There".
  EXPECT_EQ(SignBody(std::string(20, '\x0b'), "Hi There"),
            "sha256=b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_NE(SignBody("k", "body"), SignBody("k", "body "));
}

}  // namespace
}  // namespace replayer
