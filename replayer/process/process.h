// The process seam for the rooms of replayer/: process::ProcessLauncher and its helpers
// (process/process.h, below binary-registry, which probes versions through it) under the names
// the rooms use. Nothing is defined here.
#pragma once

#include "process/process.h"

namespace replayer {

using process::CapturedRun;
using process::ExitInfo;
using process::kHookStopGrace;
using process::PosixProcessLauncher;
using process::ProcessLauncher;
using process::RunCaptured;
using process::RunToCompletion;
using process::SpawnedProcess;
using process::SpawnOptions;

}  // namespace replayer
