// flor completion bash|zsh: a shell completion script generated from the
// command table. What each command accepts is read from its usage text (the
// synopsis and the option lines), the same text as --help and docs/cli.md, so
// the completion cannot drift from what --help promises. Experiment names and
// run ids are looked up when the user presses Tab: `flor ls --format csv` and
// `flor log NAME --format csv`.
#include <cctype>
#include <cstdio>
#include <map>
#include <regex>
#include <sstream>

#include "command.h"

namespace flor::cli {
namespace {

// What a word of the command line is: completed as experiment names, runs,
// command names, folders, files, or one of fixed choices ("a b c").
struct Word {
  std::string kind;  // "name", "run", "ref", "command", "dir", "file", "none", "choice"
  std::string choices;
};

struct Spec {
  std::string name;
  std::vector<std::string> options;       // every spelling: "-j", "--jobs"
  std::map<std::string, Word> values;     // options that take a value, and what it is
  std::vector<Word> positionals;          // in order
};

bool is_placeholder(const std::string& t) { return !t.empty() && std::isupper(static_cast<unsigned char>(t[0])); }
bool is_choices(const std::string& t) { return std::regex_match(t, std::regex(R"([a-z]+(\|[a-z]+)+)")); }

Word word_of(std::string t) {
  t = t.substr(0, t.find('['));  // "BLOCK[,BLOCK...]"
  if (is_choices(t)) {
    std::string c = t;
    for (char& ch : c) ch = ch == '|' ? ' ' : ch;
    return {"choice", c};
  }
  if (t == "NAME") return {"name", ""};
  if (t.rfind("RUN", 0) == 0) return {"run", ""};  // NAME, NAME:REF or a run id
  if (t == "REF") return {"ref", ""};               // a run id of NAME

  if (t == "COMMAND") return {"command", ""};
  if (t == "DIR") return {"dir", ""};
  if (t.find('.') != std::string::npos || t == "PATH") return {"file", ""};
  return {"none", ""};
}

std::string strip(std::string t) {
  while (!t.empty() && (t.front() == '[' || t.front() == '(')) t.erase(0, 1);
  while (!t.empty() && (t.back() == ']' || t.back() == ')')) t.pop_back();
  return t;
}

// The synopsis: the lines from "usage:" to the first blank one, up to ` -- `.
void read_synopsis(const std::string& usage, Spec* spec) {
  std::string synopsis = usage.substr(0, usage.find("\n\n"));
  std::istringstream in(synopsis);
  std::vector<std::string> words;
  for (std::string w; in >> w;) {
    if (strip(w) == "--") break;
    words.push_back(w);
  }
  for (size_t i = 3; i < words.size(); ++i) {  // after "usage: flor NAME"
    std::string t = strip(words[i]);
    if (t.empty() || t == "|" || t.find("...") == 0) continue;
    if (t[0] == '-') {
      spec->options.push_back(t);
      std::string next = i + 1 < words.size() ? strip(words[i + 1]) : "";
      if (words[i].back() != ']' && (is_placeholder(next) || is_choices(next))) spec->values[t] = word_of(next), ++i;
    } else if (is_placeholder(t) || is_choices(t)) {
      spec->positionals.push_back(word_of(t));
    }
  }
}

// Option lines: two spaces, the spellings, a placeholder when it takes a value.
void read_option_lines(const std::string& usage, Spec* spec) {
  static const std::regex kLine(R"(^  (-[\w-]+)(?:, (--[\w-]+))?(?: ([A-Z][\w\[\],.]*))?(?:\s|$))");
  std::istringstream in(usage);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, kLine)) continue;
    for (int g : {1, 2}) {
      std::string o = m[g].str();
      if (o.empty()) continue;
      bool known = false;
      for (const std::string& k : spec->options) known = known || k == o;
      if (!known) spec->options.push_back(o);
      if (m[3].matched && !spec->values.count(o)) spec->values[o] = word_of(m[3].str());
    }
    // "-j, --jobs N": both spellings take the value, whichever the synopsis named.
    if (m[2].matched && spec->values.count(m[2].str())) spec->values[m[1].str()] = spec->values[m[2].str()];
    if (m[2].matched && spec->values.count(m[1].str())) spec->values[m[2].str()] = spec->values[m[1].str()];
  }
}

