# The FAT32 filler (fs/fat.c), driven by a test-only tool and checked with
# fsck.fat and mtools.
add_executable(fatfill ${CMAKE_CURRENT_SOURCE_DIR}/fat/fatfill.c)
target_link_libraries(fatfill PRIVATE mkvm_fs)

set(FAT_TEST_ENV "FATFILL=$<TARGET_FILE:fatfill>")
foreach(t fill names bigdir sparse enospc refuse determinism)
  add_shell_test(fat-${t} image fat/${t}.sh)
  set_property(TEST fat-${t} APPEND PROPERTY ENVIRONMENT "${FAT_TEST_ENV}")
endforeach()
