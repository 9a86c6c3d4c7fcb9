# Guest checks of the mkvmimage Linux guest (busybox ash; sourced, not run).
#
# Installed as /lib/vmimage/checks.sh both in the initramfs and in the root
# tree. Every check prints one line the boot harness judges:
#     VMIMAGE-CHECK name: PASS|FAIL [(detail)]
# and facts that are not assertions print
#     VMIMAGE-INFO name: text
# run_checks prints MKVMIMAGE-BOOT-OK only when every check it ran passed.
#
# What is asserted where (the same image boots on every platform, so the
# guest works out what to expect from what it can see, and the kernel
# command line can demand more with vmimage.expect=acpi,devicetree):
#   efi            /sys/firmware/efi exists (booted through UEFI)
#   root-partuuid  the file system mounted as root is on the partition whose
#                  PARTUUID is root=PARTUUID=... of the command line
#   esp-visible    the root's disk has a GPT entry of the ESP type and that
#                  partition mounts as vfat with an EFI directory
#   devicetree     asserted when the kernel does not run on ACPI (then the
#                  device tree is its only hardware description), on arm
#                  always; otherwise reported
#   acpi           asserted when QEMU offered ACPI tables (fw_cfg file
#                  etc/acpi/tables) and the firmware is EDK2, which must hand
#                  them over; U-Boot does not, so there it is reported
#   rtc            an RTC is readable and says a date after 2020
#   efivar         only with vmimage.efivar=VALUE: through efivarfs, the
#                  variable MkvmimageTest-<guid> is written with VALUE when
#                  absent (efivar-written), or read back and compared when a
#                  previous boot wrote it (efivar-persisted): persistent
#                  variables across boots, as the VM spec asks
#   console        the console is the pl011 (ttyAMA0 in /proc/consoles)

VMIMAGE_FAILED=0
VMIMAGE_ESP_TYPE=28732ac11ff8d211ba4b00a0c93ec93b   # C12A7328-F81F-11D2-BA4B-00A0C93EC93B on disk

check() {
        # check NAME 0|1 [DETAIL]: 0 is PASS (a shell status)
        local name=$1 status=$2 detail=${3:+ ($3)}
        if [ "$status" = 0 ]; then
                echo "VMIMAGE-CHECK $name: PASS$detail"
        else
                echo "VMIMAGE-CHECK $name: FAIL$detail"
                VMIMAGE_FAILED=$((VMIMAGE_FAILED + 1))
        fi
}

info() {
        echo "VMIMAGE-INFO $1: $2"
}

lower() {
        echo "$1" | tr 'A-F' 'a-f'
}

# cmdline_value KEY: the value of KEY=... on the kernel command line.
cmdline_value() {
        local w
        for w in $(cat /proc/cmdline); do
                case $w in
                "$1"=*) echo "${w#*=}"; return 0 ;;
                esac
        done
        return 1
}

# expected WHAT: the command line demands WHAT (vmimage.expect=a,b,...).
expected() {
        case ",$(cmdline_value vmimage.expect)," in
        *",$1,"*) return 0 ;;
        esac
        return 1
}

mount_api_filesystems() {
        [ -e /proc/self ] || mount -t proc proc /proc
        [ -e /sys/class ] || mount -t sysfs sysfs /sys
        [ -e /dev/null ] || mount -t devtmpfs devtmpfs /dev
}

