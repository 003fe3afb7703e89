// The job lifecycle subcommands of `tandem`: delete and logs.
#include <chrono>
#include <optional>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/command_context.h"
#include "client/commands.h"
#include "client/render.h"
#include "common/job_states.h"

namespace tandem::cli {

int RunDelete(const ParsedArgs& a, Context& ctx) {
  if (a.positional.empty()) {
    return Fail(ctx, absl::InvalidArgumentError("usage: tandem delete JOB_ID..."));
  }
  // Each job on its own: one that cannot be deleted is reported, the others still go.
  int exit_code = kExitOk;
  std::vector<v1::DeleteJobResponse> deleted;
  for (const std::string& id : a.positional) {
    absl::StatusOr<uint64_t> freed = ctx.client->Delete(id);
    if (!freed.ok()) {
      exit_code = Fail(ctx, absl::Status(freed.status().code(),
                                         absl::StrCat(id, ": ", freed.status().message())));
      continue;
    }
    if (!ctx.json) {
      *ctx.out << id << " deleted ("
               << absl::StrFormat("%.1f MiB", static_cast<double>(*freed) / (1 << 20))
               << " freed)\n";
    }
    v1::DeleteJobResponse r;
    r.set_job_id(id);
    r.set_freed_bytes(*freed);
    deleted.push_back(r);
  }
  if (ctx.json) *ctx.out << JsonArray(deleted) << "\n";
  return exit_code;
}

namespace {

void PrintLogLines(Context& ctx, const v1::GetLogsResponse& page) {
  for (const v1::LogLine& l : page.lines()) {
    if (ctx.json) {
      *ctx.out << JsonObject(l) << "\n";  // --follow: JSON Lines, one line object each
    } else {
      *ctx.out << "[r" << l.rank() << " " << l.worker_id() << "] " << l.text() << "\n";
    }
  }
  ctx.out->flush();
}

}  // namespace

int RunLogs(const ParsedArgs& a, Context& ctx) {
  if (a.positional.size() != 1) {
    return Fail(ctx, absl::InvalidArgumentError("usage: tandem logs JOB_ID [--rank N] [--follow]"));
  }
  const std::string id = a.positional[0];
  std::optional<uint32_t> rank;
  if (a.Has("rank")) {
    uint32_t r = 0;
    if (!absl::SimpleAtoi(a.Get("rank"), &r) || r > 1023) {
      return Fail(ctx, absl::InvalidArgumentError(
                           absl::StrCat("--rank: '", a.Get("rank"), "' is not a rank (0 to 1023)")));
    }
    rank = r;
  }
  const bool follow = a.Has("follow");
  uint64_t offset = 0;
  std::vector<v1::LogLine> all;  // without --follow and with --json: one array at the end
  while (true) {
    absl::StatusOr<v1::GetLogsResponse> page = ctx.client->Logs(id, rank, offset);
    if (!page.ok()) return Fail(ctx, page.status());
    offset = page->next_offset();
    if (follow || !ctx.json) {
      PrintLogLines(ctx, *page);
    } else {
      all.insert(all.end(), page->lines().begin(), page->lines().end());
    }
    if (page->more()) continue;
    if (!follow) break;
    // Caught up: stop once the job has ended and its last lines are read.
    absl::StatusOr<v1::JobInfo> job = ctx.client->Get(id);
    if (!job.ok()) return Fail(ctx, job.status());
    if (IsTerminal(job->state())) {
      // Workers send their last lines with their next heartbeat: wait for two of them.
      std::this_thread::sleep_for(std::chrono::milliseconds(1200));
      absl::StatusOr<v1::GetLogsResponse> last = ctx.client->Logs(id, rank, offset);
      if (!last.ok()) return Fail(ctx, last.status());
      PrintLogLines(ctx, *last);
      if (!last->more()) return ExitForState(job->state());
      offset = last->next_offset();
      continue;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  if (ctx.json) *ctx.out << JsonArray(all) << "\n";
  return kExitOk;
}

}  // namespace tandem::cli
