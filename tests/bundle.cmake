# The appliance bundle (bundle/bundle.c): images built by mkvmimage with
# efi-hello as the bootloader, bundled by `mkvmimage bundle`, unpacked with GNU
# tar and checked with tools we did not write (tar --list, cmp, sha256sum -c,
# virt-xml-validate, jq), then booted with the bundle's own `run` script on
# the real firmware. They never skip: a missing tool fails and names it.

set(MKVM_BUNDLE_ENV
  "MKVMIMAGE_BOOT=$<TARGET_FILE:mkvmimage-boot>"
  "EFI_HELLO_DIR=$<TARGET_FILE_DIR:mkvmimage-boot>")

set(bundle_boot_tests)
foreach(arch aa64 arm)
  add_shell_test(bundle-boot-${arch} boot bundle/boot.sh ${arch} tar.gz)
  list(APPEND bundle_boot_tests bundle-boot-${arch})
endforeach()
add_shell_test(bundle-boot-varstore-aa64 boot bundle/boot.sh aa64 tar.zst varstore)
add_shell_test(bundle-boot-varstore-arm boot bundle/boot.sh arm tar.xz varstore)
add_shell_test(bundle-boot-directory-aa64 boot bundle/boot.sh aa64 dir)
add_shell_test(bundle-harness-aa64 boot bundle/harness.sh aa64)
list(APPEND bundle_boot_tests bundle-boot-varstore-aa64 bundle-boot-varstore-arm bundle-boot-directory-aa64
  bundle-harness-aa64)

add_shell_test(bundle-reproducible image bundle/reproducible.sh)
add_shell_test(bundle-bad-input image bundle/bad-input.sh)

foreach(t ${bundle_boot_tests} bundle-reproducible bundle-bad-input)
  set_property(TEST ${t} APPEND PROPERTY ENVIRONMENT ${MKVM_BUNDLE_ENV})
endforeach()
