# The boot chain (issue 5): mkvmimage ROOTFS alone builds an image that boots
# ROOTFS's own init, by systemd-boot, GRUB or a unified kernel image, on EDK2
# and U-Boot for aa64 and arm. ROOTFS is the Linux test guest's root tree.
set(bootchain_platforms_aa64 aa64-edk2-gicv3-pci aa64-uboot-gicv3-pci)
set(bootchain_platforms_arm arm-edk2-gicv2-pci arm-uboot-gicv2-pci)
foreach(arch aa64 arm)
  foreach(path systemd-boot grub uki)
    add_shell_test(bootchain-${path}-${arch} boot bootchain/paths.sh ${arch} ${path} ${bootchain_platforms_${arch}})
    set_tests_properties(bootchain-${path}-${arch} PROPERTIES TIMEOUT 900)
  endforeach()
endforeach()
add_shell_test(bootchain-tarball-aa64 boot bootchain/tarball.sh aa64 aa64-uboot-gicv3-pci)
add_shell_test(bootchain-bad-input image bootchain/bad-input.sh)
set_tests_properties(bootchain-tarball-aa64 bootchain-bad-input PROPERTIES TIMEOUT 900)
