// plans batch upgrades: the --upgrade-list and --upgrade-file parsers and the batch file.
#include "upgrade-plans/batch_upgrade.h"

#include <gtest/gtest.h>

namespace plans {
namespace {

TEST(BatchList, ParsesEntriesInOrder) {
  auto r = ParseBatchList("v2:/opt/v2/simd:100,v3:/opt/v3/simd:50");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0], (BatchEntry{"v2", "/opt/v2/simd", 100}));
  EXPECT_EQ((*r)[1], (BatchEntry{"v3", "/opt/v3/simd", 50}));
}

TEST(BatchList, BadEntryIsNamedAndRefusesTheBatch) {
  auto r = ParseBatchList("v2:/a:10,v3:/b");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("batch entry 2 (\"v3:/b\")"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("expected 3 fields"), std::string::npos);
  // A path with ':' cannot be written in the list form (Cosmovisor splits on ':' too).
  EXPECT_FALSE(ParseBatchList("v2:/a:b:10").ok());
  auto height = ParseBatchList("v2:/a:ten");
  ASSERT_FALSE(height.ok());
  EXPECT_NE(height.status().message().find("not a decimal int64"), std::string::npos);
  EXPECT_FALSE(ParseBatchList("v2:/a:0").ok());
  EXPECT_FALSE(ParseBatchList("v2:/a:-5").ok());
  EXPECT_FALSE(ParseBatchList("v2:/a:99999999999999999999").ok());
  EXPECT_FALSE(ParseBatchList("v2:/a: 10").ok());
  EXPECT_FALSE(ParseBatchList(":/a:10").ok());
  EXPECT_FALSE(ParseBatchList("v2::10").ok());
  EXPECT_FALSE(ParseBatchList("..:/a:10").ok());
  EXPECT_FALSE(ParseBatchList("").ok());
  EXPECT_FALSE(ParseBatchList("v2:/a:10,").ok());
  auto twice = ParseBatchList("v2:/a:10,v2:/b:20");
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("appears twice"), std::string::npos);
}

TEST(BatchCsv, ThreeFieldsPerRowLeadingSpacesTrimmedBlankLinesSkipped) {
  auto r = ParseBatchCsv("v2, /opt/v2/simd, 100\r\n\n  v3,\"/opt/with,comma\",200\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0], (BatchEntry{"v2", "/opt/v2/simd", 100}));
  EXPECT_EQ((*r)[1], (BatchEntry{"v3", "/opt/with,comma", 200}));
  auto quoted = ParseBatchCsv("v4,\"/a \"\"b\"\"\",7");
  ASSERT_TRUE(quoted.ok()) << quoted.status().message();
  EXPECT_EQ((*quoted)[0].binary, "/a \"b\"");
}

TEST(BatchCsv, BadRowsAreNamed) {
  auto r = ParseBatchCsv("v2,/a,10\nv3,/b\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("batch entry 2 (\"v3,/b\")"), std::string::npos)
      << r.status().message();
  EXPECT_FALSE(ParseBatchCsv("name,path,height\n").ok());  // no header: "height" is no number
  EXPECT_FALSE(ParseBatchCsv("v2,/a,10,extra\n").ok());
  EXPECT_FALSE(ParseBatchCsv("v2,\"/a,10\n").ok());  // unterminated quote
  EXPECT_FALSE(ParseBatchCsv("v2,/a\"b,10\n").ok());  // bare quote
  EXPECT_FALSE(ParseBatchCsv("v2,/a,10 \n").ok());   // trailing space is kept: not a number
  EXPECT_FALSE(ParseBatchCsv("\n\n").ok());
  EXPECT_FALSE(ParseBatchCsv("v2,/a,10\nV2,/b,20\nv2,/c,30\n").ok());
}

TEST(BatchFile, FormatsSortedAndParsesBack) {
  std::string text = FormatBatchFile({{"v3", 200, "", ""}, {"v2", 100, "", ""}});
  auto back = ParseBatchFile(text);
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].name, "v2");
  EXPECT_EQ((*back)[0].height, 100);
  EXPECT_EQ((*back)[1].name, "v3");
  EXPECT_EQ(text.find("info"), std::string::npos);  // {name, height} only, like add-upgrade
}

TEST(BatchFile, CosmovisorsFileIsRead) {
  auto r = ParseBatchFile(R"([{"name":"b","height":30,"info":"x"},{"name":"a","height":20}])");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)[0].name, "a");
  EXPECT_EQ((*r)[1].info, "x");
  EXPECT_TRUE(ParseBatchFile("[]").ok());
  EXPECT_FALSE(ParseBatchFile("{}").ok());
  EXPECT_FALSE(ParseBatchFile("[{\"name\":\"a\"}]").ok());
  EXPECT_FALSE(ParseBatchFile("[1]").ok());
  EXPECT_FALSE(ParseBatchFile("[").ok());
}

}  // namespace
}  // namespace plans
