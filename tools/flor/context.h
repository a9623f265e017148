// What several subcommands need: the store root, the repository, experiment
// names and run references, and a few display helpers.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "args.h"
#include "git/repo.h"
#include "report/table.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/format.h"
#include "util/status.h"

namespace flor::cli {

// FLOR_HOME, else ~/.flor, as an absolute path.
std::string flor_home();

// --format table|csv|json of the listing commands (ls, log, diff, show, sweep),
// with the command's help for it.
inline constexpr const char* kFormatName = "--format";
constexpr OptionSpec format_option(const char* help) { return {kFormatName, nullptr, "table|csv|json", help}; }
// Its value; table when it is absent.
Result<report::Format> format_value(const Args& args);

// --kill-after SECONDS of `flor run` and `flor replay` (sched::kDefaultKillAfter
// when absent): a number in [0, 86400].
inline constexpr const char* kKillAfterName = "--kill-after";
constexpr OptionSpec kill_after_option(const char* help) { return {kKillAfterName, nullptr, "S", help}; }
Result<std::chrono::milliseconds> kill_after_value(const std::string& command, const Args& args);

// --ckpt-url s3://bucket/prefix of `flor run` and `flor replay` (else
// FLOR_CKPT_URL; empty: none), checked with the AWS_* variables it needs.
inline constexpr const char* kCkptUrlName = "--ckpt-url";
constexpr OptionSpec ckpt_url_option(const char* help) { return {kCkptUrlName, nullptr, "URL", help}; }
Result<std::string> ckpt_url_value(const std::string& command, const Args& args);

// The repository containing the current directory.
Result<git::Repo> open_repo();

// An experiment that exists (has a flor.db): unlike Store::open, never creates one.
Result<std::unique_ptr<store::Store>> open_experiment(const std::string& home, const std::string& name);

// The experiment name given, else the last one used in the current repository.
Result<std::string> name_or_last(const std::optional<std::string>& given);

// A run within an experiment: "" is the newest record, digits are a run id, anything
// else a prefix of the run's shadow-branch commit.
Result<store::Run> find_run(store::Store& store, const std::string& ref);

// RUN on the command line: NAME (its newest record), NAME:REF, or a run id
// alone (digits): that run of the experiment last used in this repository
// (`flor diff 1 2`). NAME: is the newest record of a NAME made of digits.
struct RunSpec {
  std::string name;
  std::string ref;
};
Result<RunSpec> parse_run_spec(const std::string& text);

// The current directory relative to the work tree ("" at its root): where a
// run's command was started, so a replay can start it there again.
std::string cwd_in_repo(const git::Repo& repo);

std::string log_path(const store::Store& store, int64_t run);  // FLOR_HOME/NAME/logs/run-<id>.out
std::string short_id(const std::string& vid);                  // first 10 hex digits
bool stdout_is_tty();

}  // namespace flor::cli
