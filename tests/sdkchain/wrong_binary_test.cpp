// Issue 14, item 5: a schedule that names the wrong real binary for a height range is stopped
// within seconds, never left hanging, with an error that names the segment and quotes what the
// real node itself printed. One validator (SDK v0.50.15 under `replayer run`, the governance
// upgrade "v050-to-v053" to v0.53.7 at its plan) is the peer of a fresh full node per test:
//  - v0.53.7 from genesis: the v0.53 app computes another app hash for block 1 (x/epochs joins
//    the genesis), and CometBFT's block sync refuses the validator's block 2
//    (`Error in validation err="wrong Block.Header.AppHash. Expected ..., got ..."`);
//  - v0.50.15 past the plan (the schedule's plan 5 blocks late): x/upgrade halts the node at the
//    real plan height (`UPGRADE "v050-to-v053" NEEDED at height: H: `), which the schedule does
//    not expect;
//  - v0.50.15 on a home already past the plan (synced right, then `current` put back at genesis,
//    as a restored backup or a hand-made home may have it, and a schedule whose plan comes
//    later): x/upgrade refuses the next block (`wrong app version 0, upgrade handler is missing
//    for v050-to-v053 upgrade plan`) and CometBFT's block sync panics on it (exit 2);
//  - a halt-height switch to the upgrade binary between the proposal's pass and the plan height
//    (installed too early): release 1 with the "v050-to-v053" handler (simd-v0.50.15-early-handler)
//    is refused by x/upgrade in CometBFT's handshake replay (`BINARY UPDATED BEFORE TRIGGER!
//    UPGRADE "v050-to-v053" - in binary but not executed on chain`, exit 1), and the real v0.53.7
//    cannot even load release 1's stores (`panic: failed to load latest version: version of store
//    epochs mismatch root store's version; ... new stores should be added using StoreUpgrades`);
//  - the same binary switched in before the proposal passed: it runs release 1's blocks until the
//    one after the pass, then block sync panics (`Failed to process committed block (H:...):
//    BINARY UPDATED BEFORE TRIGGER! ...`, exit 2).
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <fstream>
#include <memory>

#include <gtest/gtest.h>

#include "state/cometbft_store.h"
#include "tests/sdkchain/sdkchain_fixture.h"

namespace {

using namespace std::chrono_literals;
using sdkchain::kUpgradeName;

std::string Sha256Of(const std::string& path) {
  sdkchain::Cmd c = sdkchain::RunCmd({"/usr/bin/sha256sum", path}, {{"PATH", "/usr/bin:/bin"}},
                                     "/tmp", 60s);
  return c.out.substr(0, 64);
}

std::string Binaries(const std::string& simd) {
  return R"({"linux/amd64":"file://)" + simd + "?checksum=sha256:" + Sha256Of(simd) + R"("})";
}

std::string Segment(int64_t first, const std::string& kind, const std::string& name,
                    const std::string& version, const std::string& simd) {
  return R"({"first_height":)" + std::to_string(first) + R"(,"kind":")" + kind +
         R"(","name":")" + name + R"(","version":")" + version +
         R"(","halt_semantics":"stop-before","binaries":)" + Binaries(simd) + "}";
}

// The line of `text` that holds `needle` ("" if none).
std::string LineWith(const std::string& text, const std::string& needle) {
  size_t at = text.find(needle);
  if (at == std::string::npos) return "";
  size_t b = text.rfind('\n', at);
  size_t e = text.find('\n', at);
  return text.substr(b == std::string::npos ? 0 : b + 1,
                     e == std::string::npos ? std::string::npos : e - (b == std::string::npos ? 0 : b + 1));
}

// The block in which x/gov passed a proposal (its EndBlock's `active_proposal` event with
// `proposal_passed`, from CometBFT's /block_results, which the validator keeps whatever its app
// version now), searched from `below` - 1 down; 0 if none. That block stored the plan: the
// PreBlocker of every later block sees it.
int64_t ProposalPassedAt(const sdkchain::Localnet& net, int64_t below) {
  for (int64_t h = below - 1; h > 0; --h) {
    std::string body = net.RpcGet("/block_results?height=" + std::to_string(h));
    if (body.find("\"proposal_passed\"") != std::string::npos) return h;
  }
  return 0;
}

