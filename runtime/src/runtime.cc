// Start-up and end of a flor run: mode from the environment contract or the
// command line, run rows, thread pinning, generator state, and the atexit end.
#include "runtime.h"

#include <sqlite3.h>
#include "warn.h"
#include <ATen/CPUGeneratorImpl.h>
#include <torch/version.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "device.h"
#include "flor/version.h"
#include "rng.h"
#include "test_fault.h"
#include "threads.h"

namespace flor::rt {
namespace {

void finish_at_exit() {
  int code = Runtime::get().finish();
  if (code != 0) {
    std::fflush(nullptr);
    std::_Exit(code);
  }
}

constexpr const char* kAnyName = "\x01";  // replay without a name: found later

// The environment as the contract reads it. Without FLOR_MODE, flor's flags
// stand for it (--flor NAME: record NAME; --replay_flor: replay), and the
// other variables (FLOR_HOME, FLOR_PROBE, FLOR_EPS, ...) still apply.
EnvLookup flag_env(const FlorFlags& flags) {
  EnvLookup base = process_env();
  const char* mode = std::getenv(kEnvMode);
  if ((mode && *mode) || (!flags.replay && !flags.record_name)) return base;
  std::string flag_mode = flags.replay ? "replay" : "record";
  std::string flag_name = flags.record_name.value_or("");
  return [base, flag_mode, flag_name](const char* var) -> std::optional<std::string> {
    if (std::strcmp(var, kEnvMode) == 0) return flag_mode;
    if (std::strcmp(var, kEnvName) == 0) {
      if (!flag_name.empty()) return flag_name;
      auto v = base(var);
      return v && !v->empty() ? *v : std::string(kAnyName);
    }
    return base(var);
  };
}

bool has_flor_flag(const std::vector<std::string>& args) {
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--flor" || args[i] == "--replay_flor") return true;
  }
  return false;
}

// Starts the runtime while the shared library loads, before main() and any
// user code draws random numbers, whenever flor is asked for.
struct EarlyStart {
  EarlyStart() {
    const char* mode = std::getenv(kEnvMode);
    if ((mode && *mode) || has_flor_flag(process_args())) Runtime::get();
  }
} early_start;

}  // namespace

Runtime& Runtime::get() {
  static Runtime* runtime = new Runtime();  // never destroyed: finished by finish_at_exit
  return *runtime;
}

Runtime::Runtime() {
  args_ = process_args();
  if (Status s = start(); !s.ok()) fatal(s);
}

Status Runtime::start() {
  FLOR_ASSIGN_OR_RETURN(FlorFlags flags, take_flor_flags(args_));
  FLOR_ASSIGN_OR_RETURN(contract_, read_contract(flag_env(flags)));
  if (contract_.mode == Mode::kOff) return Status();
  // Captured before anything else can draw (record stores it; replay replaces it).
  const std::string start_rng = cpu_rng_bytes();
  apply_cuda_determinism();  // before user code initialises CUDA (device.h)
  if (contract_.mode == Mode::kRecord) {
    FLOR_RETURN_IF_ERROR(start_record(flags));
    FLOR_RETURN_IF_ERROR(store_->put_blob(run_, "rng/start", start_rng));
  } else {
    FLOR_RETURN_IF_ERROR(start_replay(flags));
  }
  // The driver created the run as its own; from here this process writes it.
  if (contract_.run_id) FLOR_RETURN_IF_ERROR(store_->set_run_process(run_, store::this_process()));
  log_writer_ = std::make_unique<LogWriter>(store_.get(), contract_.log_memory_mb << 20,
                                            contract_.mode == Mode::kRecord ? env_or(Env::posix()) : Env::posix());
  std::atexit(finish_at_exit);
  return Status();
}

Status Runtime::start_record(const FlorFlags& flags) {
  if (flags.eps) contract_.eps = *flags.eps;
  FLOR_ASSIGN_OR_RETURN(store_, store::Store::open(contract_.home, contract_.name, store::OpenMode::kCreate,
                                                   env_or(nullptr)));
  if (contract_.run_id) {
    run_ = *contract_.run_id;
    FLOR_RETURN_IF_ERROR(store_->run(run_).status());
  } else {
    store::Run run;
    run.name = contract_.name;
    run.vid = contract_.vid;
    run.command = args_;
    FLOR_ASSIGN_OR_RETURN(run_, store_->create_run(run));
  }
  record_ = run_;
  if (contract_.threads) pin_threads(*contract_.threads, 0);
  mode_ = RunMode::kRecord;
  std::unique_ptr<Uploader> uploader;
  if (!contract_.ckpt_url.empty()) {
    FLOR_ASSIGN_OR_RETURN(objstore::S3Config config, objstore::s3_config(contract_.ckpt_url, process_env()));
    uploader = std::make_unique<Uploader>(std::move(config), store_->dir(), contract_.name,
                                          contract_.ckpt_backlog_mb << 20);
  }
  recorder_ = std::make_unique<Recorder>(store_.get(), run_, contract_.eps, std::move(uploader), [this] {
    if (log_writer_) log_writer_->settle();
  });
  return write_info(run_, [&](store::RunInfo& info) { info.eps = contract_.eps; });
}

