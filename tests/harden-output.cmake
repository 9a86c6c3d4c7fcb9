# Hardening of the output (issue 11: items 2, 3, 5, 10, 15, 16 and parts of
# 18 and 19): one private run directory for every temporary, symlinks as the
# target, ROOTFS read once, the output inside ROOTFS, signals and leftovers,
# the bundle's output rules.
add_shell_test(harden-output-symlink image harden/output-symlink.sh)
add_shell_test(harden-output-rootfs-once image harden/output-rootfs-once.sh)
add_shell_test(harden-output-inside-rootfs image harden/output-inside-rootfs.sh)
add_shell_test(harden-output-signals image harden/output-signals.sh)
add_shell_test(harden-output-parse image harden/output-parse.sh)
add_shell_test(harden-output-rundir image harden/output-rundir.sh)
add_shell_test(harden-output-bundle image harden/output-bundle.sh)