// Starts `replayer run` on a v0.50.15 localnet with v0.53.7 placed for "v050-to-v053", passes the
// upgrade proposal and waits until the chain is 3 blocks past the plan. "" or what went wrong.
std::string ValidatorThroughThePlan(e2e::TestHome& val, sdkchain::Localnet& net, pid_t& run,
                                    int64_t& plan) {
  if (val.Run({"init", sdkchain::Simd050()}).exit_code != 0 ||
      val.Run({"add-upgrade", kUpgradeName, sdkchain::Simd0537()}).exit_code != 0) {
    return "replayer init / add-upgrade on the validator failed";
  }
  run = val.Start({"run", "start", "--home", val.home()});
  if (net.WaitHeight(2, 90s) < 2) return "the validator never committed block 2";
  plan = net.Height() + 20;
  net.ProposeAndVote(kUpgradeName, plan);
  if (net.WaitHeight(plan + 3, 180s) < plan + 3) {
    return "the validator did not pass its plan at " + std::to_string(plan);
  }
  return "";
}

class WrongBinary : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (std::string missing = sdkchain::MissingBinaries(); !missing.empty()) {
      *setup_error_ = missing;
      return;
    }
    try {
      val_ = new e2e::TestHome();
      net_ = new sdkchain::Localnet(*val_);
      *setup_error_ = ValidatorThroughThePlan(*val_, *net_, run_, plan_);
      if (setup_error_->empty()) {
        passed_ = ProposalPassedAt(*net_, plan_);
        if (passed_ == 0) *setup_error_ = "no block before the plan passed the proposal";
      }
    } catch (const std::exception& e) {
      *setup_error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    if (run_ > 0) {
      kill(run_, SIGTERM);
      (void)val_->Wait(run_, 60s);
    }
    delete net_;
    delete val_;  // kills whatever still names its home
    net_ = nullptr;
    val_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(setup_error_->empty()) << *setup_error_; }

  // `replayer sync` of a fresh full node of the validator's chain along `segments` (JSON).
  struct Synced {
    e2e::RunResult r;
    std::string all;
    std::string current;
    double seconds = 0;
    // The node's stores after the run (CometBFT's block store and state store).
    base::Result<state::NodeStoreHeights> stores = base::Status::NotFound("not read");
  };
  // `before`: a first sync of the same home (a right schedule, its own --until), then
  // `prepare` on the home; only the second run is returned.
  Synced SyncFresh(const std::string& segments, int64_t until, const std::string& before = "",
                   int64_t before_until = 0,
                   const std::function<void(e2e::TestHome&)>& prepare = {}) {
    e2e::TestHome f;
    sdkchain::Localnet full(f, *net_);
    auto write = [&](const std::string& name, const std::string& segs) {
      const std::string plans = f.home() + "/../" + name;
      std::ofstream(plans) << R"({"format_version":1,"chain_id":"sdkchain-1","daemon_name":"simd",)"
                           << R"("segments":[)" << segs << "]}";
      return plans;
    };
    auto sync = [&](const std::string& plans, int64_t to) {
      return f.Run({"sync", "--plans", plans, "--until", std::to_string(to), "--progress-interval",
                    "0", "--", "start", "--home", f.home(), "--log_no_color"},
                   {}, 120s);
    };
    Synced s;
    if (!before.empty()) {
      e2e::RunResult first = sync(write("before.json", before), before_until);
      EXPECT_EQ(first.exit_code, 0) << first.out << first.err;
      if (prepare) prepare(f);
    }
    const std::string plans = write("plans.json", segments);
    auto t0 = std::chrono::steady_clock::now();
    s.r = sync(plans, until);
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    s.all = s.r.out + s.r.err;
    s.current = f.Current();
    s.stores = state::ReadNodeStoreHeights(f.home() + "/data");
    std::printf("sync refused after %.1f s (exit %d)\n", s.seconds, s.r.exit_code);
    return s;
  }

  // A height between the proposal's pass and the plan: the PreBlocker of that block sees the plan
  // stored and not yet due. "" or what went wrong.
  static std::string HeightBeforeTheTrigger(int64_t& early) {
    if (passed_ + 1 > plan_ - 1) {
      return "no height between the proposal's pass (block " + std::to_string(passed_) +
             ") and the plan (" + std::to_string(plan_) + ")";
    }
    early = passed_ + 1 + (plan_ - 1 - (passed_ + 1)) / 2;
    std::printf("the proposal passed in block %lld; the early switch is at %lld, the plan at %lld\n",
                static_cast<long long>(passed_), static_cast<long long>(early),
                static_cast<long long>(plan_));
    return "";
  }

  // The schedule of an operator who installs the upgrade binary `simd` (`version`) at the
  // halt-height switch "early", before the plan: genesis v0.50.15, "early", the real plan.
  static std::string EarlySchedule(int64_t early, const std::string& version,
                                   const std::string& simd) {
    return Segment(1, "genesis", "genesis", "v0.50.15", sdkchain::Simd050()) + "," +
           Segment(early, "halt-height", "early", version, simd) + "," +
           Segment(plan_, "gov-plan", kUpgradeName, "v0.53.7", sdkchain::Simd0537());
  }

  // What the failed "early" segment left: the switch to it (the schedule's, at its height), and
  // the data as the genesis segment left it (the wrong binary executed nothing).
  static void ExpectOnlyTheSwitchToEarly(const Synced& s, int64_t early) {
    EXPECT_EQ(s.current, "upgrades/early");
    ASSERT_TRUE(s.stores.ok()) << s.stores.status().ToString();
    ASSERT_TRUE(s.stores->last_executed.has_value());
    EXPECT_EQ(*s.stores->last_executed, early - 1) << "the wrong binary executed a block";
    // CometBFT stored block `early` before the genesis binary refused it (its --halt-height).
    EXPECT_LE(s.stores->block_store.height, early);
  }

  // Sync's reading of x/upgrade's refusal, naming the segment and the upgrade.
  static void ExpectTheDiagnosis(const std::string& error) {
    EXPECT_NE(error.find("the node (segments[1] \"early\") stopped with exit code "),
              std::string::npos)
        << error;
    EXPECT_NE(error.find(": x/upgrade refuses its binary, which already has the handler of "
                         "upgrade \"" + std::string(kUpgradeName) + "\" that the chain has planned "
                         "but not executed yet (BINARY UPDATED BEFORE TRIGGER): segments[1] "
                         "\"early\" has that upgrade's binary before the plan height"),
              std::string::npos)
        << error;
  }

  static inline std::unique_ptr<std::string> setup_error_ = std::make_unique<std::string>();
  static inline e2e::TestHome* val_ = nullptr;
  static inline sdkchain::Localnet* net_ = nullptr;
  static inline pid_t run_ = -1;
  static inline int64_t plan_ = 0;
  static inline int64_t passed_ = 0;  // the block that passed the proposal (stored the plan)
};

