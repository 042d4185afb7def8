// replayer::Supervisor: runs the node under Replayer, the way `cosmovisor run` does, crash-safe.
//
// One Boost.Asio io_context on one thread (the caller's). The node runs in its own process
// group with a clean signal mask; its stdout/stderr are relayed chunk by chunk, unchanged, and
// scanned line by line for `UPGRADE "<name>" NEEDED`. `data/upgrade-info.json` is watched with
// inotify plus polling. When an upgrade is due the node's group is stopped (SIGKILL, or SIGINT
// then SIGKILL after DAEMON_SHUTDOWN_GRACE) and the journaled UpgradeTransaction runs; then the
// new binary starts with the same arguments. SIGINT/SIGTERM/SIGQUIT sent to Replayer go to the
// node's group, and Run() returns the node's exit code. Before every launch the journal and
// upgrade-info.json are consulted, so a restarted Replayer never relaunches an old binary past
// its plan height, and never falls back to genesis when `current` is missing on a home that
// shows an applied upgrade (a fresh home is pointed at genesis, as Cosmovisor does).
// After a switch the run watches for its confirmation (supervisor_confirm.cpp): the new binary
// logging a committed block above the switch height (its `status` as a fallback when it logs no
// commit line), or reaching the next switch. Not confirmed
// within REPLAYER_CONFIRM_TIMEOUT, or the node exiting first, is reported (an error line, a failed
// `confirmed` journal entry, the applied record marked unconfirmed) and nothing is rolled back;
// a later block still confirms it. A restarted Replayer keeps watching the last switch.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "replayer/config/config.h"
#include "replayer/upgrade/crash_points.h"
#include "replayer/supervisor/file_watcher.h"
#include "replayer/supervisor/height_gate.h"
#include "replayer/config/layout.h"
#include "replayer/supervisor/line_scanner.h"
#include "replayer/process/process.h"
#include "replayer/supervisor/run_policy.h"
#include "replayer/upgrade/upgrade_transaction.h"
#include "state/database.h"
#include "state/journal.h"
#include "upgrade-plans/upgrade_info.h"

namespace replayer {

class Supervisor {
 public:
  struct Deps {
    const Config& config;
    const Layout& layout;
    state::Database& db;
    ProcessLauncher& launcher;
    const CrashPoints& crash;
    BinaryFetcher fetcher;  // may be null
    RunPolicy* policy = nullptr;  // `sync`: the schedule steers; null for `run`
    // Told of every journal entry once it is stored (notifications); may be null. Runs on the
    // event-loop thread: it must only hand the entry on, never wait.
    state::JournalObserver journal_observer = nullptr;
  };
  explicit Supervisor(Deps deps);
  ~Supervisor();

  // Runs until the node exits without an upgrade (returns its exit code), an upgrade completes
  // with DAEMON_RESTART_AFTER_UPGRADE=false (returns 0), or an error.
  base::Result<int> Run(const std::vector<std::string>& node_args);

 private:
  enum class Outcome { kExited, kUpgrade, kTerminated };

  base::Status KillStaleNode();
  base::Result<std::string> ResolveCurrent();
  // What shows that this home has applied an upgrade ("" for a fresh home).
  base::Result<std::string> UpgradedHomeSign();
  base::Result<std::optional<plans::UpgradeInfo>> ReadPendingUpgrade();
  base::Status BeginTransaction(const plans::UpgradeInfo& plan, const std::string& from_target);
  base::Status LaunchNode(const std::vector<std::string>& args);
  Outcome WatchNode();
  bool WaitRestartDelay();

  // Event handlers (event-loop thread only).
  void ArmSignals();
  void OnSignal(int sig);
  void PollOutput(int which);
  // Reads what the pipe holds now; true if anything was read. Handles end of stream.
  bool DrainOutput(int which);
  void OnMaybeUpgradeFile();
  void OnLine(std::string_view line);
  void OnLinePlanTimeout();
  // Writes data/upgrade-info.json from the UPGRADE line the node logged (line_plan_).
  base::Status WriteLinePlan();
  void Detect(const plans::UpgradeInfo& plan);
  // Recording a due upgrade failed (the journal, or upgrade-info.json written from the log
  // line): retries with back-off, saying so each time; after the last attempt stops the node
  // and ends the run with `failure`. Never leaves the node waiting at its height in silence.
  void RetryDetection(const plans::UpgradeInfo& plan, const base::Status& failure);
  void StopNodeForUpgrade();
  void MaybeFinishRun();
  bool IsNewUpgrade(const plans::UpgradeInfo& plan) const;
  // A plan the node wrote is due at once; a manual plan when the node's height (a `status`
  // probe, AsyncHeightProbe) has reached it. `wait`: block until the probe answers (before a
  // launch, where no node runs; a stop signal ends the wait), else start the probe and answer
  // false until it has (the event loop: OnMaybeUpgradeFile looks again when it answers).
  bool PlanIsDue(const plans::UpgradeInfo& plan, bool wait);
  void StartHeightProbe();
  // add-batch-upgrade's data/upgrade-info.json.batch: when upgrade-info.json holds no new plan,
  // the batch's lowest entry not yet applied is written there (and dropped from the batch),
  // so the height gate holds it like an `add-upgrade --upgrade-height` plan.
  void PromoteBatchPlan();
  void RecordNodePid(pid_t pid);
  void ClearNodePid();