std::vector<Spec> specs() {
  std::vector<Spec> out;
  for (const Command& c : commands()) {
    Spec s;
    s.name = c.name;
    read_synopsis(c.usage, &s);
    read_option_lines(c.usage, &s);
    s.options.push_back("--help");
    out.push_back(std::move(s));
  }
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

std::string kinds_of(const Spec& s) {
  std::vector<std::string> k;
  for (const Word& w : s.positionals) k.push_back(w.kind == "choice" ? "choice" : w.kind);
  return join(k);
}

// The case arms of both scripts, from the command table: per command its
// options, those taking a value and its positionals' kinds; per option taking
// a value its kind and choices; per positional of choices those. A list is
// written between `open` and `close` ("..." in bash, (...) in zsh).
struct CaseArms {
  std::string commands, values, choices;
};
CaseArms case_arms(const std::string& open, const std::string& close, const std::string& value_indent) {
  CaseArms arms;
  for (const Spec& s : specs()) {
    std::vector<std::string> values;
    for (const auto& [o, w] : s.values) {
      values.push_back(o);
      arms.values += value_indent + s.name + ":" + o + ") kind=" + w.kind + " choices=" + open + w.choices + close +
                     " ;;\n";
    }
    for (size_t i = 0; i < s.positionals.size(); ++i) {
      if (s.positionals[i].kind == "choice")
        arms.choices += "    " + s.name + ":" + std::to_string(i) + ") choices=" + open + s.positionals[i].choices +
                        close + " ;;\n";
    }
    arms.commands += "    " + s.name + ") opts=" + open + join(s.options) + close + " values=" + open + join(values) +
                     close + " kinds=(" + kinds_of(s) + ") ;;\n";
  }
  return arms;
}

// What both scripts share: a function per shell that sets opts (the
// options), values (those taking a value) and kinds (the positionals' kinds)
// for the command in $cmd, and one that completes a word of a kind.
std::string bash_script() {
  std::string cmds;
  for (const Spec& s : specs()) cmds += (cmds.empty() ? "" : " ") + s.name;
  const CaseArms arms = case_arms("\"", "\"", "    ");
  return "# bash completion for flor. Generated by `flor completion bash` from flor's command table.\n"
         "_flor_names() { flor ls --format csv 2>/dev/null | tail -n +2 | cut -d, -f1; }\n"
         "_flor_runs() { flor log ${1:+\"$1\"} --format csv 2>/dev/null | tail -n +2 | cut -d, -f1; }\n"
         "_flor_words() { local IFS=$'\\n'; COMPREPLY=($(compgen -W \"$1\" -- \"$cur\")); }\n"
         "_flor_kind() {  # kind: complete $cur as one\n"
         "  case $1 in\n"
         "    name) _flor_words \"$(_flor_names)\" ;;\n"
         "    run)  # NAME, a run id of the last-used experiment, or NAME:REF (bash completes after the ':')\n"
         "      if [[ $cur == *:* ]]; then\n"
         "        local runs_of=${cur%%:*} cur=${cur#*:}\n"
         "        _flor_words \"$(_flor_runs \"$runs_of\")\"\n"
         "      else\n"
         "        _flor_words \"$(_flor_names; _flor_runs \"$name\")\"\n"
         "      fi ;;\n"
         "    ref) _flor_words \"$(_flor_runs \"$name\")\" ;;\n"
         "    command) _flor_words \"$(printf '%s\\n' " + cmds + ")\" ;;\n"
         "    choice) _flor_words \"$(printf '%s\\n' $choices)\" ;;\n"
         "    dir) COMPREPLY=($(compgen -d -- \"$cur\")) ;;\n"
         "    file) COMPREPLY=($(compgen -f -- \"$cur\")); compopt -o filenames 2>/dev/null ;;\n"
         "    *) COMPREPLY=() ;;\n"
         "  esac\n"
         "}\n"
         "_flor() {\n"
         "  local -a words=()\n"
         "  local cword=0 i w\n"
         "  for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do  # bash splits NAME:REF at ':'; join it again\n"
         "    w=${COMP_WORDS[i]}\n"
         "    if ((i > 2)) && [[ $w == : || ${COMP_WORDS[i-1]} == : ]]; then words[-1]+=$w; else words+=(\"$w\"); fi\n"
         "    ((i == COMP_CWORD)) && cword=$((${#words[@]} - 1))\n"
         "  done\n"
         "  local cur=${words[cword]} prev=${words[cword-1]} cmd=${words[1]}\n"
         "  local opts values kinds kind choices name= pos=0\n"
         "  COMPREPLY=()\n"
         "  if ((cword == 1)); then _flor_kind command; return; fi\n"
         "  case $cmd in\n" + arms.commands +
         "    *) return ;;\n"
         "  esac\n"
         "  for ((i = 2; i < cword; i++)); do\n"
         "    w=${words[i]}\n"
         "    if [[ $w == -- ]]; then  # the program to run and its arguments\n"
         "      if ((i == cword - 1)); then COMPREPLY=($(compgen -c -- \"$cur\")); else _flor_kind file; fi\n"
         "      return\n"
         "    fi\n"
         "    if [[ \" $values \" == *\" $w \"* ]]; then ((i++)); continue; fi\n"
         "    [[ $w == -* ]] && continue\n"
         "    ((pos == 0)) && name=$w\n"
         "    ((pos++))\n"
         "  done\n"
         "  [[ ${kinds[0]} == name ]] || name=\n"
         "  if [[ \" $values \" == *\" $prev \"* ]]; then\n"
         "    case $cmd:$prev in\n" + arms.values +
         "    esac\n"
         "    _flor_kind \"$kind\"\n"
         "    return\n"
         "  fi\n"
         "  if [[ $cur == -* ]]; then _flor_words \"$(printf '%s\\n' $opts)\"; return; fi\n"
         "  case $cmd:$pos in\n" + arms.choices +
         "  esac\n"
         "  _flor_kind \"${kinds[pos]}\"\n"
         "}\n"
         "complete -F _flor flor\n";
}

std::string zsh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string zsh_script() {
  std::string described;
  for (const Command& c : commands()) described += "    " + zsh_quote(std::string(c.name) + ":" + c.summary) + "\n";
  const CaseArms arms = case_arms("(", ")", "      ");
  return "#compdef flor\n"
         "# zsh completion for flor. Generated by `flor completion zsh` from flor's command table.\n"
         "_flor_runs() { flor log ${name:+$name} --format csv 2>/dev/null | tail -n +2 | cut -d, -f1; }\n"
         "_flor_kind() {  # kind: complete the current word as one\n"
         "  case $1 in\n"
         "    name) compadd -- ${(f)\"$(flor ls --format csv 2>/dev/null | tail -n +2 | cut -d, -f1)\"} ;;\n"
         "    run)  # NAME, a run id of the last-used experiment, or NAME:REF\n"
         "      if [[ ${words[CURRENT]} == *:* ]]; then\n"
         "        local name=${words[CURRENT]%%:*}\n"
         "        compset -P '*:'\n"
         "        compadd -- ${(f)\"$(_flor_runs)\"}\n"
         "      else\n"
         "        compadd -- ${(f)\"$(flor ls --format csv 2>/dev/null | tail -n +2 | cut -d, -f1; _flor_runs)\"}\n"
         "      fi ;;\n"
         "    ref) compadd -- ${(f)\"$(_flor_runs)\"} ;;\n"
         "    command) _describe -t commands 'flor command' flor_commands ;;\n"
         "    choice) compadd -- $choices ;;\n"
         "    dir) _files -/ ;;\n"
         "    file) _files ;;\n"
         "  esac\n"
         "}\n"
         "_flor() {\n"
         "  local -a flor_commands opts values kinds choices\n"
         "  flor_commands=(\n" + described +
         "  )\n"
         "  local cmd=${words[2]} cur=${words[CURRENT]} prev=${words[CURRENT-1]} kind name= i w\n"
         "  integer pos=0\n"
         "  if (( CURRENT == 2 )); then _flor_kind command; return; fi\n"
         "  case $cmd in\n" + arms.commands +
         "    *) return 1 ;;\n"
         "  esac\n"
         "  for (( i = 3; i < CURRENT; i++ )); do\n"
         "    w=${words[i]}\n"
         "    if [[ $w == -- ]]; then  # the program to run and its arguments\n"
         "      if (( i == CURRENT - 1 )); then _command_names -e; else _files; fi\n"
         "      return\n"
         "    fi\n"
         "    if (( ${values[(Ie)$w]} )); then (( i++ )); continue; fi\n"
         "    [[ $w == -* ]] && continue\n"
         "    (( pos == 0 )) && name=$w\n"
         "    (( pos++ ))\n"
         "  done\n"
         "  [[ ${kinds[1]} == name ]] || name=\n"
         "  if (( ${values[(Ie)$prev]} )); then\n"
         "    case $cmd:$prev in\n" + arms.values +
         "    esac\n"
         "    _flor_kind $kind\n"
         "    return\n"
         "  fi\n"
         "  if [[ $cur == -* ]]; then compadd -- $opts; return; fi\n"
         "  case $cmd:$pos in\n" + arms.choices +
         "  esac\n"
         "  _flor_kind ${kinds[pos+1]}\n"
         "}\n"
         "_flor \"$@\"\n";
}

}  // namespace

Result<int> cmd_completion(const std::vector<std::string>& args) {
  if (args.size() != 1 || (args[0] != "bash" && args[0] != "zsh")) {
    return invalid_argument("completion: give the shell, bash or zsh; see flor completion --help");
  }
  std::fputs((args[0] == "bash" ? bash_script() : zsh_script()).c_str(), stdout);
  return 0;
}

}  // namespace flor::cli
