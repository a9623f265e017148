// Temporary git repositories for the lib/git tests, driven by the real git CLI.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "common/temp_dir.h"

namespace flor::test {

// Runs a shell command, returns its stdout (the tests compare git's own view).
inline std::string sh(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void spit(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// A fresh `git init` in a temp folder, removed at the end of the scope.
class TempRepo {
 public:
  TempRepo() { git("init -q -b main"); }
  const std::string& dir() const { return dir_.path; }
  std::string path(const std::string& rel) const { return dir_ / rel; }
  std::string git(const std::string& args) const {
    // GIT_OPTIONAL_LOCKS=0: `git status` must not refresh the index, whose bytes the tests compare.
    return sh("cd '" + dir() + "' && export GIT_OPTIONAL_LOCKS=0 && git -c user.name=t -c user.email=t@t " +
              args + " 2>&1");
  }
  void write(const std::string& rel, const std::string& text) const { spit(path(rel), text); }

 private:
  TempDir dir_;
};

}  // namespace flor::test