Result<std::string> Runtime::replay_name() const {
  if (contract_.name != kAnyName) return contract_.name;
  // The experiment with the newest record under FLOR_HOME.
  FLOR_ASSIGN_OR_RETURN(auto experiments, store::Store::list(contract_.home));
  std::string best;
  double newest = -1;
  for (const auto& e : experiments) {
    auto s = store::Store::open(contract_.home, e.name, store::OpenMode::kExisting);
    if (!s.ok()) continue;
    auto r = (*s)->latest_record();
    if (r.ok() && r->started > newest) newest = r->started, best = e.name;
  }
  if (best.empty()) {
    return not_found("--replay_flor: no recorded experiment under " + contract_.home +
                     ": record one first with --flor NAME");
  }
  return best;
}

Status Runtime::start_replay(const FlorFlags& flags) {
  if (std::getenv(kEnvMode) == nullptr) {
    if (flags.init) contract_.init = *flags.init;
    if (flags.segment) contract_.segment = *flags.segment;
  }
  FLOR_ASSIGN_OR_RETURN(contract_.name, replay_name());
  FLOR_ASSIGN_OR_RETURN(store_, store::Store::open(contract_.home, contract_.name, store::OpenMode::kExisting));
  if (contract_.replay_of) {
    FLOR_ASSIGN_OR_RETURN(store::Run rec, store_->run(*contract_.replay_of));
    record_ = rec.id;
  } else {
    FLOR_ASSIGN_OR_RETURN(store::Run rec, store_->latest_record());
    record_ = rec.id;
  }
  FLOR_ASSIGN_OR_RETURN(recorded_args_, store_->args(record_));
  FLOR_ASSIGN_OR_RETURN(store::Run rec, store_->run(record_));
  if (contract_.run_id) {
    run_ = *contract_.run_id;
  } else {
    store::Run run;
    run.name = contract_.name;
    run.kind = store::RunKind::kReplay;
    run.parent = record_;
    run.vid = contract_.vid;
    run.command = args_;
    FLOR_ASSIGN_OR_RETURN(run_, store_->create_run(run));
  }
  // The generator state the record started with: LibTorch seeds randomly.
  if (auto bytes = store_->blob(record_, "rng/start"); bytes.ok()) {
    FLOR_RETURN_IF_ERROR(set_cpu_rng_bytes(*bytes));
  }
  // The record's thread counts, unless FLOR_THREADS says otherwise (warned).
  const int torch_threads = rec.info.threads ? rec.info.threads->torch : 0;
  const int blas_threads = rec.info.threads ? rec.info.threads->openblas : 0;
  if (contract_.threads && torch_threads > 0 && *contract_.threads != torch_threads) {
    warnings().warn("flor: warning: replay uses {} torch threads, the record used {}: results may differ in the last bits",
                 *contract_.threads, torch_threads);
  }
  pin_threads(contract_.threads.value_or(torch_threads), blas_threads);
  FLOR_ASSIGN_OR_RETURN(replayer_, Replayer::open(store_.get(), run_, record_, contract_));
  mode_ = RunMode::kReplay;
  const auto& seg = replayer_->segment();
  return write_info(run_, [&](store::RunInfo& info) {
    info.segment = contract_.segment;
    info.init = replayer_->init();
    info.epochs = EpochRange{seg.first, seg.last};
  });
}

Status Runtime::write_info(int64_t run, const std::function<void(store::RunInfo&)>& fill) {
  FLOR_ASSIGN_OR_RETURN(store::Run r, store_->run(run));
  store::RunInfo& info = r.info;
  ThreadCounts t = current_threads();
  info.threads = store::RunThreads{t.torch, t.interop, t.blas};
  info.seed = std::to_string(at::detail::getDefaultCPUGenerator().current_seed());
  info.versions = store::RunVersions{FLOR_VERSION_STRING, TORCH_VERSION, sqlite3_libversion()};
  info.command = args_;
  info.pid = static_cast<int64_t>(getpid());
  fill(info);
  return store_->set_run_info(run, info);
}

