# The ext4 root-partition handler: mke2fs formats, libext2fs fills from the
# content stream. Included from mkimage/CMakeLists.txt.
pkg_check_modules(EXT2FS REQUIRED IMPORTED_TARGET ext2fs com_err)
add_library(mkvm_ext4 STATIC ${CMAKE_CURRENT_LIST_DIR}/ext4.c)
target_include_directories(mkvm_ext4 PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(mkvm_ext4 PUBLIC mkvm_content mkvm_util PkgConfig::EXT2FS)
