// A minimal node for the switch-latency benchmark. Installed as both the genesis and the upgrade
// binary; it tells which one it is from its own path.
//  genesis: `start` waits 100-400 ms, writes data/upgrade-info.json (open, write, close, like
//           x/upgrade), records the wall-clock time just before writing it in
//           $DAEMON_HOME/t_written, then keeps running.
//  upgrade: `start` records the time in $DAEMON_HOME/t_first_line, prints its first line, exits 0.
#include <fcntl.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

namespace {

long long NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

void WriteFile(const std::string& path, const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) std::exit(3);
  if (write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) std::exit(3);
  close(fd);
}

}  // namespace

int main(int argc, char** argv) {
  const char* home = std::getenv("DAEMON_HOME");
  if (!home || argc < 2) return 2;
  char self[PATH_MAX] = {};
  if (readlink("/proc/self/exe", self, sizeof self - 1) < 0) return 2;
  bool genesis = std::strstr(self, "/genesis/") != nullptr;
  std::string cmd = argv[1];
  if (cmd == "pre-upgrade") return 0;
  if (cmd == "version") {
    std::puts(genesis ? "v1" : "v2");
    return 0;
  }
  if (cmd != "start") return 2;
  if (!genesis) {
    long long t = NowNs();
    WriteFile(std::string(home) + "/t_first_line", std::to_string(t));
    std::puts("bench node v2: first line");
    return 0;
  }
  std::puts("bench node v1: running");
  std::fflush(stdout);
  // Let the supervisor settle into its event loop (100 ms), then a further 0-300 ms taken from
  // the clock: a real node's write falls at any phase of a 300 ms poll (Cosmovisor's default
  // DAEMON_POLL_INTERVAL), so a fixed delay would give a poller the same wait every run.
  usleep(static_cast<useconds_t>(100 * 1000 + (NowNs() / 1000) % (300 * 1000)));
  // The time is taken just before the upgrade file is written and persisted first: Replayer
  // kills this process microseconds after the file is complete, so nothing after it would run.
  // (The write itself takes a few microseconds, so the sample is slightly pessimistic.)
  long long t = NowNs();
  WriteFile(std::string(home) + "/t_written", std::to_string(t));
  WriteFile(std::string(home) + "/data/upgrade-info.json",
            "{\"name\":\"v2\",\"time\":\"0001-01-01T00:00:00Z\",\"height\":100}");
  for (;;) pause();  // a node keeps running after the upgrade height
}