# gpt_entries DISK: one line per used GPT entry of DISK (vda):
#     NUMBER TYPE-HEX PARTUUID TYPE-GUID
# TYPE-HEX is the type GUID's 16 bytes as stored; PARTUUID (the unique
# partition GUID) and TYPE-GUID are in lower case. Read from the disk itself: Linux 6.1 does
# not put PARTUUID in sysfs, and busybox has no blkid.
gpt_entries() {
        local disk=$1 ss hdr lba count esz
        ss=$(cat "/sys/class/block/$disk/queue/logical_block_size" 2>/dev/null) || ss=512
        # GPT header at LBA 1: "EFI PART"; entries LBA at 72 (u64), count at 80, size at 84.
        hdr=$(dd if="/dev/$disk" bs="$ss" skip=1 count=1 2>/dev/null | hexdump -v -e '1/1 "%02x"')
        [ "${hdr:0:16}" = 4546492050415254 ] || return 1
        lba=$(le_hex "${hdr:144:16}")
        count=$(le_hex "${hdr:160:8}")
        esz=$(le_hex "${hdr:168:8}")
        [ "$esz" -ge 128 ] && [ "$esz" -le 4096 ] && [ "$count" -le 1024 ] || return 1
        dd if="/dev/$disk" bs="$ss" skip="$lba" count=$(((count * esz + ss - 1) / ss)) 2>/dev/null |
                hexdump -v -e "$esz/1 \"%02x\" \"\\n\"" |
                awk -v n="$count" '
                        function guid(h) {
                                return substr(h, 7, 2) substr(h, 5, 2) substr(h, 3, 2) substr(h, 1, 2) "-" \
                                       substr(h, 11, 2) substr(h, 9, 2) "-" substr(h, 15, 2) substr(h, 13, 2) "-" \
                                       substr(h, 17, 4) "-" substr(h, 21, 12)
                        }
                        NR <= n && substr($0, 1, 32) != "00000000000000000000000000000000" {
                                print NR, substr($0, 1, 32), guid(substr($0, 33, 32)), guid(substr($0, 1, 32))
                        }'
}

# le_hex HEX: the little-endian number written as hex bytes.
le_hex() {
        local h=$1 r= i=${#1}
        while [ "$i" -gt 0 ]; do
                i=$((i - 2))
                r=$r${h:$i:2}
        done
        echo $((0x$r))
}

# disks: the whole block devices (no partitions, no ram/loop).
disks() {
        local d
        for d in /sys/block/*; do
                case ${d##*/} in ram*|loop*|zram*) continue ;; esac
                echo "${d##*/}"
        done
}

# partition_name DISK NUMBER: the block device name of partition NUMBER.
partition_name() {
        local p
        for p in /sys/class/block/"$1"/*/partition; do
                [ -e "$p" ] || continue
                if [ "$(cat "$p")" = "$2" ]; then
                        basename "$(dirname "$p")"
                        return 0
                fi
        done
        return 1
}

# block_name_of_partuuid UUID: the block device name (vda2) whose GPT
# entry has the unique partition GUID UUID.
block_name_of_partuuid() {
        local want disk n
        want=$(lower "$1")
        for disk in $(disks); do
                n=$(gpt_entries "$disk" | awk -v u="$want" '$3 == u { print $1; exit }')
                [ -n "$n" ] || continue
                partition_name "$disk" "$n" && return 0
        done
        return 1
}

# gpt_entry_of BLOCKNAME: the GPT entry line (see gpt_entries) of a partition.
gpt_entry_of() {
        local disk n
        n=$(cat "/sys/class/block/$1/partition" 2>/dev/null) || return 1
        disk=$(disk_of "$1")
        gpt_entries "$disk" | awk -v n="$n" '$1 == n { print; f = 1 } END { exit !f }'
}

# uptime_ms: milliseconds since boot (the wall clock of a bounded wait).
uptime_ms() {
        local u
        read -r u _ </proc/uptime
        echo $((${u%.*} * 1000 + 1${u#*.}0 - 1000))
}

# mounted_device MOUNTPOINT: the device of the file system mounted there.
mounted_device() {
        awk -v m="$1" '$2 == m && $1 ~ /^\/dev\// { d = $1 } END { if (d == "") exit 1; print d }' /proc/mounts
}

firmware_vendor() {
        local v
        v=$(cat /sys/class/dmi/id/bios_vendor 2>/dev/null)
        [ -n "$v" ] || v=$(dmesg | sed -n 's/.*efi: EFI v[0-9.]* by //p' | head -n 1)
        echo "${v:-unknown}"
}

check_efi() {
        [ -d /sys/firmware/efi ]
        check efi $? "firmware: $(firmware_vendor)"
}

# check_root_partuuid ROOTMNT
check_root_partuuid() {
        local want dev got entry type
        want=$(cmdline_value root)
        case $want in
        PARTUUID=*) want=$(lower "${want#PARTUUID=}") ;;
        *) check root-partuuid 1 "root=$want on the command line is not PARTUUID=..."; return ;;
        esac
        if ! dev=$(mounted_device "$1"); then
                check root-partuuid 1 "nothing mounted on $1"
                return
        fi
        entry=$(gpt_entry_of "${dev##*/}")
        got=$(echo "$entry" | cut -d' ' -f3)
        [ -n "$got" ] && [ "$got" = "$want" ]
        check root-partuuid $? "$dev PARTUUID=${got:-none}, root=PARTUUID=$want"
        type=$(echo "$entry" | cut -d' ' -f4)
        case $type in
        b921b045-1df0-41c3-af44-4c6f280d3fae) type="$type (Discoverable Partitions root, arm64)" ;;
        69dad710-2ce4-4e3c-b16c-21a1d49abed3) type="$type (Discoverable Partitions root, arm)" ;;
        0fc63daf-8483-4772-8e79-3d69d8477de4) type="$type (Linux generic data)" ;;
        esac
        [ -z "$type" ] || info root-type "$type"
}