TEST_F(WrongBinary, V053FromGenesisIsStoppedQuotingTheNodesAppHashComplaint) {
  Synced s = SyncFresh(Segment(1, "genesis", "genesis", "v0.53.7", sdkchain::Simd0537()), plan_ + 2);
  ASSERT_EQ(s.r.exit_code, 1) << s.all;
  std::string error = LineWith(s.r.err, "replayer: error:");
  ASSERT_FALSE(error.empty()) << s.all;
  std::printf("%s\n", error.c_str());
  EXPECT_NE(error.find("the node (segments[0] \"genesis\") refuses the chain's blocks"),
            std::string::npos)
      << error;
  // The node's own complaint, as the real simd printed it (CometBFT's block sync).
  EXPECT_NE(error.find("The node's own last error lines: [ERR "), std::string::npos) << error;
  EXPECT_NE(error.find("wrong Block.Header.AppHash"), std::string::npos) << error;
  EXPECT_EQ(s.current, "genesis");
}

TEST_F(WrongBinary, V050PastThePlanIsStoppedQuotingTheNodesUpgradeNeeded) {
  const std::string segments =
      Segment(1, "genesis", "genesis", "v0.50.15", sdkchain::Simd050()) + "," +
      Segment(plan_ + 5, "gov-plan", kUpgradeName, "v0.53.7", sdkchain::Simd0537());
  Synced s = SyncFresh(segments, plan_ + 8);
  ASSERT_EQ(s.r.exit_code, 1) << s.all;
  std::string error = LineWith(s.r.err, "replayer: error:");
  ASSERT_FALSE(error.empty()) << s.all;
  std::printf("%s\n", error.c_str());
  const std::string h = std::to_string(plan_);
  EXPECT_NE(error.find("the node (segments[0] \"genesis\") reports upgrade \"" +
                       std::string(kUpgradeName) + "\" at height " + h),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("schedule expects segments[1]"), std::string::npos) << error;
  // x/upgrade's own line, quoted from the node's output (in the order the node's lines came: its
  // panic, on stderr, may come before the ERR line on stdout).
  const size_t quoted = error.find("The node's own last error lines: [");
  ASSERT_NE(quoted, std::string::npos) << error;
  EXPECT_NE(error.find("ERR UPGRADE \"" + std::string(kUpgradeName) + "\" NEEDED at height: " + h +
                           ":",
                       quoted),
            std::string::npos)
      << error;
  EXPECT_EQ(s.current, "genesis") << "a refused plan must switch nothing";
}

