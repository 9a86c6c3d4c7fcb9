# Boot tests: images booted under QEMU on the reference firmware (EDK2 and
# U-Boot), judged by mkvmimage-boot from the serial console. QEMU and the
# firmware are the independent check. They never skip: a missing QEMU or
# firmware package fails the test and says which package to install.
add_shell_test(boot-efi-hello-aa64 boot/efi-hello.sh aa64)
add_shell_test(boot-efi-hello-arm boot/efi-hello.sh arm)
add_shell_test(boot-efi-hello-matrix boot/matrix.sh)
add_shell_test(boot-broken-no-bootloader boot/broken-no-bootloader.sh)
add_shell_test(boot-broken-wrong-arch boot/broken-wrong-arch.sh)
add_shell_test(boot-broken-esp-type boot/broken-esp-type.sh)
add_shell_test(boot-cli-errors boot/cli-errors.sh)
add_shell_test(boot-verdict boot/verdict.sh)
set_tests_properties(boot-efi-hello-aa64 boot-efi-hello-arm boot-efi-hello-matrix
  boot-broken-no-bootloader boot-broken-wrong-arch boot-broken-esp-type
  boot-cli-errors boot-verdict PROPERTIES TIMEOUT 300 LABELS boot)
