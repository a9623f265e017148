// The table of subcommands (STYLE.md 6). Each row's usage text is its --help and
// its section of docs/cli.md (`flor help --markdown` writes that file).
#include <algorithm>

#include "args.h"
#include "command.h"

namespace flor::cli {

Result<int> cmd_help(const std::vector<std::string>& args);
Result<int> cmd_run(const std::vector<std::string>& args);
Result<int> cmd_replay(const std::vector<std::string>& args);
Result<int> cmd_show(const std::vector<std::string>& args);
Result<int> cmd_ls(const std::vector<std::string>& args);
Result<int> cmd_log(const std::vector<std::string>& args);
Result<int> cmd_dump(const std::vector<std::string>& args);
Result<int> cmd_diff(const std::vector<std::string>& args);
Result<int> cmd_checkout(const std::vector<std::string>& args);
Result<int> cmd_gc(const std::vector<std::string>& args);
Result<int> cmd_export(const std::vector<std::string>& args);
Result<int> cmd_query(const std::vector<std::string>& args);
Result<int> cmd_sweep(const std::vector<std::string>& args);
Result<int> cmd_completion(const std::vector<std::string>& args);
extern const char kSweepUsage[];  // in cmd_sweep.cc

namespace {

const char kRunUsage[] =
    "usage: flor run NAME [--eps E] [--threads T] [--kill-after S]\n"
    "                [--snapshot-max-size SIZE] -- CMD [ARGS...]\n"
    "\n"
    "Records a run of experiment NAME: commits the work tree (tracked files and\n"
    "untracked files that .gitignore does not exclude) to the shadow branch\n"
    "flor.shadow without touching HEAD, the index or any file, then starts CMD\n"
    "directly (no shell) with the flor environment set. CMD's output is kept in\n"
    "FLOR_HOME/NAME/logs/run-ID.out and shown as it comes: on a terminal, CMD\n"
    "writes to a pseudo-terminal, so it sees a terminal (printf is line-buffered,\n"
    "colours and progress bars stay on); into a file or pipe, CMD gets a pipe and\n"
    "its C library may buffer. Ctrl-C, SIGTERM and SIGHUP are passed on to CMD\n"
    "(and its child processes) and the run is marked interrupted; CMD still\n"
    "running S seconds later is killed. CMD never outlives flor: when flor is\n"
    "killed, so is CMD.\n"
    "\n"
    "options:\n"
    "  --eps E       checkpoint overhead budget, a fraction of compute time: a\n"
    "                number from 0 to 1 (default 1/15)\n"
    "  --threads T   torch threads for CMD, pinned and replayed identically (default 1);\n"
    "                OpenBLAS is pinned to 1 thread\n"
    "  --kill-after S  seconds between passing on Ctrl-C/SIGTERM and SIGKILL (default 10)\n"
    "  --snapshot-max-size SIZE\n"
    "                untracked files larger than SIZE (500K, 10M, 1G; 0 = no limit;\n"
    "                default 10M) are left out of the snapshot, each named in a\n"
    "                warning with the .gitignore line that keeps it out quietly,\n"
    "                and listed in the run's info (\"skipped\"). Untracked files\n"
    "                matching .florignore (gitignore syntax, at the work tree's\n"
    "                root) are always left out. A submodule is kept as its\n"
    "                checked-out commit only (a note says so; the run's info has\n"
    "                \"submodules\": path, commit, dirty)\n"
    "\n"
    "environment: FLOR_RUN_ID_FILE=PATH makes flor write the new run's id there\n"
    "(a line) before CMD starts, for scripts that need it.\n"
    "\n"
    "If the store cannot take writes (a full disk), logs are kept in memory (up to\n"
    "FLOR_LOG_MEMORY_MB, default 64) and retried at each epoch's end; logs still\n"
    "not stored at the end are counted in a summary and the run is marked failed,\n"
    "with CMD's exit status.\n"
    "\n"
    "exit status: CMD's (128+N when signal N ended it); 2 for bad usage, 1 when flor\n"
    "itself failed (not in a git repository, command not found, ...), and 1 when\n"
    "CMD exited 0 but its run failed (logs that could not be stored, or a run\n"
    "whose end the store refused: it stays 'running').\n"
    "\n"
    "example: flor run mnist -- ./build/train --epochs 20\n";

const char kReplayUsage[] =
    "usage: flor replay [NAME] [P/N] [-j N] [--run REF] [--epochs E] [--strong]\n"
    "                   [--probe BLOCK[,BLOCK...] | --no-probes] [--tolerate]\n"
    "                   [--count N] [--slurm N] [--kill-after S]\n"
    "                   [--snapshot-max-size SIZE]\n"
    "                   [-- CMD [ARGS...]]\n"
    "\n"
    "Replays a recorded run after you added log statements and rebuilt: restores\n"
    "checkpoints, skips blocks that do not need to run, fills in the new logs and\n"
    "checks that every recorded log value comes out the same. The current work\n"
    "tree is committed to flor.shadow as the replay's version.\n"
    "\n"
    "NAME defaults to the experiment last used in this repository; the run to the\n"
    "newest record of NAME; CMD to the recorded command.\n"
    "\n"
    "  P/N           run segment P of N (1-based) in this process, e.g. 3/5\n"
    "  -j, --jobs N  start N segment workers (-jN too), one GPU each\n"
    "                (CUDA_VISIBLE_DEVICES) or a share of the CPU cores; one\n"
    "                progress line; per-worker logs\n"
    "                in FLOR_HOME/NAME/logs; a summary at the end. Fewer when the\n"
    "                record has fewer checkpointed epochs to start segments from\n"
    "  --run REF     replay this record: a run id or a shadow commit prefix\n"
    "  --epochs E    only epoch E (9) or epochs A-B (150-160), from the nearest\n"
    "                checkpoint before them\n"
    "  --strong      strong init: re-run every earlier epoch's outer loop body\n"
    "                (for state outside the checkpoints) instead of restoring\n"
    "  --probe B     always execute block B (repeatable, or comma-separated).\n"
    "                Without it, the blocks that gained flor::log calls since the\n"
    "                record are probed: flor-instrument compares both versions of\n"
    "                each changed source file, with the flags in the build's\n"
    "                compile_commands.json (beside the program, or in build/).\n"
    "                A step loop (a main loop without blocks) runs unless\n"
    "                --probe or --no-probes leaves it out: then it is skipped\n"
    "                from its loop-end checkpoint\n"
    "  --no-probes   probe nothing: skip every block that has a checkpoint\n"
    "  --tolerate    a divergence from the record is reported but not an error\n"
    "  --count N     the number of segments under a Kubernetes Indexed Job\n"
    "                (JOB_COMPLETION_INDEX gives the index)\n"
    "  --slurm N     print an `sbatch --array=1-N` script that replays in N tasks\n"
    "  --kill-after S  seconds between passing on Ctrl-C/SIGTERM and SIGKILL to the\n"
    "                workers (default 10); output and signals as for `flor run`\n"
    "  --snapshot-max-size SIZE  as for flor run: untracked files over SIZE\n"
    "                (default 10M) stay out of the replay's snapshot\n"
    "\n"
    "Without P/N under a cluster launcher, the segment comes from its environment:\n"
    "Slurm job arrays (SLURM_ARRAY_TASK_ID/_COUNT/_MIN/_STEP), Open MPI\n"
    "(OMPI_COMM_WORLD_RANK/_SIZE), MPICH/PMI (PMI_RANK/_SIZE), torchrun\n"
    "(RANK/WORLD_SIZE), Kubernetes (JOB_COMPLETION_INDEX with --count).\n"
    "FLOR_HOME must then be on storage every node sees.\n"
    "\n"
    "exit status: one segment in this process (P/N, a launcher, or -j 1): CMD's\n"
    "(3 when the replay diverged from the record). -j N: 0 when every worker\n"
    "succeeded, 3 when values diverged, 1 when a worker failed, 130 when\n"
    "interrupted. 4 (instead of 0) when every value was reproduced but some\n"
    "checkpoint was refused (corrupt, or holding another epoch's state: the\n"
    "summary names each); what it held was re-executed. 2 for bad usage.\n"
    "\n"
    "examples: flor replay mnist -j 4\n"
    "          flor replay mnist 3/5\n"
    "          mpirun -np 3 flor replay mnist\n"
    "          flor replay mnist --epochs 150-160 --probe train\n";

const char kShowUsage[] =
    "usage: flor show [NAME] [--run REF] [--format table|csv|json] [--by-epoch] [--sweep]\n"
    "\n"
    "The logs of a recorded run: a row per epoch (and per step for logs inside a\n"
    "nested loop, or logged several times in an epoch: numbered 0, 1, ... in the\n"
    "order logged), a column per logged name. Values that replays filled in\n"
    "(hindsight logs) sit beside the recorded ones, marked * in a table. Values\n"
    "of a replay that diverged from the record sit in columns of their own,\n"
    "NAME@diverged, in every format. csv and json keep every digit; a table\n"
    "shows 6 significant digits, aligned.\n"
    "\n"
    "  --run REF     a run id or a shadow commit prefix (default: the newest record)\n"
    "  --format F    table (default), csv or json\n"
    "  --by-epoch    a table row per epoch only: a name logged per step shows the\n"
    "                epoch's last step (its header marked @last)\n"
    "  --sweep       the runs of NAME's sweeps instead: parameters and final metrics\n"
    "                (csv, json: run_data.csv's columns, a sweep column first)\n";

const char kExportUsage[] =
    "usage: flor export NAME [--run REF | --runs all]\n"
    "                   (--tensorboard DIR | --csv DIR | --jsonl FILE)\n"
    "\n"
    "Writes a recorded run's values, its own and those replays filled in, for\n"
    "other viewers (docs/export.md).\n"
    "\n"
    "  --run REF          a run id or a shadow commit prefix (default: the newest\n"
    "                     record; a replay stands for the record it replayed)\n"
    "  --runs all         every recorded run of NAME\n"
    "  --tensorboard DIR  TensorBoard event files: DIR/run<ID> (recorded values) and\n"
    "                     DIR/run<ID>-hindsight (filled in by replays); scalars,\n"
    "                     histograms, images and text at the epoch (or the global\n"
    "                     step of a per-step value), wall time from the record.\n"
    "                     W&B (sync_tensorboard) and Aim read them too\n"
    "  --csv DIR          DIR/run<ID>.csv: every value, exact text (tensors,\n"
    "                     histograms and images as JSON)\n"
    "  --jsonl FILE       one JSON object a value (FILE - : standard output)\n"
    "\n"
    "Then view them with `tensorboard --logdir DIR`.\n"
    "\n"
    "example: flor export mnist --runs all --tensorboard tb\n";

const char kQueryUsage[] =
    "usage: flor query NAME \"SQL\" [--format table|csv|json]\n"
    "       flor query --all \"SQL\" [--format table|csv|json]\n"
    "\n"
    "Runs one read-only SQL statement (SQLite) over views of the store:\n"
    "  logs(run, kind, epoch, step, name, value, type, hindsight)\n"
    "       run: the recorded run; kind: scalar, text, tensor, histogram or image;\n"
    "       value: exact text (tensors, histograms, images: their short form)\n"
    "  runs(id, kind, parent, status, vid, started, ended, exit_code)\n"
    "  args(run, name, value)\n"
    "The store is opened read-only: a statement that would write, or more than\n"
    "one statement, is an error and changes nothing.\n"
    "\n"
    "  --all         every experiment in FLOR_HOME, an experiment column first\n"
    "  --format F    table (default), csv or json\n"
    "\n"
    "example: flor query mnist \"SELECT epoch, value FROM logs WHERE name='test_acc'\"\n";

const char kLsUsage[] =
    "usage: flor ls [--format table|csv|json]\n"
    "\n"
    "The experiments in FLOR_HOME: runs, the last run, its epochs, checkpoints and\n"
    "bytes on disk. An experiment whose store cannot be read (a damaged flor.db, or\n"
    "none beside its checkpoints) gets one line on stderr naming the file and what\n"
    "to do, the others are listed, and the exit status is 1.\n"
    "\n"
    "  --format F    table (default), csv or json (bytes as an exact count)\n";

const char kLogUsage[] =
    "usage: flor log [NAME] [--format table|csv|json]\n"
    "\n"
    "The versions of experiment NAME on the shadow branch, newest first: run,\n"
    "commit, date, status, kind (record or replay), segment and command.\n"
    "\n"
    "status: running, complete, failed, interrupted (by the driver), or dead: the\n"
    "run's process on this host ended without finishing it (killed); any command\n"
    "that reads such a run stores it as dead.\n"
    "\n"
    "  --format F    table (default), csv or json\n";

const char kDumpUsage[] =
    "usage: flor dump RUN [--json]\n"
    "\n"
    "Everything stored for a run: its row, info, arguments, epochs, checkpoints,\n"
    "logs and divergences. RUN is a run id of the experiment last used in this\n"
    "repository, NAME (its newest record) or NAME:REF (a run id or a shadow\n"
    "commit prefix).\n"
    "\n"
    "  --json        one JSON object instead of text\n";

const char kDiffUsage[] =
    "usage: flor diff RUN_A RUN_B [--format table|csv|json]\n"
    "\n"
    "The code diff between the versions of two runs (a patch), then the logged\n"
    "values that differ or exist in only one of them: a row per value, with its\n"
    "change (- only in A, + only in B, ~ changed), epoch, step, name and values.\n"
    "RUN is a run id of the experiment last used in this repository (flor diff 1 2),\n"
    "NAME (its newest record) or NAME:REF (a run id or a shadow commit prefix).\n"
    "\n"
    "  --format F    table (default: the patch, then the values), or csv or json:\n"
    "                the values only, every digit\n"
    "\n"
    "examples: flor diff 1 2\n"
    "          flor diff mnist:1 mnist:4\n";

const char kCheckoutUsage[] =
    "usage: flor checkout RUN DIR\n"
    "\n"
    "Writes the source tree of RUN's version into DIR (which must not exist or be\n"
    "empty). The repository's HEAD, index and work tree are not touched. RUN is\n"
    "as in flor diff: a run id, NAME or NAME:REF.\n";

const char kGcUsage[] =
    "usage: flor gc [NAME] [--keep-last K] [--dry-run] [--orphans]\n"
    "\n"
    "Frees checkpoint bytes: keeps the checkpoints of the K newest record runs of\n"
    "each experiment (or of NAME) and deletes the others, then every checkpoint\n"
    "blob no kept checkpoint uses (a kept checkpoint may share blobs with older\n"
    "runs; a file of blobs that is mostly unused is rewritten smaller), and the\n"
    "temp files of unfinished writes. Logs and runs stay. An experiment with a\n"
    "running run is skipped (a dead run, whose process is gone, is not running).\n"
    "A checkpoint file that no run of the store names (one of an older store in\n"
    "the same folder) is kept unless --orphans. An experiment whose store cannot be\n"
    "read gets one line on stderr, the others are collected, and the exit status\n"
    "is 1.\n"
    "\n"
    "  --keep-last K   records whose checkpoints stay (default 1)\n"
    "  --dry-run       say what would be freed, to the byte; change nothing\n"
    "  --orphans       also delete checkpoint files no run of the store names, and\n"
    "                  every checkpoint file of an experiment whose flor.db is\n"
    "                  missing or empty\n";

const char kCompletionUsage[] =
    "usage: flor completion bash|zsh\n"
    "\n"
    "Prints a completion script for the shell: commands, options, option values,\n"
    "experiment names and run ids (asked of flor ls and flor log as you type).\n"
    "`cmake --install` puts both in share/bash-completion/completions/flor and\n"
    "share/zsh/site-functions/_flor; or load one by hand:\n"
    "\n"
    "example: source <(flor completion bash)\n";

const char kHelpUsage[] =
    "usage: flor help [COMMAND]\n"
    "\n"
    "The commands, or one command's help (the same as flor COMMAND --help).\n";

}  // namespace

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"run", "record a run: snapshot the code, start the program, keep its logs", kRunUsage, Needs::kRepo, cmd_run},
      {"replay", "replay a recorded run with new log statements, in parallel segments", kReplayUsage, Needs::kRepo,
       cmd_replay},
      {"show", "a run's logs: epochs x logged names, recorded and hindsight", kShowUsage, Needs::kStore, cmd_show},
      {"ls", "the experiments: runs, epochs, checkpoints, bytes", kLsUsage, Needs::kStore, cmd_ls},
      {"log", "the versions (runs) of an experiment on the shadow branch", kLogUsage, Needs::kStore, cmd_log},
      {"dump", "everything stored for a run", kDumpUsage, Needs::kStore, cmd_dump},
      {"diff", "code and log differences between two runs", kDiffUsage, Needs::kStoreAndRepo, cmd_diff},
      {"checkout", "write a run's source tree into a folder", kCheckoutUsage, Needs::kStoreAndRepo, cmd_checkout},
      {"gc", "free checkpoint bytes of older runs", kGcUsage, Needs::kStore, cmd_gc},
      {"export", "a run's values as TensorBoard event files, CSV or JSON lines", kExportUsage, Needs::kStore,
       cmd_export},
      {"query", "read-only SQL over the logs, runs and args of experiments", kQueryUsage, Needs::kStore, cmd_query},
      {"sweep", "run every permutation of a config as recorded runs over the GPUs or CPU slots", kSweepUsage,
       Needs::kNothing, cmd_sweep},
      {"completion", "print a bash or zsh completion script", kCompletionUsage, Needs::kNothing, cmd_completion},
      {"help", "show the commands, or one command's help", kHelpUsage, Needs::kNothing, cmd_help},
  };
  return table;
}

const Command* find_command(const std::string& name) {
  for (const Command& c : commands()) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

std::string suggest_command(const std::string& name) {
  std::string best;
  int prefixed = 0;  // "rep" -> "replay": a unique prefix is the best guess
  for (const Command& c : commands()) {
    if (!name.empty() && std::string(c.name).rfind(name, 0) == 0) ++prefixed, best = c.name;
  }
  if (prefixed == 1) return best;
  best.clear();
  size_t best_d = 3;  // farther than 2 edits is not a typo
  for (const Command& c : commands()) {
    size_t d = edit_distance(name, c.name);
    if (d < best_d) best_d = d, best = c.name;
  }
  return best;
}

}  // namespace flor::cli
