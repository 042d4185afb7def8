// state::cometbft_store parsers, from strings. The records are what CometBFT v0.38 writes: the
// BlockStoreState {base=1, height=9} bytes below are those read from the `blockStore` key of a
// real sdkchain localnet home (tests/sdkchain/node_store_test.cpp reads such a home whole).
#include "state/cometbft_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace {

using std::string_literals::operator""s;

TEST(BlockStoreState, DecodesBaseAndHeight) {
  auto s = state::ParseBlockStoreState("\x08\x01\x10\x09"s);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->base, 1);
  EXPECT_EQ(s->height, 9);
  // Multi-byte varints: height 300 = ac 02.
  auto big = state::ParseBlockStoreState("\x08\x01\x10\xac\x02"s);
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->height, 300);
}

TEST(BlockStoreState, EmptyRecordIsZeroAndUnknownFieldsAreSkipped) {
  auto e = state::ParseBlockStoreState("");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->height, 0);
  // field 3 length-delimited "ab", field 4 fixed32, field 5 fixed64, then height 7.
  auto s = state::ParseBlockStoreState("\x1a\x02" "ab" "\x25\x01\x02\x03\x04"
                                       "\x29\x01\x02\x03\x04\x05\x06\x07\x08" "\x10\x07"s);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->height, 7);
}

TEST(BlockStoreState, RefusesBrokenRecordsNamingTheField) {
  auto truncated = state::ParseBlockStoreState("\x10\xac"s);
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.status().message().find("field 2"), std::string::npos);
  auto neg = state::ParseBlockStoreState("\x10\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"s);
  ASSERT_FALSE(neg.ok());
  EXPECT_NE(neg.status().message().find("BlockStoreState.height is negative"), std::string::npos);
  auto below = state::ParseBlockStoreState("\x08\x05\x10\x02"s);
  ASSERT_FALSE(below.ok());
  EXPECT_NE(below.status().message().find("below base"), std::string::npos);
  EXPECT_FALSE(state::ParseBlockStoreState("\x12\x05" "ab"s).ok());        // length past the end
  EXPECT_FALSE(state::ParseBlockStoreState("\x0b\x01"s).ok());             // group
  EXPECT_FALSE(state::ParseBlockStoreState("\x00\x01"s).ok());             // field 0
  EXPECT_FALSE(state::ParseBlockStoreState("\x10\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f"s).ok());
}

TEST(StateRecord, ReadsLastBlockHeightPastOtherFields) {
  // version (1, message), chain_id (2) "sdkchain-1", initial_height (14) = 1, last_block_height 41.
  std::string rec = "\x0a\x02\x08\x0b"s + "\x12\x0a" "sdkchain-1" + "\x70\x01" + "\x18\x29";
  auto h = state::ParseStateLastBlockHeight(rec);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(*h, 41);
  EXPECT_FALSE(state::ParseStateLastBlockHeight("\x18"s).ok());
}

TEST(NodeStore, MissingStoreIsNotFound) {
  auto dir = std::filesystem::temp_directory_path() / "replayer-cometbft-store-test-missing";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto r = state::ReadNodeStoreHeights(dir.string());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(base::Status::Code::kNotFound)) << r.status().ToString();
  EXPECT_NE(r.status().message().find("blockstore.db"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
