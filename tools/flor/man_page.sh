#!/bin/sh
# man_page.sh FLOR GO_MD2MAN OUT: the man page flor.1 from `flor help --markdown`
# (docs/cli.md's text) with go-md2man (Debian go-md2man), written atomically.
set -e
flor=$1 md2man=$2 out=$3
{
  printf '%% FLOR 1\n\n# NAME\n\nflor - hindsight logging for C++ LibTorch training\n\n'
  printf '# SYNOPSIS\n\n**flor** *COMMAND* [*ARGS*...]\n\n'
  "$flor" help --markdown
} | "$md2man" > "$out.tmp"
mv "$out.tmp" "$out"
