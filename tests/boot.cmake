# Boot tests: images booted under QEMU on the reference firmware (EDK2 and
# U-Boot), judged by mkvmimage-boot from the serial console. QEMU and the
# firmware are the independent check. They never skip: a missing QEMU or
# firmware package fails the test and says which package to install.
add_shell_test(boot-efi-hello-aa64 boot boot/efi-hello.sh aa64)
add_shell_test(boot-efi-hello-arm boot boot/efi-hello.sh arm)
add_shell_test(boot-efi-hello-matrix boot boot/matrix.sh)
add_shell_test(boot-broken-no-bootloader boot boot/broken-no-bootloader.sh)
add_shell_test(boot-broken-wrong-arch boot boot/broken-wrong-arch.sh)
add_shell_test(boot-cli-errors boot boot/cli-errors.sh)
# Judged before any QEMU starts: the pre-flight check, and a fake QEMU.
add_shell_test(boot-broken-esp-type image boot/broken-esp-type.sh)
add_shell_test(boot-verdict image boot/verdict.sh)
