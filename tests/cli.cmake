# The mkvmimage command line: images checked with sfdisk, sgdisk, blkid,
# fsck.fat, mtools and e2fsck; bad input; output safety; reproducibility.
add_shell_test(cli-gpt-esp image cli/gpt-esp.sh)
add_shell_test(cli-layouts image cli/layouts.sh)
add_shell_test(cli-esp-dir image cli/esp-dir.sh)
add_shell_test(cli-reproducible image cli/reproducible.sh)
add_shell_test(cli-bad-input image cli/bad-input.sh)
add_shell_test(cli-output-safety image cli/output-safety.sh)
add_shell_test(cli-rootfs image cli/rootfs.sh)
# Its tree (ext4/lib.sh make_tree) is walked entry by entry in shell, one
# stat, sha256sum and getfattr each: 6.5 min on 2 busy cores.
set_tests_properties(cli-rootfs PROPERTIES TIMEOUT 900)
add_shell_test(cli-boot-layouts boot cli/boot-layouts.sh)
add_shell_test(cli-varstore-aa64 boot cli/varstore.sh aa64 aa64-edk2-gicv3-pci aa64-edk2-gicv2-pci aa64-uboot-gicv3-pci)
add_shell_test(cli-varstore-arm boot cli/varstore.sh arm arm-edk2-gicv2-pci arm-edk2-gicv3-pci arm-uboot-gicv2-pci)
