#include "replayer/supervisor/height_gate.h"

#include <nlohmann/json.hpp>

#include <charconv>

#include "replayer/config/file_util.h"

namespace replayer {
namespace {

std::optional<int64_t> HeightValue(const nlohmann::json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    int64_t h = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), h);
    if (ec == std::errc() && p == s.data() + s.size()) return h;
  }
  return std::nullopt;
}

}  // namespace

std::string ManualPlanMarker(const Layout& layout, std::string_view dir) {
  return layout.UpgradeDir(dir) + "/manual-upgrade.json";
}

bool IsManualPlan(const Layout& layout, std::string_view dir, const plans::UpgradeInfo& plan) {
  auto text = ReadFile(ManualPlanMarker(layout, dir));
  if (!text.ok()) return false;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object()) return false;
  auto name = j.find("name");
  auto height = j.find("height");
  return name != j.end() && name->is_string() && *name == plan.name && height != j.end() &&
         HeightValue(*height) == plan.height;
}

base::Result<int64_t> ParseStatusHeight(std::string_view text) {
  // Some nodes print log lines before the JSON; start at the first '{'.
  size_t brace = text.find('{');
  if (brace == std::string_view::npos) {
    return base::Status::InvalidArgument("node status: no JSON object in the output");
  }
  auto j = nlohmann::json::parse(text.substr(brace), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return base::Status::InvalidArgument("node status: output is not a JSON object");
  }
  if (auto r = j.find("result"); r != j.end() && r->is_object()) j = *r;
  for (const char* key : {"sync_info", "SyncInfo"}) {
    auto s = j.find(key);
    if (s == j.end() || !s->is_object()) continue;
    auto h = s->find("latest_block_height");
    if (h == s->end()) continue;
    if (auto v = HeightValue(*h); v && *v >= 0) return *v;
    return base::Status::InvalidArgument("node status: " + std::string(key) +
                                         ".latest_block_height is not an integer");
  }
  return base::Status::InvalidArgument(
      "node status: no sync_info.latest_block_height in the output");
}

base::Result<int64_t> ProbeNodeHeight(ProcessLauncher& launcher, const std::string& binary,
                                      const std::string& home) {
  SpawnOptions opts;
  opts.path = binary;
  opts.args = {"status", "--home", home};
  ASSIGN_OR_RETURN(auto run, RunCaptured(launcher, opts, std::chrono::seconds(10)));
  if (run.exit.exit_code != 0) {
    return base::Status::Unavailable(binary + " status: " + run.exit.Describe());
  }
  return ParseStatusHeight(run.out);
}

}  // namespace replayer
