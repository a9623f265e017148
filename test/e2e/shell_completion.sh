#!/usr/bin/env bash
# Shell completion and the man page, as the build generates and `cmake --install`
# puts them: bash's completion function driven by COMP_WORDS/COMP_CWORD, zsh's
# with its completion builtins stubbed to print what they are given, over a store
# with two experiments (run ids from `flor log --format csv`, names from `flor
# ls --format csv`); flor.1 read by man.
source "$(dirname "$0")/lib.bash"
prefix=$WORK/prefix
cmake --install "$FLOR_BUILD_DIR" --prefix "$prefix" > /dev/null
bash_file=$prefix/share/bash-completion/completions/flor
zsh_file=$prefix/share/zsh/site-functions/_flor
[ -f "$bash_file" ] && [ -f "$zsh_file" ] || fail "cmake --install left out the completion scripts"
diff <("$FLOR" completion bash) "$bash_file" || fail "installed bash completion is not flor completion bash"

repo=$WORK/repo
new_repo "$repo"
cd "$repo"
git commit -q --allow-empty -m start
"$FLOR" run alpha -- true 2> /dev/null
"$FLOR" run alpha -- true 2> /dev/null
"$FLOR" run beta -- true 2> /dev/null  # beta: the experiment last used
"$FLOR" run beta -- true 2> /dev/null
"$FLOR" run beta -- true 2> /dev/null
mkdir -p "$WORK/bin" && ln -s "$FLOR" "$WORK/bin/flor"
export PATH=$WORK/bin:$PATH  # the scripts call `flor` as a user's shell would find it

# complete_bash WORD... : the candidates bash offers for the last word, one a line, sorted.
complete_bash() {
  bash -c 'source "$1"; shift; complete -p flor | grep -q -- "-F _flor flor$" || exit 9
           COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _flor; printf "%s\n" "${COMPREPLY[@]}" | sort' \
    bash "$bash_file" "$@"
}
# complete_zsh WORD... : the same through the zsh function.
complete_zsh() {
  # The stubs match the current word as a prefix, as zsh does with what compadd is given.
  zsh -fc 'offer() { local x; for x; do [[ $x == ${words[CURRENT]}* ]] && print -r -- $x; done; return 0; }
           compadd() { while [[ $1 == -* && $1 != -- ]]; do shift; done; [[ $1 == -- ]] && shift; offer "$@"; }
           compset() { [[ $1 == -P && ${words[CURRENT]} == *:* ]] || return 1; words[CURRENT]=${words[CURRENT]#*:}; }
           _describe() { local -a c; c=(${(P)${@[-1]}}); offer ${c%%:*}; }
           _files() { print -- "<files $*>"; }
           _command_names() { print -- "<commands>"; }
           f=$1; shift; words=("$@"); CURRENT=$#; source $f' zsh "$zsh_file" "$@" | sort
}
# expect SHELL WANT WORD...: each line of WANT is among the candidates.
expect() {
  local shell=$1 want=$2 got; shift 2
  got=$("complete_$shell" "$@") || fail "$shell completion of '$*' failed: $got"
  while IFS= read -r w; do
    grep -qxF -- "$w" <<<"$got" || fail "$shell: '$*' does not offer '$w'; offers: $(echo $got)"
  done <<<"$want"
}
# exactly SHELL WANT WORD...: the candidates are WANT, nothing else.
exactly() {
  local shell=$1 want=$2 got; shift 2
  got=$("complete_$shell" "$@")
  [ "$got" = "$(sort <<<"$want")" ] || fail "$shell: '$*' offers '$(echo $got)', want '$(echo $want)'"
}

for sh in bash zsh; do
  echo "== $sh"
  expect $sh $'replay\nrun' flor r                                    # commands
  exactly $sh completion flor compl
  expect $sh $'--jobs\n-j\n--probe\n--no-probes\n--help' flor replay -   # options, from --help
  exactly $sh --format flor ls --fo
  exactly $sh $'table\ncsv\njson' flor show beta --format ''            # an option's choices
  exactly $sh $'alpha\nbeta' flor show ''                              # experiment names
  exactly $sh $'1\n2' flor show alpha --run ''                          # run ids of the NAME given
  exactly $sh $'1\n2\n3' flor replay --run ''                           # ... of the last-used one
  exactly $sh $'alpha\nbeta\n1\n2\n3' flor diff 1 ''                    # RUN: a name or a run id
  exactly $sh $'bash\nzsh' flor completion ''
  exactly $sh '' flor replay alpha -j ''                                # a number: nothing to offer
  expect $sh sweep flor help sw
done
# NAME:REF: bash splits the word at ':' and completes what follows it; zsh keeps it whole.
exactly bash $'1\n2' flor diff alpha : ''
exactly bash $'alpha\nbeta\n1\n2\n3' flor diff alpha : 1 ''              # the second RUN
exactly zsh $'1\n2' flor diff alpha:
exactly zsh $'alpha\nbeta\n1\n2\n3' flor diff alpha:1 ''
expect bash bash flor run beta -- ba                                    # after --: programs
exactly zsh '<commands>' flor run beta -- ba

echo "== every option offered is one the command accepts"
# Options come from each --help text; a listed option the parser does not know
# would be offered and then refused. The word after it ("nope") keeps each try
# short: a value, or a NAME that does not exist.
while read -r cmd opts; do
  for o in $opts; do
    [ "$o" = --help ] && continue
    err=$(timeout 20 "$FLOR" "$cmd" "$o" nope 2>&1 < /dev/null) || true
    ! grep -q "unknown option" <<<"$err" || fail "flor $cmd --help lists $o but the command refuses it: $err"
  done
done < <(sed -n 's/^    \([a-z]*\)) opts="\([^"]*\)".*/\1 \2/p' "$bash_file")

echo "== man page"
man_page=$prefix/share/man/man1/flor.1
if [ ! -f "$man_page" ]; then
  command -v go-md2man > /dev/null && fail "go-md2man is installed but cmake --install put no flor.1"
  echo "skip: no go-md2man (scripts/setup-deps installs it)"; exit 77
fi
text=$(MANWIDTH=100 man -l "$man_page" 2> "$WORK/man.err")
grep -q '^NAME' <<<"$text" && grep -q 'flor - hindsight logging' <<<"$text" || fail "man page has no NAME: $text"
for cmd in $("$FLOR" help | awk '/^commands:/{on=1; next} on && /^  [a-z]/{print $1}'); do
  grep -q "usage: flor $cmd" <<<"$text" || fail "man page lacks flor $cmd"
done
! grep -qi 'error' "$WORK/man.err" || fail "man: $(cat "$WORK/man.err")"
echo "shell_completion: ok"
