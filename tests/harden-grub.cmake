# Issue 11 (hardening), the boot chain's part: GRUB never sees a host file
# (items 1, 2), the boot files are copied bounded and sparse (item 11), and
# the small boot-chain items of 19 (--cmdline, os-release, kernel choice,
# kernels in usr/lib/modules/VERSION, hard links, --kernel outside /boot).
add_shell_test(harden-grub-symlinks image harden/grub-symlinks.sh)
add_shell_test(harden-grub-tmpfiles image harden/grub-tmpfiles.sh)
add_shell_test(harden-grub-sparse image harden/grub-sparse.sh)
add_shell_test(harden-grub-bootchain image harden/grub-bootchain.sh)
# The kernel leftovers never chosen (a pure function): a unit test.
add_executable(test-bootchain-leftover ${CMAKE_CURRENT_SOURCE_DIR}/unit/test-bootchain-leftover.c)
target_include_directories(test-bootchain-leftover PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit)
target_link_libraries(test-bootchain-leftover PRIVATE mkvm_esp)
add_test(NAME harden-grub-unit-leftover COMMAND test-bootchain-leftover)
mkvm_test_tier(harden-grub-unit-leftover unit)
