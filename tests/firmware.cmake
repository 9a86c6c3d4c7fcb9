# Variable stores (firmware/): EDK2 VARS and U-Boot's ubootefi.var written by
# mkvmimage-vars and judged by the real firmware under QEMU (EDK2 wipes a
# store it dislikes; U-Boot says when it cannot load the file), the varstore
# partition mapped as the variable flash, and bad stores for `vars list`.
# They never skip: missing QEMU or firmware fails and names the package.
set(fw_tests)
foreach(arch aa64 arm)
  add_shell_test(firmware-edk2-seeded-${arch} boot firmware/edk2-seeded.sh ${arch})
  add_shell_test(firmware-edk2-written-${arch} boot firmware/firmware-written.sh ${arch})
  add_shell_test(firmware-ebbr-uboot-${arch} boot firmware/ebbr-uboot.sh ${arch})
  add_shell_test(firmware-varstore-partition-${arch} boot firmware/varstore-partition.sh ${arch})
  list(APPEND fw_tests firmware-edk2-seeded-${arch} firmware-edk2-written-${arch} firmware-ebbr-uboot-${arch}
    firmware-varstore-partition-${arch})
endforeach()

# Bad stores for `vars list` and `seed` (no QEMU), and random damage to every
# parser through a test-only driver (meaningful under -DMKVM_SANITIZE=ON).
add_executable(varsfuzz ${CMAKE_CURRENT_SOURCE_DIR}/firmware/varsfuzz.c)
target_link_libraries(varsfuzz PRIVATE mkvm_firmware PkgConfig::ZLIB)
add_shell_test(firmware-bad-stores image firmware/bad-stores.sh)
set_property(TEST firmware-bad-stores APPEND PROPERTY ENVIRONMENT "VARSFUZZ=$<TARGET_FILE:varsfuzz>")
