# ext4 root partition: the content stream and the ext4 filler, driven by a
# test-only tool, checked with e2fsck and debugfs.
add_executable(ext4fill ${CMAKE_CURRENT_SOURCE_DIR}/ext4/ext4fill.c)
target_link_libraries(ext4fill PRIVATE mkvm_fs)

set(MKVM_EXT4_ENV "EXT4FILL=$<TARGET_FILE:ext4fill>")
function(add_ext4_test name script)
  add_shell_test(${name} image ${script} ${ARGN})
  # The test trees are walked entry by entry in shell (ext4/lib.sh
  # manifest_dir): minutes on 2 busy cores.
  set_tests_properties(${name} PROPERTIES TIMEOUT 900)
  set_property(TEST ${name} APPEND PROPERTY ENVIRONMENT "${MKVM_EXT4_ENV}")
endfunction()

add_ext4_test(ext4-tree ext4/tree.sh)
add_ext4_test(ext4-reproducible ext4/reproducible.sh)
add_ext4_test(ext4-bad-input ext4/bad-input.sh)
add_ext4_test(ext4-space ext4/space.sh)
