#include "coordinator/preparation.h"

#include <chrono>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "coordinator/job_paths.h"
#include "data/preparer.h"

namespace tandem {

using tandem::v1::JobInfo;

bool Preparation::Start(JobInfo job) {
  if (job.state() == v1::JOB_STATE_QUEUED) {
    job.set_state(v1::JOB_STATE_PREPARING);
    job.set_message("validating the corpus, training the tokenizer, cutting shards");
    absl::Status s = store_->UpdateJob(job, {}, now_ms_());
    if (!s.ok()) {
      TANDEM_LOG(ERROR) << "job " << job.id() << ": " << s;
      return false;
    }
  }
  preparing_ = true;
  // The previous preparation has recorded its outcome (preparing_ was false): it is ending.
  if (thread_.joinable()) thread_.join();
  thread_ = std::thread([this, job] { Run(job); });
  return true;
}

void Preparation::Join() {
  std::thread thread;
  {
    absl::MutexLock lock(mu_);
    thread = std::move(thread_);
  }
  if (thread.joinable()) thread.join();
}

void Preparation::Run(JobInfo job) {
  TANDEM_LOG(INFO) << "preparing job " << job.id();
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<PreparedJob> prepared =
      PrepareJob(job.spec(), JobDir(data_dir_, job.id()),
                 {job.auto_sized().begin(), job.auto_sized().end()});
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
  absl::MutexLock lock(mu_);
  preparing_ = false;
  auto current = store_->GetJob(job.id());
  if (!current.ok() || current->state() != v1::JOB_STATE_PREPARING) return;  // cancelled
  JobInfo updated = *current;
  std::vector<EventDraft> events;
  if (!prepared.ok()) {
    updated.set_state(v1::JOB_STATE_FAILED);
    updated.set_message(absl::StrCat("preparation failed: ", prepared.status().message()));
  } else {
    *updated.mutable_preparation() = prepared->report;
    *updated.mutable_spec() = prepared->spec;  // with the sizing chosen from the corpus
    updated.clear_shards();
    for (const auto& s : prepared->shards) *updated.add_shards() = s;
    updated.clear_artifacts();
    for (const auto& [name, sha] : prepared->artifacts) (*updated.mutable_artifacts())[name] = sha;
    const auto& r = prepared->report;
    events.push_back(
        {"prepared", absl::StrCat(r.kept_pairs(), " of ", r.input_pairs(), " pairs kept (dropped: ",
                                  r.dropped_empty(), " empty, ", r.dropped_too_long(),
                                  " too long; ", r.crlf_stripped(), " CRLF lines fixed), ",
                                  r.valid_pairs(), " validation pairs, vocabularies ",
                                  r.source_vocab(), "/", r.target_vocab(), ", ", r.num_shards(),
                                  " shards, in ", absl::StrFormat("%.1f", seconds.count()), " s")});
    if (!r.chosen().empty()) {
      events.push_back({"sized", absl::StrCat("chosen from the corpus: ",
                                              absl::StrJoin(r.chosen(), "; "))});
    }
    updated.set_state(v1::JOB_STATE_WAITING_FOR_WORKERS);
    updated.set_message("waiting for workers");
    updated.set_waiting_since_unix_ms(now_ms_());
  }
  absl::Status s = store_->UpdateJob(updated, events, now_ms_());
  if (!s.ok()) TANDEM_LOG(ERROR) << "job " << job.id() << ": " << s;
}

}  // namespace tandem
