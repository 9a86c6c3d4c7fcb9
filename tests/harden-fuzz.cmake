# Regression tests for bugs the fuzz targets (fuzz/) found, one C program
# per bug, in the unit tier (they link one library, like tests/unit.cmake's).
add_executable(test-harden-fuzz-content-errors ${CMAKE_CURRENT_SOURCE_DIR}/harden/fuzz-content-errors.c)
target_include_directories(test-harden-fuzz-content-errors PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit)
target_link_libraries(test-harden-fuzz-content-errors PRIVATE mkvm_content)
add_test(NAME harden-fuzz-content-errors COMMAND test-harden-fuzz-content-errors)
mkvm_test_tier(harden-fuzz-content-errors unit)

add_executable(test-harden-fuzz-pe-truncated ${CMAKE_CURRENT_SOURCE_DIR}/harden/fuzz-pe-truncated.c)
target_include_directories(test-harden-fuzz-pe-truncated PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit)
target_link_libraries(test-harden-fuzz-pe-truncated PRIVATE mkvm_esp)
add_test(NAME harden-fuzz-pe-truncated COMMAND test-harden-fuzz-pe-truncated)
mkvm_test_tier(harden-fuzz-pe-truncated unit)