# disk_of BLOCKNAME: the whole disk a partition belongs to (vda2 -> vda).
disk_of() {
        local p
        p=$(readlink -f "/sys/class/block/$1")
        if [ -e "$p/partition" ]; then
                basename "$(dirname "$p")"
        else
                echo "$1"
        fi
}

# check_esp_visible ROOTMNT: on the root's disk, or on any disk when the
# root is not mounted.
check_esp_visible() {
        local dev list disk n= part ok=1 detail
        if dev=$(mounted_device "$1"); then
                list=$(disk_of "${dev##*/}")
        else
                list=$(disks)
        fi
        detail="no GPT entry of the ESP type on $(echo $list)"
        for disk in $list; do
                n=$(gpt_entries "$disk" | awk -v t=$VMIMAGE_ESP_TYPE '$2 == t { print $1; exit }')
                [ -n "$n" ] && break
        done
        if [ -n "$n" ]; then
                if part=$(partition_name "$disk" "$n"); then
                        mkdir -p /run/vmimage-esp
                        if mount -t vfat -o ro "/dev/$part" /run/vmimage-esp 2>/dev/null; then
                                if [ -d /run/vmimage-esp/EFI ]; then
                                        ok=0
                                        detail="/dev/$part (partition $n) mounted as vfat"
                                else
                                        detail="/dev/$part mounted as vfat but has no EFI directory"
                                fi
                                umount /run/vmimage-esp
                        else
                                detail="/dev/$part (partition $n, ESP type) does not mount as vfat"
                        fi
                else
                        detail="GPT entry $n of $disk is of the ESP type but Linux has no block device for it"
                fi
        fi
        check esp-visible $ok "$detail"
}

acpi_in_use() {
        [ -d /sys/firmware/acpi/tables ] && [ -n "$(ls /sys/firmware/acpi/tables 2>/dev/null)" ]
}

devicetree_present() {
        [ -d /sys/firmware/devicetree/base ] || [ -d /proc/device-tree ]
}

qemu_offers_acpi() {
        [ -d /sys/firmware/qemu_fw_cfg/by_name/etc/acpi/tables ]
}

