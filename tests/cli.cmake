# The mkvmimage command line: images checked with sfdisk, sgdisk, blkid,
# fsck.fat, mtools and e2fsck; bad input; output safety; reproducibility.
add_shell_test(cli-gpt-esp image cli/gpt-esp.sh)
add_shell_test(cli-layouts image cli/layouts.sh)
add_shell_test(cli-esp-dir image cli/esp-dir.sh)
add_shell_test(cli-reproducible image cli/reproducible.sh)
add_shell_test(cli-bad-input image cli/bad-input.sh)
add_shell_test(cli-output-safety image cli/output-safety.sh)
add_shell_test(cli-rootfs image cli/rootfs.sh)
add_shell_test(cli-boot-layouts boot cli/boot-layouts.sh)
add_shell_test(cli-varstore-aa64 boot cli/varstore.sh aa64 aa64-edk2-gicv3-pci aa64-edk2-gicv2-pci aa64-uboot-gicv3-pci)
add_shell_test(cli-varstore-arm boot cli/varstore.sh arm arm-edk2-gicv2-pci arm-edk2-gicv3-pci arm-uboot-gicv2-pci)
