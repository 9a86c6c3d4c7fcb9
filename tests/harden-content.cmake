# Hardening of the content stream (issue 11, items 4, 6, 9 and part of 19):
# hard links in cpio newc/crc, files changing while read, inputs that are
# not archives, owners and xattr names an ext4 root cannot hold. Checked
# with GNU cpio/tar, debugfs, e2fsck and cmp.
add_shell_test(harden-content-cpio-hardlinks image harden/content-cpio-hardlinks.sh)
add_shell_test(harden-content-cpio-bootfiles image harden/content-cpio-bootfiles.sh)
add_shell_test(harden-content-changing-file image harden/content-changing-file.sh)
add_shell_test(harden-content-not-archive image harden/content-not-archive.sh)
add_shell_test(harden-content-owner-xattr image harden/content-owner-xattr.sh)