check_hardware_description() {
        local vendor
        if devicetree_present; then
                info devicetree "present ($(tr -d '\0' </proc/device-tree/compatible 2>/dev/null))"
        else
                info devicetree absent
        fi
        if acpi_in_use; then
                info acpi "present ($(ls /sys/firmware/acpi/tables | tr '\n' ' '))"
        else
                info acpi absent
        fi

        if expected devicetree || ! acpi_in_use; then
                devicetree_present
                check devicetree $? "$(acpi_in_use && echo 'kernel runs on ACPI' || echo 'no ACPI: the device tree describes the machine')"
        fi

        vendor=$(firmware_vendor)
        if expected acpi; then
                acpi_in_use
                check acpi $? "vmimage.expect=acpi"
        elif qemu_offers_acpi; then
                case $vendor in
                *EDK*|*"Development Kit"*)
                        acpi_in_use
                        check acpi $? "QEMU offered ACPI tables and the firmware is $vendor"
                        ;;
                *)
                        info acpi "QEMU offered ACPI tables, firmware $vendor does not pass them on"
                        ;;
                esac
        fi
}

check_rtc() {
        local r secs now
        for r in /sys/class/rtc/rtc*; do
                [ -e "$r/since_epoch" ] || continue
                info rtc "$(basename "$r"): $(cat "$r/name" 2>/dev/null)"
        done
        secs=$(cat /sys/class/rtc/rtc0/since_epoch 2>/dev/null)
        now=$(date +%s)
        # 2020-01-01: anything earlier is an RTC that does not keep time.
        [ -n "$secs" ] && [ "$secs" -gt 1577836800 ] && [ "$now" -gt 1577836800 ]
        check rtc $? "rtc0 $(cat /sys/class/rtc/rtc0/name 2>/dev/null) reads ${secs:-nothing}, date $(date -u '+%Y-%m-%dT%H:%M:%SZ')"
}

check_console() {
        grep -q '^ttyAMA0' /proc/consoles
        check console $? "$(awk '{ printf "%s%s", s, $1; s = "," }' /proc/consoles)"
}

# The variable a guest writes to show that variables persist across boots.
VMIMAGE_EFIVAR=MkvmimageTest-6d6b766d-6566-4976-8172-000000000001

check_efivar() {
        local want dir=/sys/firmware/efi/efivars file got
        want=$(cmdline_value vmimage.efivar) || return 0
        modprobe -q efivarfs 2>/dev/null || true
        [ -d "$dir" ] || mkdir -p "$dir"
        grep -q " $dir " /proc/mounts || mount -t efivarfs efivarfs "$dir" 2>/dev/null
        file=$dir/$VMIMAGE_EFIVAR
        if [ -e "$file" ]; then
                # efivarfs: 4 bytes of attributes, then the data.
                got=$(tail -c +5 "$file")
                [ "$got" = "$want" ]
                check efivar-persisted $? "read back '$got', written by an earlier boot"
        else
                # NON_VOLATILE | BOOTSERVICE_ACCESS | RUNTIME_ACCESS
                printf '\007\000\000\000%s' "$want" > "$file" 2>/dev/null && [ "$(tail -c +5 "$file")" = "$want" ]
                check efivar-written $? "wrote '$want'"
        fi
}

load_fw_cfg() {
        [ -d /sys/firmware/qemu_fw_cfg ] || modprobe -q qemu_fw_cfg 2>/dev/null || true
}

# run_checks ROOTMNT: every check, then the marker if all passed.
run_checks() {
        local root=${1:-/}
        load_fw_cfg
        check_efi
        check_root_partuuid "$root"
        check_esp_visible "$root"
        check_hardware_description
        check_rtc
        check_console
        check_efivar
        info kernel "$(uname -r) $(uname -m), up $(cut -d' ' -f1 /proc/uptime) s"
        if [ "$VMIMAGE_FAILED" = 0 ]; then
                echo MKVMIMAGE-BOOT-OK
        else
                echo "VMIMAGE-INFO summary: $VMIMAGE_FAILED check(s) failed"
        fi
}

power_off() {
        sync
        # -f: straight to the kernel (PSCI SYSTEM_OFF), QEMU exits by itself.
        poweroff -f
        # Still here: let the kernel panic rather than hang (panic=-1 reboots,
        # and -no-reboot turns that into an exit).
        exit 1
}
