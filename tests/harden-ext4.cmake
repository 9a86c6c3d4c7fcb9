# Hardening of the ext4 root (issue 11): files above ext4's size limit
# refused, times outside its range clamped, the auto-size estimate bounded,
# large flat directories indexed (htree) and built in linear time.
add_shell_test(harden-ext4-big-file image harden/ext4-big-file.sh)
add_shell_test(harden-ext4-times image harden/ext4-times.sh)
add_shell_test(harden-ext4-flat-dir image harden/ext4-flat-dir.sh)
