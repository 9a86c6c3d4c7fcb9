# The GRUB boot path (esp/grub.c): GRUB EFI images built by grub-mkimage from
# Debian's grub-efi-arm64-bin / grub-efi-arm-bin modules (fetched into
# FIXTURE_CACHE), checked with file, llvm-readobj and pe_check_efi_app,
# reproducible; grub.cfg quoting; bad module directories; and the Linux
# test guest booted through GRUB from mkvmimage images on EDK2 and U-Boot.
add_executable(grubbuild ${CMAKE_CURRENT_SOURCE_DIR}/grub/grubbuild.c)
target_link_libraries(grubbuild PRIVATE mkvm_esp)

add_shell_test(grub-image image grub/image.sh $<TARGET_FILE:grubbuild>)
add_shell_test(grub-bad-input image grub/bad-input.sh $<TARGET_FILE:grubbuild>)
add_shell_test(grub-config image grub/config.sh $<TARGET_FILE:grubbuild>)
add_shell_test(grub-boot-aa64 boot grub/boot.sh $<TARGET_FILE:grubbuild> aa64 aa64-edk2-gicv3-pci aa64-uboot-gicv3-pci)
add_shell_test(grub-boot-arm boot grub/boot.sh $<TARGET_FILE:grubbuild> arm arm-edk2-gicv2-pci arm-uboot-gicv2-mmio)
set_tests_properties(grub-boot-aa64 grub-boot-arm PROPERTIES TIMEOUT 900)
