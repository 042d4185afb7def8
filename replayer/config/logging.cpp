// Cosmovisor-shaped log lines on stderr through spdlog (see logging.h).
#include "replayer/config/logging.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "base/redact.h"

namespace replayer {
namespace {

struct GoLayout {
  std::string_view name;
  std::string_view strftime;  // for the rfc3339 pair: everything but fraction and zone
  bool rfc3339;               // append Go's "Z07:00"
  bool nanos;                 // append Go's ".999999999" before the zone
};

// Go's time package constants (Layout, ANSIC, ... Kitchen) in strftime terms. "%e" is Go's "_2"
// (space-padded day) and glibc's "%-I" is Go's unpadded "3".
constexpr GoLayout kLayouts[] = {
    {"layout", "%m/%d %I:%M:%S%p '%y %z", false, false},     // 01/02 03:04:05PM '06 -0700
    {"ansic", "%a %b %e %H:%M:%S %Y", false, false},         // Mon Jan _2 15:04:05 2006
    {"unixdate", "%a %b %e %H:%M:%S %Z %Y", false, false},   // Mon Jan _2 15:04:05 MST 2006
    {"rubydate", "%a %b %d %H:%M:%S %z %Y", false, false},   // Mon Jan 02 15:04:05 -0700 2006
    {"rfc822", "%d %b %y %H:%M %Z", false, false},           // 02 Jan 06 15:04 MST
    {"rfc822z", "%d %b %y %H:%M %z", false, false},          // 02 Jan 06 15:04 -0700
    {"rfc850", "%A, %d-%b-%y %H:%M:%S %Z", false, false},    // Monday, 02-Jan-06 15:04:05 MST
    {"rfc1123", "%a, %d %b %Y %H:%M:%S %Z", false, false},   // Mon, 02 Jan 2006 15:04:05 MST
    {"rfc1123z", "%a, %d %b %Y %H:%M:%S %z", false, false},  // Mon, 02 Jan 2006 15:04:05 -0700
    {"rfc3339", "%Y-%m-%dT%H:%M:%S", true, false},           // 2006-01-02T15:04:05Z07:00
    {"rfc3339nano", "%Y-%m-%dT%H:%M:%S", true, true},        // ...05.999999999Z07:00
    {"kitchen", "%-I:%M%p", false, false},                   // 3:04PM
};

const GoLayout* FindLayout(std::string_view name) {
  for (const auto& layout : kLayouts) {
    if (layout.name == name) return &layout;
  }
  return nullptr;
}

// "%*": the timestamp and one space, or nothing when the format is empty.
class GoTimeFlag final : public spdlog::custom_flag_formatter {
 public:
  explicit GoTimeFlag(std::string name) : name_(std::move(name)) {}
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    // spdlog fills its tm argument only for patterns with a built-in time flag, so compute
    // the local time from the message's own timestamp.
    std::time_t secs = std::chrono::system_clock::to_time_t(msg.time);
    std::tm tm_time{};
    localtime_r(&secs, &tm_time);
    auto since_epoch = msg.time.time_since_epoch();
    long nanos =
        static_cast<long>((std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch) %
                           std::chrono::seconds(1))
                              .count());
    std::string text = FormatLogTime(name_, tm_time, nanos);
    if (text.empty()) return;
    text += ' ';
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<GoTimeFlag>(name_);
  }

 private:
  std::string name_;
};

// "%k": zerolog's three-letter level.
class LevelFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string_view text = "???";
    switch (msg.level) {
      case spdlog::level::trace:
        text = "TRC";
        break;
      case spdlog::level::debug:
        text = "DBG";
        break;
      case spdlog::level::info:
        text = "INF";
        break;
      case spdlog::level::warn:
        text = "WRN";
        break;
      case spdlog::level::err:
        text = "ERR";
        break;
      case spdlog::level::critical:
        text = "FTL";
        break;
      default:
        break;
    }
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LevelFlag>();
  }
};

// "%V": the message with URL credentials hidden and control characters escaped (base/redact.h),
// so no log line can carry a password or be forged by a "\n" in a plan name.
class SafeMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string text = base::ForDisplay(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<SafeMessageFlag>();
  }
};

}  // namespace

std::optional<std::string_view> GoLayoutStrftime(std::string_view name) {
  const GoLayout* layout = FindLayout(name);
  if (!layout) return std::nullopt;
  return layout->strftime;
}

std::string FormatLogTime(std::string_view name, const std::tm& tm, long nanos) {
  const GoLayout* layout = FindLayout(name);
  if (!layout) return "";
  char buf[128];
  const std::string pattern(layout->strftime);
  size_t n = std::strftime(buf, sizeof buf, pattern.c_str(), &tm);
  std::string out(buf, n);
  if (layout->nanos && nanos > 0) {
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%09ld", nanos % 1000000000L);
    std::string f(frac);
    while (f.back() == '0') f.pop_back();  // Go's ".999999999" drops trailing zeros
    out += f;
  }
  if (layout->rfc3339) {
    long offset = tm.tm_gmtoff;
    if (offset == 0) {
      out += 'Z';
    } else {
      char zone[16];
      long abs_offset = offset < 0 ? -offset : offset;
      std::snprintf(zone, sizeof zone, "%c%02ld:%02ld", offset < 0 ? '-' : '+',
                    (abs_offset / 3600) % 100, (abs_offset / 60) % 60);
      out += zone;
    }
  }
  return out;
}

void SetupLogging(const Config& config) {
  const bool color = config.color_logs;
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(
      color ? spdlog::color_mode::automatic : spdlog::color_mode::never);
  // zerolog's console colours, which Cosmovisor's logger uses.
  sink->set_color(spdlog::level::trace, sink->magenta);
  sink->set_color(spdlog::level::debug, sink->yellow);
  sink->set_color(spdlog::level::info, sink->green);
  sink->set_color(spdlog::level::warn, sink->red);
  sink->set_color(spdlog::level::err, sink->red_bold);
  sink->set_color(spdlog::level::critical, sink->red_bold);

  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<GoTimeFlag>('*', config.time_format_logs)
      .add_flag<LevelFlag>('k')
      .add_flag<SafeMessageFlag>('V')
      .set_pattern("%*%^%k%$ %V module=replayer");
  sink->set_formatter(std::move(formatter));

  auto logger = std::make_shared<spdlog::logger>("replayer", std::move(sink));
  logger->set_level(config.disable_logs ? spdlog::level::off : spdlog::level::info);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
}

void SetupDefaultLogging() { SetupLogging(Config{}); }

}  // namespace replayer
