#!/bin/sh
# A journal that attacks the terminal: an OSC title, a screen clear, a
# colour, a cursor move, CR, NUL, an invalid UTF-8 byte, then a 1 MB line
# of NUL bytes and a last ordinary line. With "follow", it then stays open
# like journalctl -f. Used by tests/logs.sh and tests/console.sh.
printf 'a\033]0;pwned\007b\033[2J\033[31mc\033[5;5H\r\nd\000e\377f\n'
head -c 1048576 /dev/zero
printf '\nlast line\n'
[ "${1:-}" = follow ] && exec tail -f /dev/null
exit 0