TEST_F(WrongBinary, V050OnAHomePastThePlanIsStoppedQuotingWrongAppVersion) {
  const std::string genesis = Segment(1, "genesis", "genesis", "v0.50.15", sdkchain::Simd050());
  const std::string right =
      genesis + "," + Segment(plan_, "gov-plan", kUpgradeName, "v0.53.7", sdkchain::Simd0537());
  const std::string late =
      genesis + "," + Segment(plan_ + 5, "gov-plan", kUpgradeName, "v0.53.7", sdkchain::Simd0537());
  Synced s = SyncFresh(late, plan_ + 4, right, plan_ + 2, [](e2e::TestHome& f) {
    // `current` back at genesis, as a restored backup of the layout would have it.
    const std::string link = f.home() + "/cosmovisor/current";
    std::filesystem::remove(link);
    std::filesystem::create_directory_symlink("genesis", link);
  });
  ASSERT_EQ(s.r.exit_code, 1) << s.all;
  std::string error = LineWith(s.r.err, "replayer: error:");
  ASSERT_FALSE(error.empty()) << s.all;
  std::printf("%s\n", error.c_str());
  EXPECT_NE(error.find("the node (segments[0] \"genesis\")"), std::string::npos) << error;
  // x/upgrade's own refusal, quoted from the node's output.
  EXPECT_NE(error.find("The node's own last error lines: ["), std::string::npos) << error;
  EXPECT_NE(error.find("wrong app version 0, upgrade handler is missing for " +
                       std::string(kUpgradeName) + " upgrade plan"),
            std::string::npos)
      << error;
}

// Installed too early: a binary with the next upgrade's handler, switched in (a halt-height
// switch) after the proposal passed and before the plan height. x/upgrade's PreBlocker refuses
// the first block it is given.
TEST_F(WrongBinary, UpgradeHandlerBeforeThePlanIsStoppedQuotingBinaryUpdatedBeforeTrigger) {
  int64_t early = 0;
  std::string why = HeightBeforeTheTrigger(early);
  ASSERT_TRUE(why.empty()) << why;
  Synced s = SyncFresh(EarlySchedule(early, "v0.50.15-early", sdkchain::SimdEarlyHandler()),
                       plan_ + 2);
  ASSERT_EQ(s.r.exit_code, 1) << s.all;
  std::string error = LineWith(s.r.err, "replayer: error:");
  ASSERT_FALSE(error.empty()) << s.all;
  std::printf("%s\n", error.c_str());
  ExpectTheDiagnosis(error);
  EXPECT_NE(error.find("The node's own last error lines: ["), std::string::npos) << error;
  EXPECT_NE(error.find("BINARY UPDATED BEFORE TRIGGER! UPGRADE \"" + std::string(kUpgradeName) +
                       "\" - in binary but not executed on chain"),
            std::string::npos)
      << error;
  ExpectOnlyTheSwitchToEarly(s, early);
}

// Installed even earlier, before the proposal passed: the binary runs release 1's blocks (same
// modules, same app hashes) until the one after the pass, which x/upgrade refuses; in block sync
// CometBFT panics on it (`Failed to process committed block (H:...): BINARY UPDATED ...`).
TEST_F(WrongBinary, UpgradeHandlerBeforeTheProposalPassedIsStoppedAtTheBlockAfterThePass) {
  // The proposal was sent when the validator was at plan_ - 20; it passed in block passed_.
  const int64_t early = plan_ - 19;
  ASSERT_LE(early, passed_);
  Synced s = SyncFresh(EarlySchedule(early, "v0.50.15-early", sdkchain::SimdEarlyHandler()),
                       plan_ + 2);
  ASSERT_EQ(s.r.exit_code, 1) << s.all;
  std::string error = LineWith(s.r.err, "replayer: error:");
  ASSERT_FALSE(error.empty()) << s.all;
  std::printf("%s\n", error.c_str());
  ExpectTheDiagnosis(error);
  const std::string panic = "[panic: Failed to process committed block (";
  const size_t at = error.find(panic);
  ASSERT_NE(at, std::string::npos) << error;
  const int64_t refused = std::stoll(error.substr(at + panic.size()));
  EXPECT_NE(error.find("BINARY UPDATED BEFORE TRIGGER! UPGRADE \"" + std::string(kUpgradeName) +
                           "\" - in binary but not executed on chain",
                       at),
            std::string::npos)
      << error;
  // The refused block is the first whose state before it holds the plan.
  EXPECT_EQ(refused, passed_ + 1) << error;
  EXPECT_EQ(s.current, "upgrades/early");
  ASSERT_TRUE(s.stores.ok()) << s.stores.status().ToString();
  ASSERT_TRUE(s.stores->last_executed.has_value());
  EXPECT_EQ(*s.stores->last_executed, refused - 1);
}

