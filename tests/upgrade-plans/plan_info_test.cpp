#include "upgrade-plans/plan_info.h"

#include <gtest/gtest.h>

#include <string>

#include "upgrade-plans/checksum.h"

namespace plans {
namespace {

const std::string kSha256(64, 'a');
const std::string kSha512(128, 'b');

TEST(Checksum, PrefixedAlgorithms) {
  auto c = ParseChecksum("sha256:" + kSha256);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->algo, HashAlgo::kSha256);
  EXPECT_EQ(c->hex, kSha256);
  EXPECT_FALSE(c->weak());
  auto s = ParseChecksum("SHA512:" + kSha512);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->algo, HashAlgo::kSha512);
}

TEST(Checksum, BareHexLengthDecides) {
  EXPECT_EQ(ParseChecksum(kSha256)->algo, HashAlgo::kSha256);
  EXPECT_EQ(ParseChecksum(kSha512)->algo, HashAlgo::kSha512);
  EXPECT_EQ(ParseChecksum(std::string(40, 'c'))->algo, HashAlgo::kSha1);
  EXPECT_EQ(ParseChecksum(std::string(32, 'd'))->algo, HashAlgo::kMd5);
  EXPECT_FALSE(ParseChecksum(std::string(33, 'd')).ok());
}

TEST(Checksum, WeakAlgorithmsAreFlagged) {
  EXPECT_TRUE(ParseChecksum("md5:" + std::string(32, '0'))->weak());
  EXPECT_TRUE(ParseChecksum("sha1:" + std::string(40, '0'))->weak());
}

TEST(Checksum, UpperCaseHexIsLowered) {
  auto c = ParseChecksum("sha256:" + std::string(64, 'F'));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->hex, std::string(64, 'f'));
  EXPECT_EQ(FormatChecksum(*c), "sha256:" + std::string(64, 'f'));
}

TEST(Checksum, RejectsBadInput) {
  EXPECT_FALSE(ParseChecksum("").ok());
  EXPECT_FALSE(ParseChecksum("sha256:xyz").ok());
  EXPECT_FALSE(ParseChecksum("sha256:" + kSha512).ok());
  EXPECT_FALSE(ParseChecksum("crc32:" + kSha256).ok());
  auto f = ParseChecksum("file:https://example.org/SHA256SUMS");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("sums file"), std::string::npos);
}

TEST(Checksum, SplitsChecksumFromUrl) {
  auto u = SplitChecksumFromUrl("https://e.org/appd.tar.gz?checksum=sha256:" + kSha256);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->url, "https://e.org/appd.tar.gz");
  ASSERT_TRUE(u->checksum);
  EXPECT_EQ(u->checksum->hex, kSha256);
  auto keep = SplitChecksumFromUrl("https://e.org/a?x=1&checksum=" + kSha512 + "&y=2");
  ASSERT_TRUE(keep.ok());
  EXPECT_EQ(keep->url, "https://e.org/a?x=1&y=2");
  EXPECT_EQ(keep->checksum->algo, HashAlgo::kSha512);
  auto escaped = SplitChecksumFromUrl("https://e.org/a?checksum=sha256%3A" + kSha256);
  ASSERT_TRUE(escaped.ok());
  EXPECT_EQ(escaped->checksum->hex, kSha256);
  auto none = SplitChecksumFromUrl("https://e.org/a");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->checksum);
  EXPECT_FALSE(SplitChecksumFromUrl("https://e.org/a?checksum=nothex").ok());
}

TEST(Checksum, UrlScheme) {
  EXPECT_EQ(UrlScheme("HTTPS://x"), "https");
  EXPECT_EQ(UrlScheme("file:///tmp/x"), "file");
  EXPECT_EQ(UrlScheme("/tmp/x"), "");
}

TEST(PlanInfo, InlineJson) {
  std::string info = R"({"binaries":{"linux/amd64":"https://e.org/a?checksum=sha256:)" + kSha256 +
                     R"(","any":"https://e.org/b.zip"}})";
  auto p = ParsePlanInfo("v7", info);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->kind, PlanInfo::Kind::kInline);
  ASSERT_EQ(p->binaries.size(), 2u);
  EXPECT_EQ(p->binaries.at("linux/amd64").url, "https://e.org/a");
  EXPECT_EQ(p->binaries.at("linux/amd64").checksum->hex, kSha256);
  EXPECT_FALSE(p->binaries.at("any").checksum);
}

TEST(PlanInfo, UrlToDocument) {
  auto p = ParsePlanInfo("v7", "  https://e.org/v7.json?checksum=" + kSha256 + "\n");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->kind, PlanInfo::Kind::kUrl);
  EXPECT_EQ(p->document_url, "https://e.org/v7.json");
  EXPECT_EQ(p->document_checksum->hex, kSha256);
}

TEST(PlanInfo, FreeTextOrEmptyCarriesNoBinary) {
  for (std::string text : {"", "   ", "upgrade to v7, see the forum", "a1b2c3d4e5f6",
                           "{not json", R"({"binary":"x"})", R"({"binaries":{}})", "[1,2]"}) {
    auto p = ParsePlanInfo("v7-theta", text);
    ASSERT_FALSE(p.ok()) << text;
    EXPECT_NE(p.status().message().find("plan v7-theta carries no binary"), std::string::npos)
        << p.status().message();
  }
}

