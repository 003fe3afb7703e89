// A job's lifecycle with a real coordinator, a real worker and the `tandem` CLI as processes
// on 127.0.0.1: a time budget that ends training with a model, the worker's log lines read
// back through the coordinator, an idempotent named submit, labels, and delete.
#include <string>
#include <vector>

#include "client/job_client.h"
#include "common/files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cluster/cluster_fixture.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::ChildProcess;
using testing::WaitFor;
using LifecycleClusterTest = testing::ClusterFixture;

// Runs `tandem ARGS --coordinator ADDRESS`; returns its exit code, stdout and stderr.
struct CliRun {
  int code = -1;
  std::string out, err;
};

TEST_F(LifecycleClusterTest, TimeBudgetLogsLabelsIdempotentSubmitAndDelete) {
  auto cli = [&](std::vector<std::string> args) {
    static int n = 0;
    const std::string out = dir_.Join("cli" + std::to_string(++n) + ".out");
    const std::string err = dir_.Join("cli" + std::to_string(n) + ".err");
    args.insert(args.begin(), testing::BinDir() + "/tandem");
    args.push_back("--coordinator");
    args.push_back(address_);
    ChildProcess p(args, out, err);
    CliRun r;
    r.code = p.Wait(std::chrono::seconds(60));
    r.out = testing::ReadText(out);
    r.err = testing::ReadText(err);
    return r;
  };
  auto w = StartWorker("cache1");
  // A job with a step limit far away and a 4 s budget: it ends on time, with a final model,
  // and its linear schedule decays to 0 where the budget runs out.
  const std::vector<std::string> submit = {
      "submit", "--source", dir_.Join("train.en"), "--target", dir_.Join("train.es"),
      "--name", "budget", "--set", "training.lr_schedule=linear", "--set",
      "tokenizer.vocab_size=40", "--set", "model.embedding_dim=16", "--set",
      "model.hidden_dim=16", "--set", "training.batch_tokens=300", "--max_steps", "1000000",
      "--max_duration", "4s", "--label", "team=nlp", "--label", "exp=budget"};
  CliRun first = cli(submit);
  ASSERT_EQ(first.code, 0) << first.err;
  const std::string id = first.out.substr(0, first.out.find('\n'));
  ASSERT_FALSE(id.empty());
  CliRun again = cli(submit);
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(again.out, first.out) << "the same name and spec: the same job";
  EXPECT_THAT(again.err, HasSubstr("already submitted as " + id));
  std::vector<std::string> changed = submit;
  changed[changed.size() - 5] = "5s";  // --max_duration
  CliRun conflict = cli(changed);
  EXPECT_EQ(conflict.code, 2) << conflict.err;
  EXPECT_THAT(conflict.err, HasSubstr("'budget' is taken by job " + id));

  CliRun watched = cli({"watch", id, "--timeout", "120"});
  ASSERT_EQ(watched.code, 0) << watched.out << watched.err;
  ASSERT_OK_AND_ASSIGN(v1::JobInfo job, client_->Get(id));
  EXPECT_EQ(job.state(), v1::JOB_STATE_SUCCEEDED);
  EXPECT_THAT(job.message(), HasSubstr("training.max_duration 4s reached"));
  EXPECT_TRUE(job.progress().model_ready());
  EXPECT_GT(job.progress().step(), 0u);
  EXPECT_LT(job.progress().step(), 1000000u);
  EXPECT_GT(job.deadline_unix_ms(), job.created_unix_ms());
  // The ranks' estimate of the last step was near the real one, and the last step's learning
  // rate near 0 (a pace that varies moves the estimate: the bounds are loose).
  EXPECT_GT(job.progress().planned_steps(), job.progress().step() / 2);
  EXPECT_LT(job.progress().planned_steps(), job.progress().step() * 2);
  EXPECT_LT(job.progress().learning_rate(), 0.5 * job.spec().training().learning_rate());
  EXPECT_THAT(cli({"status", id}).out, HasSubstr("steps in all at the measured pace"));

  // The worker's lines, through the coordinator, with its rank.
  CliRun logs;
  ASSERT_TRUE(WaitFor(
      [&] {
        logs = cli({"logs", id, "--rank", "0"});
        return logs.out.find("training.max_duration reached") != std::string::npos;
      },
      std::chrono::seconds(10)))
      << logs.out << logs.err;
  EXPECT_THAT(logs.out, HasSubstr("[r0 w-"));
  EXPECT_THAT(logs.out, HasSubstr("training from step 0"));
  CliRun followed = cli({"logs", id, "--follow"});
  EXPECT_EQ(followed.code, 0) << followed.err;  // the job ended: follow stops by itself
  EXPECT_EQ(followed.out, cli({"logs", id}).out);

  // Labels filter the list; status shows them.
  EXPECT_THAT(cli({"list", "--label", "team=nlp"}).out, HasSubstr(id));
  EXPECT_THAT(cli({"list", "--label", "team=mt"}).out, Not(HasSubstr(id)));
  EXPECT_THAT(cli({"status", id}).out, HasSubstr("Labels:       exp=budget, team=nlp"));

  // Delete: the job and its files are gone, the name is free again.
  ASSERT_TRUE(PathExists(dir_.Join("coord/jobs/" + id)));
  CliRun deleted = cli({"delete", id});
  ASSERT_EQ(deleted.code, 0) << deleted.err;
  EXPECT_THAT(deleted.out, HasSubstr(id + " deleted ("));
  EXPECT_FALSE(PathExists(dir_.Join("coord/jobs/" + id)));
  EXPECT_EQ(cli({"status", id}).code, 4);
  EXPECT_EQ(cli({"delete", id}).code, 4);
}

}  // namespace
}  // namespace tandem
