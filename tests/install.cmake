# The install (GNUInstallDirs): `cmake --install` into a new prefix, then the
# installed programs run with the source and build trees hidden, and moved.
# It boots QEMU once (one U-Boot cell), hence the boot tier.
add_shell_test(install-relocatable boot install/relocatable.sh)
