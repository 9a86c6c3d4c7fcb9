# Issue 11, items 14, 17, 18: inputs parsed or opened from untrusted places.
# Layouts (whole lines, duplicates, names, labels, huge files), inputs that
# must be regular files (a FIFO is refused at once, by name), and
# mkvmimage-boot's bundle unpacking (holes kept, sizes bounded, no leftovers
# on SIGTERM). Scripts in tests/harden/parse-*.sh.
add_shell_test(harden-parse-fifo image harden/parse-fifo.sh)
add_shell_test(harden-parse-layout image harden/parse-layout.sh)
add_shell_test(harden-parse-bundle image harden/parse-bundle.sh)
