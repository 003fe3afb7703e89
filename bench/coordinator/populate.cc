#include "bench/coordinator/populate.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/job_spec.h"
#include "common/files.h"
#include "common/status.h"
#include "coordinator/job_store.h"

namespace tandem::bench {
namespace {

using v1::JobInfo;
using v1::JobSpec;

// 64 hex digits, different per (job, what).
std::string FakeSha(int job, const std::string& what) {
  return Sha256Hex(absl::StrCat(job, "/", what));
}

// The demo job (examples/demo.yaml) with defaults filled in, on uploaded files, as
// SubmitJob stores it.
JobSpec Spec(int job, int per_job, bool endless) {
  JobSpec spec;
  spec.set_name(absl::StrCat("en-es-", job % 37 == 0 ? "big-" : "", job));
  auto& c = *spec.mutable_corpus();
  const std::string uploads = "/var/lib/tandem/coordinator/uploads/";
  c.set_train_source(uploads + FakeSha(job, "train.en"));
  c.set_train_target(uploads + FakeSha(job, "train.es"));
  c.set_valid_source(uploads + FakeSha(job, "valid.en"));
  c.set_valid_target(uploads + FakeSha(job, "valid.es"));
  c.set_source_lang("en");
  c.set_target_lang("es");
  c.set_max_words(50);
  spec.mutable_tokenizer()->set_vocab_size(4000);
  spec.mutable_model()->set_embedding_dim(128);
  spec.mutable_model()->set_hidden_dim(128);
  auto& t = *spec.mutable_training();
  t.set_batch_tokens(2048);
  t.set_max_steps(endless ? 100'000'000 : 800);
  t.set_learning_rate(0.002f);
  t.set_warmup_steps(50);
  t.set_lr_schedule("inverse_sqrt");
  t.set_validation_interval_steps(200);
  t.set_checkpoint_interval_steps(100);
  t.set_seed(static_cast<uint64_t>(job));
  spec.mutable_workers()->set_min(static_cast<uint32_t>(per_job));
  spec.mutable_workers()->set_max(static_cast<uint32_t>(per_job));
  ApplyDefaults(spec);
  return spec;
}

// What preparation leaves on a job: the report, `shards` shards and the artifacts.
void Prepare(JobInfo& job, int n, int shards) {
  auto& r = *job.mutable_preparation();
  r.set_input_pairs(10000);
  r.set_kept_pairs(9876);
  r.set_dropped_empty(12);
  r.set_dropped_too_long(112);
  r.set_valid_pairs(500);
  r.set_source_vocab(4000);
  r.set_target_vocab(4000);
  r.set_num_shards(static_cast<uint32_t>(shards));
  for (int s = 0; s < shards; ++s) {
    auto& shard = *job.add_shards();
    shard.set_index(static_cast<uint32_t>(s));
    shard.set_first_line(static_cast<uint64_t>(s) * 9876 / shards);
    shard.set_num_lines(9876 / shards);
    shard.set_bytes(600'000 / shards);
    shard.set_sha256(FakeSha(n, absl::StrCat("shard", s)));
  }
  for (const char* name : {"source.model", "target.model", "valid.tsv"}) {
    (*job.mutable_artifacts())[name] = FakeSha(n, name);
  }
  job.set_state(v1::JOB_STATE_WAITING_FOR_WORKERS);
  job.set_message("waiting for workers");
}

// A job's run with `workers` ranks, as the coordinator records it: assignments, then the
// merged progress of the ranks when it ends.
void Run(JobInfo& job, int n, int workers) {
  job.set_generation(1);
  job.set_state(v1::JOB_STATE_RUNNING);
  job.set_message(absl::StrCat("generation 1: ", workers, " workers fetching their shards"));
  for (int rank = 0; rank < workers; ++rank) {
    auto& a = *job.add_assignments();
    a.set_worker_id(absl::StrFormat("w-%06d", 2 * n + rank));
    a.set_rank(static_cast<uint32_t>(rank));
    a.set_address(absl::StrCat("10.0.", rank, ".7:7500"));
    a.add_streams(static_cast<uint32_t>(rank));
    a.add_shards(static_cast<uint32_t>(rank));
    a.set_ready(true);
  }
}

void End(JobInfo& job, int n, v1::JobState state) {
  auto& p = *job.mutable_progress();
  const uint64_t step = state == v1::JOB_STATE_SUCCEEDED ? 800 : 317;
  p.set_step(step);
  p.set_epoch(3);
  p.set_loss(2.71f);
  p.set_tokens_per_second(5123.5f);
  p.set_valid_loss(3.1f);
  p.set_valid_bleu(17.3f);
  p.set_best_valid_bleu(17.9f);
  p.set_valid_step(step / 200 * 200);
  p.set_learning_rate(0.0011f);
  p.set_started_unix_ms(job.created_unix_ms() + 5000);
  for (const auto& a : job.assignments()) {
    (*p.mutable_worker_tokens_per_second())[a.worker_id()] = 2561.7f;
    (*p.mutable_worker_checksum())[a.worker_id()] = 0x9e3779b97f4a7c15ULL;
    (*p.mutable_worker_step())[a.worker_id()] = step;
    (*p.mutable_worker_compute_ms())[a.worker_id()] = 201.5f;
    (*p.mutable_worker_wait_ms())[a.worker_id()] = 12.25f;
  }
  p.set_straggler_ms(3.5f);
  p.set_straggler_worker(job.assignments(0).worker_id());
  p.set_checkpoint_step(step / 100 * 100);
  (*job.mutable_artifacts())["checkpoint"] = FakeSha(n, "checkpoint");
  job.clear_assignments();
  job.set_state(state);
  if (state == v1::JOB_STATE_SUCCEEDED) {
    p.set_model_ready(true);
    job.set_message("trained 800 steps; validation BLEU 17.30 (best 17.90)");
  } else {
    job.set_message(absl::StrCat("rank 1 (w-", n, "): out of memory allocating 123456789 bytes"));
  }
}

}  // namespace

absl::Status Populate(const PopulateOptions& o) {
  TANDEM_ASSIGN_OR_RETURN(auto store, JobStore::Open(o.db_path, {}));
  const int ended = o.jobs - o.waiting;
  for (int n = 1; n <= o.jobs; ++n) {
    const bool waiting = n > ended;
    // Submitted a minute apart, the newest a minute ago.
    const int64_t created = o.now_ms - int64_t{60'000} * (o.jobs - n + 1);
    JobSpec spec = Spec(n, waiting ? o.per_job : 2, waiting);
    TANDEM_ASSIGN_OR_RETURN(std::string id, store->CreateJob(spec, created));
    TANDEM_ASSIGN_OR_RETURN(JobInfo job, store->GetJob(id));
    if (!waiting && n % 20 == 0) {  // cancelled before it was prepared
      job.set_state(v1::JOB_STATE_CANCELLED);
      job.set_message("cancelled by the user");
      TANDEM_RETURN_IF_ERROR(store->UpdateJob(job, {}, created + 1000));
      continue;
    }
    job.set_state(v1::JOB_STATE_PREPARING);
    TANDEM_RETURN_IF_ERROR(store->UpdateJob(job, {}, created + 100));
    Prepare(job, n, waiting ? o.per_job : 8);
    job.set_waiting_since_unix_ms(created + 3000);
    TANDEM_RETURN_IF_ERROR(store->UpdateJob(
        job, {{"prepared", "9876 of 10000 pairs kept, vocabularies 4000/4000, 8 shards"}},
        created + 3000));
    if (waiting) continue;
    Run(job, n, 2);
    job.set_waiting_since_unix_ms(0);
    TANDEM_RETURN_IF_ERROR(store->UpdateJob(
        job, {{"assigned", "generation 1 (workers available): 2 ranks"}}, created + 3100));
    End(job, n, n % 7 == 0 ? v1::JOB_STATE_FAILED : v1::JOB_STATE_SUCCEEDED);
    TANDEM_RETURN_IF_ERROR(store->UpdateJob(job, {}, created + 50'000));
  }
  return absl::OkStatus();
}

}  // namespace tandem::bench
