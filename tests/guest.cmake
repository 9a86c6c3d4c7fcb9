# The Linux test guest (qemu-test/guest/): built from Debian's arm64/armhf
# kernel, busybox-static and systemd-boot-efi (cached in FIXTURE_CACHE),
# checked with file/cpio/modinfo, then booted from mkvmimage images on EDK2
# and U-Boot for both arches; the guest's own check lines are the verdict.
# One image per arch, booted once per firmware (plus one initramfs-only
# boot and one that must fail): Linux boots under TCG cost 10-20 s each.
add_shell_test(guest-build-aa64 image guest/build.sh aa64)
add_shell_test(guest-build-arm image guest/build.sh arm)
add_shell_test(guest-boot-aa64 boot guest/boot.sh aa64 aa64-edk2-gicv3-pci aa64-uboot-gicv3-pci)
add_shell_test(guest-boot-arm boot guest/boot.sh arm arm-edk2-gicv2-pci arm-uboot-gicv2-mmio)
add_shell_test(guest-initramfs-checks-aa64 boot guest/initramfs-checks.sh aa64 aa64-uboot-gicv3-mmio)
add_shell_test(guest-wrong-root-arm boot guest/wrong-root.sh arm arm-uboot-gicv2-pci)
set_tests_properties(guest-build-aa64 guest-build-arm PROPERTIES TIMEOUT 900)
set_tests_properties(guest-boot-aa64 guest-boot-arm guest-initramfs-checks-aa64 guest-wrong-root-arm
  PROPERTIES TIMEOUT 900)
# Persistent variables through the varstore partition (EDK2 only: U-Boot has
# no SetVariable at run time).
add_shell_test(guest-efivar-aa64 boot guest/efivar.sh aa64 aa64-edk2-gicv3-pci aa64-edk2-gicv2-pci)
add_shell_test(guest-efivar-arm boot guest/efivar.sh arm arm-edk2-gicv2-pci arm-edk2-gicv3-pci)
set_tests_properties(guest-efivar-aa64 guest-efivar-arm PROPERTIES TIMEOUT 900)
