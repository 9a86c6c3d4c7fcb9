# The console verdict, exercised with a stand-in for QEMU (first in PATH)
# that prints a scripted console: each recognised failure is named, guest
# check lines count, silence and hangs end in time.
source "$TESTS_DIR/boot/lib.sh"

img=$WORK/disk.img
efi_hello_image "$img" aa64
mkdir "$WORK/bin"
cat >"$WORK/bin/qemu-system-aarch64" <<'FAKE'
#!/bin/bash
case $FAKE_CONSOLE in
checks) printf 'MKVMIMAGE-BOOT-OK\r\nVMIMAGE-CHECK efi: PASS\r\nVMIMAGE-CHECK root-mounted: FAIL /dev/vda2 missing\r\n' ;;
checks-ok) printf 'MKVMIMAGE-BOOT-OK\r\nVMIMAGE-CHECK efi: PASS\r\nlogin: ' ;;
panic) printf 'Booting Linux\r\n[    1.0] Kernel panic - not syncing: VFS: Unable to mount root fs\r\n'; exec sleep 100 ;;
silent) exec sleep 100 ;;
hang) printf 'MKVMIMAGE-BOOT-OK\r\n'; exec sleep 100 ;;
reboot) printf 'some output\r\n' ;;
shell) printf '\033[1m\033[33mShell> \033[0m'; exec sleep 100 ;;
error) echo "qemu-system-aarch64: -drive if=pflash: could not load firmware" >&2; exit 1 ;;
esac
FAKE
chmod +x "$WORK/bin/qemu-system-aarch64"
: >"$WORK/code.fd"
: >"$WORK/vars.fd"

fake() {  # fake CONSOLE WANT-STATUS MESSAGE [ARGS...]
        local console=$1 want=$2 msg=$3 rc=0
        shift 3
        FAKE_CONSOLE=$console PATH="$WORK/bin:$PATH" run_boot "$WORK/out" "$img" --arch aa64 \
                --platform aa64-edk2-gicv3-pci --edk2-code "$WORK/code.fd" --edk2-vars "$WORK/vars.fd" \
                --log-dir "$WORK/logs" "$@" || rc=$?
        expect_status "$want" $rc "console \"$console\""
        expect_grep "$msg" "$WORK/out"
}

fake checks 1 "1 of 2 guest checks failed, first: root-mounted: FAIL /dev/vda2 missing"
fake checks-ok 0 "PASS aa64-edk2-gicv3-pci" --expect MKVMIMAGE-BOOT-OK --expect "login: "
fake checks-ok 1 'without printing "welcome"' --expect welcome
fake panic 1 'Linux kernel panic ("Kernel panic - not syncing: VFS: Unable to mount root fs")' --timeout 60
fake silent 1 "no output on the serial console within 2 s" --timeout 2
fake hang 1 "did not power off within 2 s" --timeout 2
fake reboot 1 'the guest powered off or reset without printing "MKVMIMAGE-BOOT-OK" (last output: "some output")'
fake shell 1 'EDK2 fell through to the UEFI Shell' --timeout 60
fake error 1 'QEMU failed with exit status 1 ("qemu-system-aarch64: -drive if=pflash: could not load firmware")'
expect_grep "could not load firmware" "$WORK/logs/aa64-edk2-gicv3-pci.log"
echo "ok: the verdict names what it recognises"
