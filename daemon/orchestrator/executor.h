// SPDX-License-Identifier: Apache-2.0
// Runs a plan's steps under the journal: intent, do, done; undo in reverse on failure.
#pragma once

#include <cstdint>
#include <functional>

#include "daemon/host/host.h"
#include "daemon/model/operation.h"
#include "daemon/model/result.h"
#include "daemon/orchestrator/step.h"
#include "state/journal.h"

namespace daxd::orchestrator {

/// Called after each journaled change of an operation (state or step), for events.
using ProgressFn = std::function<void(Operation const&)>;

class Executor {
 public:
  Executor(host::Host& host, state::Journal& journal, ProgressFn progress)
      : host_(host), journal_(journal), progress_(std::move(progress)) {}

  /// Runs every step of operation `id` (already begun in the journal). Ends completed; or, when
  /// a step fails before the commit point, rolled back with the error (the original state is
  /// back); or failed when a step after the commit point or an undo fails (both errors kept).
  /// Errors: the failing step's error (the operation's final state says which case it was),
  /// io_error when the journal cannot be written.
  Result<Operation> execute(std::int64_t id, Plan const& plan);

  /// Finishes an operation interrupted by a crash: rolls forward from the first step not done
  /// when it passed its commit point, otherwise undoes every step that may have run, in
  /// reverse. Errors: as execute().
  Result<Operation> recover(std::int64_t id, Plan const& plan);

 private:
  Result<Operation> run_from(std::int64_t id, Plan const& plan, std::size_t first);
  Result<Operation> roll_back(std::int64_t id, Plan const& plan, std::size_t last, Error why);
  Result<Operation> finish(std::int64_t id, OperationState state, Error const* why);
  Result<nlohmann::json> load_data(std::int64_t id, std::size_t idx);
  void report(std::int64_t id);

  host::Host& host_;
  state::Journal& journal_;
  ProgressFn progress_;
};

}  // namespace daxd::orchestrator