// The same switch to the real v0.53.7: it adds the epochs store, so it cannot load release 1's
// stores before the upgrade's StoreUpgrades add it, and panics at start.
TEST_F(WrongBinary, V053BeforeThePlanIsStoppedQuotingTheStoreUpgradesPanic) {
  int64_t early = 0;
  std::string why = HeightBeforeTheTrigger(early);
  ASSERT_TRUE(why.empty()) << why;
  Synced s = SyncFresh(EarlySchedule(early, "v0.53.7", sdkchain::Simd0537()), plan_ + 2);
  ASSERT_EQ(s.r.exit_code, 1) << s.all;
  std::string error = LineWith(s.r.err, "replayer: error:");
  ASSERT_FALSE(error.empty()) << s.all;
  std::printf("%s\n", error.c_str());
  EXPECT_NE(error.find("the node (segments[1] \"early\") stopped with exit code 2: its binary "
                       "has a store \"epochs\" that the node's data does not, one an upgrade adds "
                       "at its plan (StoreUpgrades): segments[1] \"early\" has a later release's "
                       "binary before that upgrade's plan height"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("The node's own last error lines: ["), std::string::npos) << error;
  EXPECT_NE(error.find("version of store epochs mismatch root store's version; expected " +
                       std::to_string(early - 1) + " got 0; new stores should be added using "
                       "StoreUpgrades"),
            std::string::npos)
      << error;
  ExpectOnlyTheSwitchToEarly(s, early);
}

// In consensus, not block sync: `replayer sync` on the (stopped) validator's own home, past the
// plan, with `current` put back at genesis and a schedule whose plan comes later. v0.50.15 starts
// at the tip with no block to replay, proposes the next block as the only validator, and
// x/upgrade refuses it (`wrong app version 0, ...`); CometBFT logs CONSENSUS FAILURE and the
// process stays up making no blocks. Before, sync waited for it for ever.
TEST(WrongBinaryInConsensus, V050RestartedOnTheValidatorPastThePlanIsStoppedNotLeftHanging) {
  std::string missing = sdkchain::MissingBinaries();
  ASSERT_TRUE(missing.empty()) << missing;
  e2e::TestHome val;
  sdkchain::Localnet net(val);
  pid_t run = -1;
  int64_t plan = 0;
  std::string setup = ValidatorThroughThePlan(val, net, run, plan);
  if (run > 0) {
    kill(run, SIGTERM);
    (void)val.Wait(run, 60s);
  }
  ASSERT_TRUE(setup.empty()) << setup;
  const std::string link = val.home() + "/cosmovisor/current";
  std::filesystem::remove(link);
  std::filesystem::create_directory_symlink("genesis", link);
  const std::string plans = val.home() + "/../late.json";
  std::ofstream(plans) << R"({"format_version":1,"chain_id":"sdkchain-1","daemon_name":"simd",)"
                       << R"("segments":[)"
                       << Segment(1, "genesis", "genesis", "v0.50.15", sdkchain::Simd050()) << ","
                       << Segment(plan + 100, "gov-plan", kUpgradeName, "v0.53.7",
                                  sdkchain::Simd0537())
                       << "]}";
  e2e::RunResult r = val.Run({"sync", "--plans", plans, "--until", std::to_string(plan + 90),
                              "--progress-interval", "0", "--", "start", "--home", val.home(),
                              "--log_no_color"},
                             {}, 120s);
  std::string all = r.out + r.err;
  ASSERT_FALSE(r.timed_out) << "sync waited for a node that makes no blocks\n" << all;
  ASSERT_EQ(r.exit_code, 1) << all;
  std::string error = LineWith(r.err, "replayer: error:");
  std::printf("%s\n", error.c_str());
  EXPECT_NE(error.find("the node (segments[0] \"genesis\") stopped making blocks: \"ERR CONSENSUS "
                       "FAILURE!!!"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("wrong app version 0, upgrade handler is missing for " +
                       std::string(kUpgradeName) + " upgrade plan"),
            std::string::npos)
      << error;
  EXPECT_EQ(val.Current(), "genesis") << "nothing may be switched";
}

}  // namespace