  // Confirmation (supervisor_confirm.cpp). After a launch: watches the last applied switch if
  // `current` runs its binary and it is not confirmed yet (also after a restart of Replayer);
  // a block above its height already logged since the launch confirms it at once.
  base::Status WatchConfirmation();
  // A line of the node's output: a committed block above the switch height confirms it.
  void ObserveCommit(std::string_view line);
  // The running binary reached the next switch (`plan`), so it got past the watched height.
  void ConfirmByNextSwitch(const plans::UpgradeInfo& plan);
  void Confirm(int64_t height, const std::string& how);
  void OnConfirmTimeout();
  // The fallback for a node that logs no commit line: its `status` (CometBFT RPC /status, asked
  // through the binary as the height gate does), every ConfirmProbeInterval while none was seen.
  void ArmStatusProbe();
  void ProbeStatusForConfirmation();
  // The node is down and the switch is still not confirmed: reported (or, when Replayer was
  // asked to stop, only said: the next run keeps watching). Ends the watch.
  void EndConfirmationWatch(const std::string& why, bool report);

  Deps d_;
  state::JournalStore journal_;
  UpgradeTransaction txn_runner_;
  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer kill_timer_;
  boost::asio::steady_timer drain_timer_;
  boost::asio::steady_timer line_timer_;
  boost::asio::steady_timer retry_timer_;  // RetryDetection's back-off
  std::unique_ptr<FileWatcher> watcher_;

  // Per node run.
  // The node's stdout or stderr pipe, read by polling (see PollOutput): the descriptor is not
  // registered with the reactor, so the node's writes wake nobody.
  struct Stream {
    explicit Stream(boost::asio::io_context& io) : timer(io) {}
    ~Stream();
    int fd = -1;  // non-blocking read end
    boost::asio::steady_timer timer;
    std::chrono::milliseconds interval{0};
    std::array<char, 65536> buf{};
    std::unique_ptr<LineScanner> scanner;
    int out_fd = 1;
    bool eof = true;
  };
  std::array<std::unique_ptr<Stream>, 2> streams_;
  pid_t node_pid_ = -1;
  std::optional<ExitInfo> node_exit_;
  bool run_done_ = false;
  bool stopping_for_upgrade_ = false;
  bool stopping_halted_node_ = false;  // the policy saw it halt as scheduled (SDK 0.50+)
  // The policy refused a plan read from upgrade-info.json before the node logged its UPGRADE
  // line: the node is stopped once it does (or after kLinePlanWait), so the error can quote it.
  bool refused_awaits_line_ = false;
  bool terminate_requested_ = false;
  int terminate_signal_ = 0;
  std::string current_target_;
  std::string current_name_;  // plan name `current` runs, "" for genesis
  std::vector<state::AppliedUpgrade> applied_;  // from the journal, refreshed before each launch
  std::optional<state::UpgradeTxn> txn_;
  std::optional<plans::UpgradeInfo> line_plan_;
  struct FileKey {
    int64_t mtime_ns = -1;
    int64_t size = -1;
    uint64_t ino = 0;
    bool operator==(const FileKey&) const = default;
  };
  FileKey last_file_key_;
  std::string last_invalid_message_;
  std::string last_batch_message_;
  int detect_failures_ = 0;  // consecutive failures to record the due upgrade (this node run)
  int txn_ordinal_ = 0;
  std::string last_gate_message_;
  std::unique_ptr<AsyncHeightProbe> height_probe_;  // after io_: its timer lives on io_
  std::optional<base::Result<int64_t>> probed_height_;  // the last probe's answer, not yet used
  std::optional<base::Status> fatal_;  // the run must end with this error once the node is down
  // The applied switch waiting for confirmation while its binary runs (none: nothing to watch).
  std::optional<state::AppliedUpgrade> awaiting_;
  std::optional<int64_t> last_committed_;  // highest committed height seen in this node run
  int64_t first_committed_ = 0;            // the lowest one (blocks are committed in order)
  // From a launch until WatchConfirmation decided: lines read meanwhile (LaunchNode reads the
  // pipes at once) still count.
  bool watch_undecided_ = false;
  std::chrono::steady_clock::time_point watch_started_;
  boost::asio::steady_timer confirm_timer_;
  boost::asio::steady_timer status_probe_timer_;
  // Its own `status` probe, beside the manual-plan gate's (one probe each, never on the loop).
  std::unique_ptr<AsyncHeightProbe> confirm_probe_;
  std::optional<int64_t> last_status_height_;  // what the node's `status` said last (this run)
};

}  // namespace replayer
