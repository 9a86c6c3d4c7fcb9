# Unified kernel images (esp/uki.c) from Debian's systemd-stub, kernels and a
# test initrd: the layout read back with llvm-readobj/llvm-objdump/file, each
# section's bytes cut out with dd and compared with its input, bad input
# refused; then a UKI as the removable-media bootloader boots the Linux test
# guest on EDK2 and U-Boot (aa64 and arm).
add_executable(ukibuild ${CMAKE_CURRENT_SOURCE_DIR}/uki/ukibuild.c)
target_link_libraries(ukibuild PRIVATE mkvm_esp)

add_shell_test(uki-layout-aa64 image uki/layout.sh $<TARGET_FILE:ukibuild> $<TARGET_FILE:pecheck> aa64)
add_shell_test(uki-layout-arm image uki/layout.sh $<TARGET_FILE:ukibuild> $<TARGET_FILE:pecheck> arm)
add_shell_test(uki-bad-input image uki/bad-input.sh $<TARGET_FILE:ukibuild>)
add_shell_test(uki-boot-aa64 boot uki/boot.sh $<TARGET_FILE:ukibuild> aa64 aa64-edk2-gicv3-pci aa64-uboot-gicv3-pci)
# arm on EDK2 too: AAVMF32 is where a zImage's decompressor heap, outside
# its PE image, overwrote the kernel stub's memory (esp/zimage.h).
add_shell_test(uki-boot-arm boot uki/boot.sh $<TARGET_FILE:ukibuild> arm arm-edk2-gicv2-pci arm-edk2-gicv2-mmio arm-uboot-gicv2-mmio arm-uboot-gicv2-pci)
set_tests_properties(uki-layout-aa64 uki-layout-arm PROPERTIES TIMEOUT 900)
set_tests_properties(uki-boot-aa64 uki-boot-arm PROPERTIES TIMEOUT 900)
