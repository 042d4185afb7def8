#include "replayer/supervisor/height_gate.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/testing/temp_dir.h"

namespace replayer {
namespace {

TEST(StatusHeight, CometBftShapes) {
  EXPECT_EQ(*ParseStatusHeight(R"({"sync_info":{"latest_block_height":"123"}})"), 123);
  EXPECT_EQ(*ParseStatusHeight(R"({"SyncInfo":{"latest_block_height":45}})"), 45);
  EXPECT_EQ(*ParseStatusHeight(R"({"result":{"sync_info":{"latest_block_height":"7"}}})"), 7);
  EXPECT_EQ(*ParseStatusHeight("I[2024] starting\n{\"sync_info\":{\"latest_block_height\":\"9\"}}"),
            9);
}

TEST(StatusHeight, BadOutputIsNamed) {
  for (const char* text : {"", "not json", "{}", R"({"sync_info":{}})",
                           R"({"sync_info":{"latest_block_height":"x"}})", "{\"sync_info\":"}) {
    auto r = ParseStatusHeight(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.status().message().find("node status"), std::string::npos);
  }
}

TEST(ManualPlan, MarkerMustMatchNameAndHeight) {
  testing_util::TempDir dir;
  Layout layout(dir.path(), "simd");
  std::filesystem::create_directories(layout.UpgradeDir("v2"));
  plans::UpgradeInfo plan{"v2", 10, "", ""};
  EXPECT_FALSE(IsManualPlan(layout, "v2", plan));
  std::ofstream(ManualPlanMarker(layout, "v2")) << R"({"name":"v2","height":10})";
  EXPECT_TRUE(IsManualPlan(layout, "v2", plan));
  plan.height = 11;
  EXPECT_FALSE(IsManualPlan(layout, "v2", plan));
}

}  // namespace
}  // namespace replayer