TEST(PlanInfo, RejectsMalformedEntries) {
  EXPECT_FALSE(ParsePlanInfo("p", R"({"binaries":{"linux":"https://e.org/a"}})").ok());
  EXPECT_FALSE(ParsePlanInfo("p", R"({"binaries":{"linux/amd64":7}})").ok());
  EXPECT_FALSE(ParsePlanInfo("p", R"({"binaries":{"linux/amd64":""}})").ok());
  EXPECT_FALSE(ParsePlanInfo("p", R"({"binaries":{"linux/amd64":"https://e?checksum=zz"}})").ok());
}

TEST(PlanInfo, DocumentMustBeInlineForm) {
  auto ok = ParsePlanInfoDocument("p", R"({"binaries":{"any":"file:///x"}})", "https://e/x.json");
  ASSERT_TRUE(ok.ok());
  auto bad = ParsePlanInfoDocument("p", "https://e.org/other.json", "https://e/x.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("https://e/x.json"), std::string::npos);
}

TEST(PlanInfo, SelectsHostPlatformThenAny) {
  BinaryMap m;
  m["linux/arm64"] = BinarySpec{"linux/arm64", "u1", std::nullopt};
  m["any"] = BinarySpec{"any", "u2", std::nullopt};
  EXPECT_EQ(SelectBinary("p", m, "linux/arm64")->url, "u1");
  EXPECT_EQ(SelectBinary("p", m, "linux/amd64")->url, "u2");
  m.erase("any");
  auto missing = SelectBinary("p", m, "linux/amd64");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), base::Status::Code::kNotFound);
  EXPECT_NE(missing.status().message().find("linux/arm64"), std::string::npos);
}

TEST(PlanInfo, FormatRoundTrips) {
  BinaryMap m;
  m["linux/amd64"] =
      BinarySpec{"linux/amd64", "http://127.0.0.1:1/sha256/x", ParseChecksum(kSha256).value()};
  auto p = ParsePlanInfo("p", FormatPlanInfo(m));
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->binaries, m);
}

// Fuzz finding (issue 18): "?" passed the empty-URL check (which ran before the query was
// stripped) and came out as an empty URL that the round trip then refused.
TEST(PlanInfo, UrlThatIsOnlyAQueryIsRefused) {
  for (std::string url : {std::string("?"), std::string("  ?  "), "?checksum=sha256:" + kSha256,
                          std::string("?a=b&c"), std::string("?#frag")}) {
    auto p = ParsePlanInfo("p", R"({"binaries":{"x/a":")" + url + R"("}})");
    ASSERT_FALSE(p.ok()) << url;
    EXPECT_NE(p.status().message().find("binary URL for x/a has no address"), std::string::npos)
        << p.status().message();
  }
}

// A checksum joins the query before the URL's fragment, where SplitChecksumFromUrl reads it.
TEST(PlanInfo, ChecksumOfUrlWithQueryAndFragmentRoundTrips) {
  auto p = ParsePlanInfo("p", R"({"binaries":{"linux/amd64":"https://e.org/a?v=1&checksum=sha256:)" +
                                  kSha256 + R"(#part"}})");
  ASSERT_TRUE(p.ok()) << p.status().message();
  const BinarySpec& b = p->binaries.at("linux/amd64");
  EXPECT_EQ(b.url, "https://e.org/a?v=1#part");
  EXPECT_EQ(b.UrlWithChecksum(), "https://e.org/a?v=1&checksum=sha256:" + kSha256 + "#part");
  auto again = ParsePlanInfo("p", FormatPlanInfo(p->binaries));
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->binaries, p->binaries);
}

// Fuzz finding (issue 18 campaign, fuzz_chain_registry): "a?#b?checksum=X" split its checksum
// out of the fragment only on the second parse, so an imported schedule did not round-trip.
// The fragment starts at the first '#'; a '?' inside it starts no query.
TEST(Checksum, QueryEndsAtTheFirstHash) {
  auto in_fragment = SplitChecksumFromUrl("https://e.org/a?#b?checksum=sha256:" + kSha256);
  ASSERT_TRUE(in_fragment.ok());
  EXPECT_FALSE(in_fragment->checksum);
  EXPECT_EQ(in_fragment->url, "https://e.org/a#b?checksum=sha256:" + kSha256);
  auto again = SplitChecksumFromUrl(in_fragment->url);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->checksum);
  EXPECT_EQ(again->url, in_fragment->url);
  BinarySpec b{"linux/amd64", "https://e.org/a#b", ParseChecksum(kSha256).value()};
  EXPECT_EQ(b.UrlWithChecksum(), "https://e.org/a?checksum=sha256:" + kSha256 + "#b");
  auto back = SplitChecksumFromUrl(b.UrlWithChecksum());
  ASSERT_TRUE(back.ok() && back->checksum);
  EXPECT_EQ(back->url, "https://e.org/a#b");
}

TEST(PlanInfo, HostPlatformIsAValidKey) { EXPECT_TRUE(IsValidPlatformKey(HostPlatform())); }

}  // namespace
}  // namespace plans
