#include "replayer/supervisor/height_gate.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
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
  ASSIGN_OR_RETURN(auto run, RunCaptured(launcher, opts, kStatusProbeTimeout));
  if (run.exit.exit_code != 0) {
    return base::Status::Unavailable(binary + " status: " + run.exit.Describe());
  }
  return ParseStatusHeight(run.out);
}

namespace {

// How often a running probe's pipes and exit are looked at.
constexpr auto kProbeTick = std::chrono::milliseconds(10);
constexpr size_t kProbeMaxOutput = 1 << 20;

}  // namespace

AsyncHeightProbe::AsyncHeightProbe(boost::asio::io_context& io, ProcessLauncher& launcher)
    : launcher_(launcher), timer_(io) {}

AsyncHeightProbe::~AsyncHeightProbe() { Stop(); }

void AsyncHeightProbe::Start(const std::string& binary, const std::string& home, Done done) {
  if (running()) return;
  SpawnOptions opts;
  opts.path = binary;
  opts.args = {"status", "--home", home};
  opts.capture_output = true;
  auto p = launcher_.Spawn(opts);
  if (!p.ok()) {
    done(p.status());
    return;
  }
  pid_ = p->pid;
  out_fd_ = p->stdout_fd;
  err_fd_ = p->stderr_fd;
  for (int fd : {out_fd_, err_fd_}) {
    if (fd >= 0) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  binary_ = binary;
  out_.clear();
  exit_.reset();
  deadline_ = std::chrono::steady_clock::now() + kStatusProbeTimeout;
  done_ = std::move(done);
  Tick();
}

bool AsyncHeightProbe::ReadPipe(int& fd, bool keep) {
  if (fd < 0) return false;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      // stderr (keep = false) is read and dropped, so a chatty node never blocks on it.
      if (keep && out_.size() < kProbeMaxOutput) {
        out_.append(buf, std::min(static_cast<size_t>(n), kProbeMaxOutput - out_.size()));
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    ::close(fd);
    fd = -1;
    return false;
  }
}

void AsyncHeightProbe::Tick() {
  bool out_open = ReadPipe(out_fd_, true);
  bool err_open = ReadPipe(err_fd_, false);
  if (!exit_) exit_ = launcher_.TryReap(pid_, /*kill_group_on_exit=*/true);
  if (exit_ && !out_open && !err_open) {
    if (exit_->exit_code != 0) {
      Finish(base::Status::Unavailable(binary_ + " status: " + exit_->Describe()));
    } else {
      Finish(ParseStatusHeight(out_));
    }
    return;
  }
  if (std::chrono::steady_clock::now() >= deadline_) {
    Finish(base::Status::Unavailable(binary_ + " status did not finish within " +
                                     std::to_string(kStatusProbeTimeout.count()) + " ms"));
    return;
  }
  timer_.expires_after(kProbeTick);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && running()) Tick();
  });
}

void AsyncHeightProbe::Finish(base::Result<int64_t> result) {
  Kill();
  Done done = std::move(done_);
  done_ = nullptr;
  if (done) done(std::move(result));
}

void AsyncHeightProbe::Stop() {
  Kill();
  done_ = nullptr;
}

void AsyncHeightProbe::Kill() {
  timer_.cancel();
  if (pid_ > 0) {
    if (!exit_) {
      (void)launcher_.Signal(pid_, SIGKILL, /*group=*/true);
      launcher_.Wait(pid_);
    }
    pid_ = -1;
  }
  for (int* fd : {&out_fd_, &err_fd_}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
}

}  // namespace replayer