void Runtime::strip_argv(int& argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  if (!take_flor_flags(args).ok()) return;  // reported at start-up
  // `args` is a subsequence of argv: keep those pointers, in order.
  int out = 0;
  for (int i = 0; i < argc && static_cast<size_t>(out) < args.size(); ++i) {
    if (args[static_cast<size_t>(out)] == argv[i]) argv[out++] = argv[i];
  }
  argc = out;
  argv[argc] = nullptr;
}

std::optional<std::string> Runtime::arg_given(std::string_view name) const {
  if (auto v = find_flag(args_, name)) return v;
  if (const char* env = std::getenv(("FLOR_ARG_" + std::string(name)).c_str())) return std::string(env);
  return std::nullopt;
}

std::optional<std::string> Runtime::arg_recorded(std::string_view name) const {
  if (mode_ != RunMode::kReplay) return std::nullopt;
  auto it = recorded_args_.find(std::string(name));
  if (it == recorded_args_.end()) return std::nullopt;
  return it->second;
}

void Runtime::arg_use(std::string_view name, const std::string& value, const std::optional<std::string>& given) {
  const std::string key(name);
  if (mode_ == RunMode::kReplay) {
    auto it = recorded_args_.find(key);
    if (it != recorded_args_.end() && given && *given != it->second) {
      fatal(invalid_argument("replay of run " + std::to_string(record_) + ": --" + key + " was recorded as " +
                             it->second + " but this command line asks for " + *given +
                             ". Replay does not rewrite history: drop --" + key + " (or pass the recorded "
                             "value), or record a new run with the new value"));
    }
    return;
  }
  if (mode_ == RunMode::kRecord) {
    if (Status s = store_->put_args(run_, {{key, value}}); !s.ok()) warnings().warn("flor: warning: {}", s.to_string());
  }
}

void Runtime::flush_logs(const std::optional<store::EpochRow>& epoch) {
  if (log_writer_) log_writer_->commit(epoch, logs_);
}

int Runtime::finish() {
  if (finished_ || mode_ == RunMode::kOff) return 0;
  finished_ = true;
  const RunMode mode = mode_;
  mode_ = RunMode::kOff;  // later API calls pass through
  int code = 0;
  if (recorder_) recorder_->finish();
  flush_logs(std::nullopt);
  std::optional<int64_t> logs_lost;
  store::RunStatus status = store::RunStatus::kComplete;
  // Logs the store never took make the run failed; the exit status stays the program's.
  const std::optional<LogWriter::Loss> loss = log_writer_->finish();
  if (loss) {
    status = store::RunStatus::kFailed;
    logs_lost = loss->logs;
  }
  if (mode == RunMode::kReplay && replayer_->divergences() > 0) {
    const auto& d = *replayer_->first_divergence();
    std::fprintf(stderr,
                 "flor: replay of run %lld diverged from the record: %lld logged value(s) differ; first at epoch "
                 "%lld, step %lld, '%s' (%s): recorded %s, replayed %s\n",
                 static_cast<long long>(record_), static_cast<long long>(replayer_->divergences()),
                 static_cast<long long>(d.epoch), static_cast<long long>(d.step), d.name.c_str(), d.loc.c_str(),
                 d.recorded.empty() ? "<nothing>" : d.recorded.c_str(), d.replayed.c_str());
    if (!contract_.tolerate_divergence) {
      code = kExitDivergence;
      status = store::RunStatus::kFailed;
    }
  }
  Status info = write_info(run_, [&](store::RunInfo& i) {
    if (logs_lost) i.logs_not_stored = logs_lost;
    if (recorder_) i.checkpoints = recorder_->checkpoints_taken();
    if (replayer_) i.divergences = replayer_->divergences();
  });
  const Status ended = store_->finish_run(run_, status, code);
  if (loss) {  // names the store's refusal of the run's end too, when there is one
    std::fprintf(stderr, "flor: error: %s could not be stored: %s; %s\n", loss->describe().c_str(),
                 loss->cause.to_string().c_str(),
                 ended.ok() ? "the run is marked failed" : "nor can the run's end be (it stays 'running' there)");
  }
  const Status& unstored = ended.ok() ? info : ended;
  const bool said = loss && !ended.ok();  // the line above named it
  if (!unstored.ok() && !said) {
    warnings().warn("flor: warning: cannot store the end of run {}: {}", run_, unstored.to_string());
  }
  return code;
}

void Runtime::fatal(const Status& status) {
  std::fprintf(stderr, "flor: error: %s\n", status.to_string().c_str());
  if (log_writer_) log_writer_->settle();
  if (store_ && run_ > 0) (void)store_->finish_run(run_, store::RunStatus::kFailed, kExitUsage);
  std::fflush(nullptr);
  std::_Exit(kExitUsage);
}

}  // namespace flor::rt
