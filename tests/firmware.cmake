# Variable stores (firmware/): EDK2 VARS and U-Boot's ubootefi.var written by
# mkvmimage-vars and judged by the real firmware under QEMU (EDK2 wipes a
# store it dislikes; U-Boot says when it cannot load the file), the varstore
# partition mapped as the variable flash, and bad stores for `vars list`.
# They never skip: missing QEMU or firmware fails and names the package.
set(fw_tests)
foreach(arch aa64 arm)
  add_shell_test(firmware-edk2-seeded-${arch} firmware/edk2-seeded.sh ${arch})
  add_shell_test(firmware-edk2-written-${arch} firmware/firmware-written.sh ${arch})
  add_shell_test(firmware-ebbr-uboot-${arch} firmware/ebbr-uboot.sh ${arch})
  add_shell_test(firmware-varstore-partition-${arch} firmware/varstore-partition.sh ${arch})
  list(APPEND fw_tests firmware-edk2-seeded-${arch} firmware-edk2-written-${arch} firmware-ebbr-uboot-${arch}
    firmware-varstore-partition-${arch})
endforeach()
set_tests_properties(${fw_tests} PROPERTIES TIMEOUT 300 LABELS "firmware;boot")
