# PE/COFF checks (esp/pe.c) on Debian's systemd-boot EFI binaries, checked
# against `file` and llvm-readobj. Fixtures come from fetch-debian-packages.
add_executable(pecheck ${CMAKE_CURRENT_SOURCE_DIR}/pe/pecheck.c)
target_link_libraries(pecheck PRIVATE mkvm_esp)

add_shell_test(pe-efi-app-check image pe/efi-app-check.sh $<TARGET_FILE:pecheck>)
add_shell_test(pe-read-info image pe/read-info.sh $<TARGET_FILE:pecheck>)
add_shell_test(pe-fuzz image pe/fuzz.sh $<TARGET_FILE:pecheck>)
add_shell_test(pe-fetch-cache image pe/fetch-cache.sh)
